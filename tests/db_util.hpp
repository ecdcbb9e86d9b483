// What a db.* probe may leave behind, seen from outside: its private directories (/tmp/ctxbench-db.*) and
// any process still working in one (every server program runs with its cwd there).
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

namespace ctxbench_test {

inline std::set<std::string> db_dirs() {
  std::set<std::string> out;
  if (DIR* d = ::opendir("/tmp")) {
    while (dirent* e = ::readdir(d))
      if (std::string(e->d_name).rfind("ctxbench-db.", 0) == 0) out.insert(std::string("/tmp/") + e->d_name);
    ::closedir(d);
  }
  return out;
}

// Live processes whose working directory is inside a /tmp/ctxbench-db.* directory (or was, if deleted).
inline std::vector<pid_t> db_processes() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    char buf[512];
    const ssize_t n = ::readlink(("/proc/" + std::string(e->d_name) + "/cwd").c_str(), buf, sizeof buf - 1);
    if (n <= 0) continue;
    if (std::string(buf, static_cast<std::size_t>(n)).rfind("/tmp/ctxbench-db.", 0) == 0) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

// Waits up to `seconds` for every db process to be gone (a killed postmaster's backends notice within
// milliseconds); returns those still there.
inline std::vector<pid_t> db_processes_after(int seconds) {
  std::vector<pid_t> left;
  for (int i = 0; i < seconds * 50; ++i) {
    left = db_processes();
    if (left.empty()) break;
    ::usleep(20000);
  }
  return left;
}

}  // namespace ctxbench_test
