#include "probes/db/instance.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/probe.hpp"

namespace ctxbench::db {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMariaDbd = "/usr/sbin/mariadbd";
constexpr const char* kMariaDbInstall = "/usr/bin/mariadb-install-db";
constexpr const char* kPgBouncer = "/usr/sbin/pgbouncer";
constexpr int kPostgresPort = 5432;  // only names the socket file inside the private directory
constexpr int kPgBouncerPort = 6432;
constexpr int kTableRows = 10000;

[[noreturn]] void fail_errno(const std::string& what) { throw ProbeError(what + ": " + std::strerror(errno)); }

// The newest /usr/lib/postgresql/<major>/bin holding a postgres binary; empty when none.
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

void require(const std::string& path, const char* package) {
  if (::access(path.c_str(), X_OK) != 0)
    throw ProbeSkip(std::string(package) + " is not installed (" + path + ": " + std::strerror(errno) +
                    "); scripts/install-deps.sh --test installs it");
}

std::string tail_of(const std::string& path) {
  std::string text = read_small_file(path);
  if (text.size() > 400) text = "..." + text.substr(text.size() - 400);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

int perf_open(std::uint64_t config, pid_t pid) {
  perf_event_attr attr{};
  attr.type = PERF_TYPE_SOFTWARE;
  attr.size = sizeof attr;
  attr.config = config;
  attr.inherit = 1;  // every process and thread the program creates, and their exits fold back in
  return static_cast<int>(::syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

std::uint64_t perf_read(int fd) {
  std::uint64_t v = 0;
  return ::read(fd, &v, sizeof v) == static_cast<ssize_t>(sizeof v) ? v : 0;
}

pid_t parent_of(pid_t pid) {
  const std::string stat = read_small_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 4 >= stat.size()) return 0;
  return static_cast<pid_t>(std::atoi(stat.c_str() + close + 4));  // ") S <ppid>"
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const pid_t p = static_cast<pid_t>(std::atoi(e->d_name));
    if (p > 0) out.push_back(p);
  }
  ::closedir(d);
  return out;
}

// The roots and every live descendant of them.
std::vector<pid_t> process_tree(const std::vector<pid_t>& roots) {
  std::vector<pid_t> tree = roots;
  std::map<pid_t, std::vector<pid_t>> children;
  for (pid_t p : all_pids()) children[parent_of(p)].push_back(p);
  for (std::size_t i = 0; i < tree.size(); ++i)
    for (pid_t c : children[tree[i]]) tree.push_back(c);
  return tree;
}

std::uint64_t smaps_field(const std::string& text, const char* key) {
  const std::size_t pos = text.find(key);
  return pos == std::string::npos ? 0 : std::strtoull(text.c_str() + pos + std::strlen(key), nullptr, 10) * 1024;
}

bool process_alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

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

int remove_stale_dirs() {
  int removed = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/tmp", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kDirPrefix, 0) != 0) continue;
    const pid_t owner = static_cast<pid_t>(std::atoi(name.c_str() + std::strlen(kDirPrefix)));
    if (owner <= 0 || process_alive(owner)) continue;
    std::error_code rm;
    fs::remove_all(e.path(), rm);
    if (!rm) ++removed;
  }
  return removed;
}

// ---------------------------------------------------------------- one server program

struct Instance::Program {
  Child child;
  UniqueFd perf_clock, perf_switches;
  std::string name;
  int stop_signal = SIGKILL;  // postgres: SIGQUIT (immediate shutdown: it kills and reaps its backends)
};

Instance::Instance(Server kind, int connections, const std::vector<int>& cpus) : kind_(kind), cpus_(cpus) {
  check_installed(kind);
  as_ = server_user();
  if (as_.name.empty()) throw ProbeSkip("no unprivileged user 'nobody' to run the database servers as");
  remove_stale_dirs();
  make_directory();
  try {
    const int pool = static_cast<int>(std::max<std::size_t>(cpus.size(), 1));
    // Room for twice the clients: in connect-per-request a client reconnects as soon as it has closed,
    // before the server has released the closed connection's slot.
    const int limit = 2 * connections + 32;
    switch (kind) {
      case Server::PostgresDirect:
        start_postgres(limit, kPostgresPort);
        break;
      case Server::PostgresPgBouncer:
        start_postgres(pool + 16, kPostgresPort);
        start_pgbouncer(limit, pool);
        break;
      case Server::MariaDbThreadPerConnection:
      case Server::MariaDbPoolOfThreads:
        start_mariadb(kind == Server::MariaDbPoolOfThreads, limit, pool);
        break;
    }
  } catch (...) {
    stop_everything();
    throw;
  }
}

Instance::~Instance() { stop_everything(); }

Protocol Instance::protocol() const {
  return kind_ == Server::PostgresDirect || kind_ == Server::PostgresPgBouncer ? Protocol::Postgres : Protocol::MySql;
}

void Instance::make_directory() {
  // The process group names the run (ctxbench and its measuring processes share it), so whoever watches
  // one run can tell its directories from another run's.
  std::string templ = std::string("/tmp/") + kDirPrefix + std::to_string(::getpid()) + kDirRunTag +
                      std::to_string(::getpgrp()) + ".XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) fail_errno("mkdtemp(" + templ + ")");
  dir_ = templ;
  // The server user owns it (PostgreSQL wants its data directory to be its own, mode 0700).
  if (::chown(dir_.c_str(), as_.uid, as_.gid) != 0) fail_errno("chown(" + dir_ + ")");
}

Instance::Program& Instance::launch(const std::vector<std::string>& argv_in, const std::string& log_name) {
  // Everything the child needs is built before fork(): after it, it only changes identity and execs.
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = dir_ + "/" + log_name;
  UniqueFd log_fd(::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (log_fd.get() < 0) fail_errno("open(" + log + ")");
  Pipe gate = make_pipe();
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus_) CPU_SET(c, &set);
  const RunAs as = as_;
  const bool change_user = ::geteuid() == 0;
  const pid_t parent = ::getpid();
  const int gate_fd = gate.read_end.get(), out_fd = log_fd.get();
  const char* dir = dir_.c_str();
  auto program = std::make_unique<Program>();
  program->name = args[0];
  program->child = Child::spawn([&]() -> int {
    char go = 0;
    if (::read(gate_fd, &go, 1) != 1) return 120;  // the parent gave up before opening the counters
    if (change_user && (::setgroups(0, nullptr) != 0 || ::setgid(as.gid) != 0 || ::setuid(as.uid) != 0)) return 121;
    // A change of user clears the parent-death signal: set it again, then check the parent is still there.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) return 122;
    if (::sched_setaffinity(0, sizeof set, &set) != 0) return 123;
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(out_fd, 2) < 0) return 124;
    if (::chdir(dir) != 0) return 125;
    ::execv(argv[0], argv.data());
    return 127;
  });
  program->perf_clock = UniqueFd(perf_open(PERF_COUNT_SW_TASK_CLOCK, program->child.pid()));
  const int perf_errno = errno;
  program->perf_switches = UniqueFd(perf_open(PERF_COUNT_SW_CONTEXT_SWITCHES, program->child.pid()));
  if (program->perf_clock.get() < 0 || program->perf_switches.get() < 0)
    throw ProbeSkip(std::string("perf_event_open refused the software counters that count the server's CPU time "
                                "and switches over every process and thread it creates: ") +
                    std::strerror(perf_errno) + " (kernel.perf_event_paranoid, seccomp or a container limit)");
  if (::write(gate.write_end.get(), "g", 1) != 1) fail_errno("write(gate)");
  if (args[0].find("postgres") != std::string::npos) program->stop_signal = SIGQUIT;
  programs_.push_back(std::move(program));
  return *programs_.back();
}

