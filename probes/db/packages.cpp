#include "probes/db/packages.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "engine/os.hpp"
#include "engine/probe.hpp"

namespace ctxbench::db {

namespace fs = std::filesystem;

namespace {

void require(const std::string& path, const char* package) {
  if (::access(path.c_str(), X_OK) != 0)
    throw ProbeSkip(std::string(package) + " is not installed (" + path + ": " + std::strerror(errno) +
                    "); scripts/install-deps.sh --test installs it");
}

}  // namespace

std::string postgres_bin_dir() {
  int best = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = e.path().filename().string();
    const int major = std::atoi(name.c_str());
    if (major > best && ::access((e.path() / "bin/postgres").c_str(), X_OK) == 0) best = major;
  }
  return best < 0 ? "" : "/usr/lib/postgresql/" + std::to_string(best) + "/bin";
}

RunAs server_user() {
  // /etc/passwd read directly: ctxbench-probe is linked statically, where getpwnam would need glibc's
  // NSS modules at run time.
  RunAs as;
  const uid_t me = ::geteuid();
  std::istringstream lines(read_small_file("/etc/passwd"));
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, ':');) f.push_back(x);
    if (f.size() < 4) continue;
    const auto uid = static_cast<uid_t>(std::strtoul(f[2].c_str(), nullptr, 10));
    if (me == 0 ? f[0] != "nobody" : uid != me) continue;
    as.uid = uid;
    as.gid = static_cast<gid_t>(std::strtoul(f[3].c_str(), nullptr, 10));
    as.name = f[0];
    break;
  }
  return as;
}

void check_installed(Server kind) {
  if (kind == Server::PostgresDirect || kind == Server::PostgresPgBouncer) {
    const std::string bin = postgres_bin_dir();
    if (bin.empty())
      throw ProbeSkip(
          "postgresql is not installed (no /usr/lib/postgresql/*/bin/postgres); scripts/install-deps.sh "
          "--test installs postgresql-15");
    require(bin + "/initdb", "postgresql");
  }
  if (kind == Server::PostgresPgBouncer) require(kPgBouncer, "pgbouncer");
  if (kind == Server::MariaDbThreadPerConnection || kind == Server::MariaDbPoolOfThreads) {
    require(kMariaDbd, "mariadb-server");
    require(kMariaDbInstall, "mariadb-server");
  }
}

}  // namespace ctxbench::db
