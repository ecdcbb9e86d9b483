// What a db.* probe may leave behind, seen from outside: its private directories and any process still
// working in one (every server program runs with its cwd there). A directory is
// /tmp/ctxbench-db.<pid>.g<process group>.XXXXXX (probes/db/instance.hpp): the group is the run's, and a
// test starts ctxbench in a group of its own (run_util.hpp, start), so it judges only what the run it
// started left, never another ctxbench run on the machine.
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

namespace ctxbench_test {

// Does this /tmp entry (a name, or a path under /tmp) belong to the run whose process group is `pgid`?
inline bool of_run(const std::string& name_or_path, pid_t pgid) {
  const std::string prefix = "ctxbench-db.";
  const std::string name = name_or_path.rfind("/tmp/", 0) == 0 ? name_or_path.substr(5) : name_or_path;
  if (name.rfind(prefix, 0) != 0) return false;
  const std::string tag = ".g" + std::to_string(pgid) + ".";
  const auto at = name.find(tag, prefix.size());
  // <pid> digits, then the tag: a later ".gN." inside the random suffix must not match.
  return at != std::string::npos && name.find('.', prefix.size()) == at;
}

// The run's private directories (full paths).
inline std::set<std::string> db_dirs(pid_t pgid) {
  std::set<std::string> out;
  if (DIR* d = ::opendir("/tmp")) {
    while (dirent* e = ::readdir(d))
      if (of_run(e->d_name, pgid)) out.insert(std::string("/tmp/") + e->d_name);
    ::closedir(d);
  }
  return out;
}

// Live processes whose working directory is inside one of the run's directories (or was, if deleted).
inline std::vector<pid_t> db_processes(pid_t pgid) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    char buf[512];
    const ssize_t n = ::readlink(("/proc/" + std::string(e->d_name) + "/cwd").c_str(), buf, sizeof buf - 1);
    if (n <= 0) continue;
    if (of_run(std::string(buf, static_cast<std::size_t>(n)), pgid)) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

// Waits up to `seconds` for every process of the run's directories to be gone (a killed postmaster's
// backends notice within milliseconds); returns those still there.
inline std::vector<pid_t> db_processes_after(pid_t pgid, int seconds) {
  std::vector<pid_t> left;
  for (int i = 0; i < seconds * 50; ++i) {
    left = db_processes(pgid);
    if (left.empty()) break;
    ::usleep(20000);
  }
  return left;
}

}  // namespace ctxbench_test