// A program that runs to completion as the server user (initdb, mariadb-install-db).
void Instance::setup_command(const std::vector<std::string>& argv, const std::string& what) {
  Program& p = launch(argv, what + ".log");
  const std::uint64_t deadline = now_ns() + 120'000'000'000ULL;
  while (!p.child.exited()) {
    throw_if_stopped();
    if (now_ns() > deadline)
      throw ProbeError(what + " did not finish in 120 s: " + tail_of(dir_ + "/" + what + ".log"));
    ::usleep(5000);
  }
  const int st = p.child.status();
  programs_.pop_back();
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    throw ProbeSkip(what + " failed (status " + std::to_string(st) + "): " + tail_of(dir_ + "/" + what + ".log"));
}

void Instance::wait_until_login(const std::string& socket, Protocol p, const std::string& database, int timeout_s,
                                Program& program, const std::string& log_name) {
  const std::uint64_t deadline = now_ns() + static_cast<std::uint64_t>(timeout_s) * 1'000'000'000ULL;
  std::string why;
  for (;;) {
    throw_if_stopped();
    try {
      BlockingClient probe(socket, p, db_user_, database, 5000);
      return;
    } catch (const WireError& e) {
      // The server answered: only "still starting" is worth waiting for.
      why = e.what();
      if (why.find("starting up") == std::string::npos)
        throw ProbeSkip(program.name + " refused the probe's login: " + why + " (" + tail_of(dir_ + "/" + log_name) +
                        ")");
    } catch (const ProbeError& e) {
      why = e.what();
    }
    if (program.child.exited()) throw ProbeSkip(program.name + " exited at start: " + tail_of(dir_ + "/" + log_name));
    if (now_ns() > deadline)
      throw ProbeSkip(program.name + " accepted no login in " + std::to_string(timeout_s) + " s (" + why +
                      "): " + tail_of(dir_ + "/" + log_name));
    ::usleep(20000);
  }
}

void Instance::start_postgres(int max_connections, int port) {
  const std::string bin = postgres_bin_dir();
  setup_command({bin + "/initdb", "-D", dir_ + "/pg", "-U", db_user_, "--auth=trust", "--no-sync", "--encoding=UTF8",
                 "--locale=C"},
                "initdb");
  // Unix socket in the private directory only (listen_addresses empty: no TCP port at all). fsync off and
  // no autovacuum: the workload is read-only, and nothing in the background should run in the window.
  Program& pg = launch({bin + "/postgres",
                        "-D",
                        dir_ + "/pg",
                        "-k",
                        dir_,
                        "-p",
                        std::to_string(port),
                        "-c",
                        "listen_addresses=",
                        "-c",
                        "max_connections=" + std::to_string(max_connections),
                        "-c",
                        "shared_buffers=32MB",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "autovacuum=off",
                        "-c",
                        "huge_pages=off",
                        "-c",
                        "log_min_messages=warning"},
                       "postgres.log");
  socket_ = dir_ + "/.s.PGSQL." + std::to_string(port);
  database_ = "postgres";
  wait_until_login(socket_, Protocol::Postgres, database_, 60, pg, "postgres.log");
  BlockingClient setup(socket_, Protocol::Postgres, db_user_, database_, 60000);
  setup.run(
      "CREATE TABLE sbtest1 (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, c CHAR(120) NOT NULL, "
      "pad CHAR(60) NOT NULL)");
  setup.run("INSERT INTO sbtest1 SELECT g, g, repeat('c', 120), repeat('p', 60) FROM generate_series(1, " +
            std::to_string(kTableRows) + ") g");
  setup.run("VACUUM ANALYZE sbtest1");
}

void Instance::start_pgbouncer(int max_clients, int pool) {
  const std::string ini = dir_ + "/pgbouncer.ini";
  {
    std::ofstream f(ini);
    // Transaction pooling to `pool` backends; unix socket only (no listen_addr); auth_type any: the
    // client's user name is ignored and the pool logs in as the trust user.
    f << "[databases]\npostgres = host=" << dir_ << " port=" << kPostgresPort << " user=" << db_user_
      << " dbname=postgres\n"
      << "[pgbouncer]\nunix_socket_dir = " << dir_ << "\nlisten_port = " << kPgBouncerPort
      << "\nauth_type = any\npool_mode = transaction\ndefault_pool_size = " << pool << "\nmin_pool_size = " << pool
      << "\nmax_client_conn = " << max_clients
      << "\nignore_startup_parameters = extra_float_digits\nlog_connections = 0\nlog_disconnections = 0\n";
    if (!f) throw ProbeError("cannot write " + ini);
  }
  Program& bouncer = launch({kPgBouncer, ini}, "pgbouncer.log");
  socket_ = dir_ + "/.s.PGSQL." + std::to_string(kPgBouncerPort);
  wait_until_login(socket_, Protocol::Postgres, database_, 30, bouncer, "pgbouncer.log");
}

void Instance::start_mariadb(bool pool_of_threads, int max_connections, int pool) {
  const std::string data = dir_ + "/my";
  setup_command(
      {kMariaDbInstall, "--no-defaults", "--datadir=" + data, "--skip-test-db",
       "--auth-root-authentication-method=normal", "--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"},
      "mariadb-install-db");
  const std::string init = dir_ + "/init.sql";
  {
    std::ofstream f(init);
    // Runs once at start-up, before the first client: the same table as the PostgreSQL servers, and a
    // password-less user that may only use it.
    f << "CREATE DATABASE ctx;\nUSE ctx;\n"
         "CREATE TABLE ctx.sbtest1 (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, c CHAR(120) NOT NULL, "
         "pad CHAR(60) NOT NULL) ENGINE=InnoDB;\n"
         "INSERT INTO ctx.sbtest1 SELECT seq, seq, REPEAT('c', 120), REPEAT('p', 60) FROM seq_1_to_"
      << kTableRows << ";\nCREATE USER '" << db_user_ << "'@'localhost';\nGRANT SELECT ON ctx.* TO '" << db_user_
      << "'@'localhost';\n";
    if (!f) throw ProbeError("cannot write " + init);
  }
  socket_ = dir_ + "/mariadb.sock";
  database_ = "ctx";
  Program& server =
      launch({kMariaDbd, "--no-defaults", "--datadir=" + data, "--socket=" + socket_, "--skip-networking",
              "--pid-file=" + dir_ + "/mariadbd.pid", "--tmpdir=" + dir_, "--init-file=" + init,
              std::string("--thread-handling=") + (pool_of_threads ? "pool-of-threads" : "one-thread-per-connection"),
              "--thread-pool-size=" + std::to_string(pool), "--max-connections=" + std::to_string(max_connections),
              "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=8M", "--skip-name-resolve", "--skip-log-bin"},
             "mariadbd.log");
  wait_until_login(socket_, Protocol::MySql, database_, 60, server, "mariadbd.log");
}

ServerCounts Instance::counts(bool memory) const {
  ServerCounts c;
  std::vector<pid_t> roots;
  for (const auto& p : programs_) {
    c.cpu_ns += perf_read(p->perf_clock.get());
    c.switches_all += perf_read(p->perf_switches.get());
    roots.push_back(p->child.pid());
  }
  for (pid_t pid : process_tree(roots)) {
    const std::string dir = "/proc/" + std::to_string(pid);
    ++c.processes;
    std::error_code ec;
    for (const auto& t : fs::directory_iterator(dir + "/task", ec)) {
      const pid_t tid = static_cast<pid_t>(std::atoi(t.path().filename().c_str()));
      c.live[tid] = read_switch_counts(pid, tid);
      ++c.tasks;
    }
    if (memory) {
      const std::string rollup = read_small_file(dir + "/smaps_rollup");
      c.rss_bytes += smaps_field(rollup, "\nRss:");
      c.pss_bytes += smaps_field(rollup, "\nPss:");
    }
  }
  return c;
}

void Instance::stop_everything() noexcept {
  // Newest first (pgbouncer before the postgres behind it). Every descendant is noted before the stop
  // signal: once its parent is gone, nothing else would lead to it.
  while (!programs_.empty()) {
    Program& p = *programs_.back();
    if (p.child.pid() > 0 && !p.child.exited()) {
      std::vector<pid_t> tree;
      try {
        tree = process_tree({p.child.pid()});
      } catch (...) {
      }
      ::kill(p.child.pid(), p.stop_signal);
      for (int i = 0; i < 500 && !p.child.exited(); ++i) ::usleep(10000);
      for (pid_t pid : tree)
        if (pid != p.child.pid()) ::kill(pid, SIGKILL);
    }
    programs_.pop_back();  // the Child destructor SIGKILLs and reaps what is left
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

// ---------------------------------------------------------------- blocking client (set-up only)

BlockingClient::BlockingClient(const std::string& socket, Protocol p, const std::string& user,
                               const std::string& database, int timeout_ms)
    : protocol_(p), timeout_ms_(timeout_ms) {
  fd_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd_.get() < 0) fail_errno("socket(AF_UNIX)");
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (socket.size() >= sizeof a.sun_path) throw ProbeError("socket path too long: " + socket);
  std::memcpy(a.sun_path, socket.c_str(), socket.size() + 1);
  if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) fail_errno("connect(" + socket + ")");
  WireState s;
  std::string first = login_message(p, user, database);
  if (p == Protocol::MySql) s.greeting_answer = std::move(first);
  exchange(p == Protocol::Postgres ? first : std::string(), s);
}

void BlockingClient::run(const std::string& sql) {
  WireState s;
  s.phase = Phase::Query;
  exchange(query_message(protocol_, sql), s);
}

void BlockingClient::exchange(const std::string& out, WireState& s) {
  std::string pending = out, in;
  const std::uint64_t deadline = now_ns() + static_cast<std::uint64_t>(timeout_ms_) * 1'000'000ULL;
  for (;;) {
    if (!pending.empty()) {
      if (::send(fd_.get(), pending.data(), pending.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(pending.size()))
        fail_errno("send");
      pending.clear();
    }
    pollfd pfd{fd_.get(), POLLIN, 0};
    const int r = ::poll(&pfd, 1, 100);
    throw_if_stopped();
    if (r < 0 && errno != EINTR) fail_errno("poll");
    if (now_ns() > deadline) throw ProbeError("no answer in " + std::to_string(timeout_ms_) + " ms");
    if (r <= 0) continue;
    char buf[8192];
    const ssize_t got = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (got == 0) throw ProbeError("the server closed the connection");
    if (got < 0) {
      if (errno == EINTR) continue;
      fail_errno("recv");
    }
    in.append(buf, static_cast<std::size_t>(got));
    std::size_t used = 0;
    const bool done = consume(protocol_, s, in.data(), in.size(), used, pending);
    in.erase(0, used);
    if (done) return;
  }
}

}  // namespace ctxbench::db
