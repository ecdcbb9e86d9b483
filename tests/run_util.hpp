// Running the real ctxbench binary from tests, with control over the child's environment (affinity,
// user, rlimits, mount namespace) and a look at /proc for anything it left behind. Header-only so the
// integration test files share it without a library.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ctxbench_test {

struct Outcome {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

// The ctxbench binary under test followed by args (CTXBENCH_BINARY is set by CMake).
inline std::vector<std::string> ctxbench(std::vector<std::string> args) {
  args.insert(args.begin(), CTXBENCH_BINARY);
  return args;
}

// Probes a sanitizer build runs too slowly to be worth it: a fork of a big parent. Under TSan, shadowed memory
// made process.fork_rss/rss_mib:1024 take 36 s of a 115 s catalogue run on the development VM, and a --quick
// run of rss_mib:256 alone 54 s where the rest of the default suite took 32 s. The same code runs at
// rss_mib:0 and :64 there; the Release pass runs these.
inline const std::vector<std::string> kTooSlowUnderSanitizer = {"process.fork_rss/rss_mib:256",
                                                                "process.fork_rss/rss_mib:1024"};
inline bool too_slow_under_sanitizer(const std::string& probe) {
  for (const std::string& slow : kTooSlowUnderSanitizer)
    if (probe == slow) return true;
  return false;
}

// kTooSlowUnderSanitizer as a --filter lookahead over record ids, "(?!...)", to put after "^".
inline std::string too_slow_under_sanitizer_lookahead() {
  std::string alternatives;
  for (const std::string& probe : kTooSlowUnderSanitizer) {
    if (!alternatives.empty()) alternatives += '|';
    for (char c : probe) alternatives += c == '.' ? std::string("\\.") : std::string(1, c);
    alternatives += '/';
  }
  return "(?!" + alternatives + ")";
}

// A record's `metrics` entry (server.*, db.*), NaN when the record has none of that name.
inline double metric(const nlohmann::json& r, const char* name) {
  const nlohmann::json& m = r.value("metrics", nlohmann::json::object());
  return m.contains(name) ? m[name].get<double>() : std::nan("");
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// A fresh directory under $TMPDIR (gtest's TempDir), mode 0755.
inline std::string make_temp_dir(const std::string& tag) {
  std::string t = ::testing::TempDir() + "/ctxbench_" + tag + "_XXXXXX";
  if (::mkdtemp(t.data()) == nullptr) return "";
  ::chmod(t.c_str(), 0755);
  return t;
}

inline void remove_tree(const std::string& dir) {
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") ::unlink((dir + "/" + n).c_str());
    }
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
}

inline std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
  }
  return out;
}

// Forks; the child puts itself in its own process group, sends stdout/stderr to files, runs `setup`
// (returns false -> _exit(126)) and execv()s args[0]. No shell anywhere.
inline pid_t start(const std::vector<std::string>& args, const std::string& out, const std::string& err,
                   const std::function<bool()>& setup = {}, const std::vector<std::string>& extra_env = {}) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    for (const std::string& kv : extra_env) ::putenv(const_cast<char*>(kv.c_str()));
    if (setup && !setup()) ::_exit(126);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (pid > 0) ::setpgid(pid, pid);
  return pid;
}

inline int decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

// Waits up to `timeout_s`; on timeout SIGKILLs the group and returns -1 (a hang must fail, not hang).
inline int wait_bounded(pid_t pid, int timeout_s, int* raw_status = nullptr) {
  int status = 0;
  for (int i = 0; i < timeout_s * 100; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      if (raw_status != nullptr) *raw_status = status;
      return decode(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

inline Outcome run_with(const std::vector<std::string>& args, const std::function<bool()>& setup = {},
                        const std::vector<std::string>& extra_env = {}, int timeout_s = 300) {
  const std::string dir = make_temp_dir("run");
  const std::string out = dir + "/stdout", err = dir + "/stderr";
  const pid_t pid = start(args, out, err, setup, extra_env);
  Outcome r;
  r.exit_code = wait_bounded(pid, timeout_s);
  r.out = slurp(out);
  r.err = slurp(err);
  remove_tree(dir);
  return r;
}

// Processes whose process group is `pgid`; zombies too when `with_zombies` (a zombie of the group is a
// child nobody reaped: the run's owner failed its job even though the task no longer runs).
inline std::vector<pid_t> group_members(pid_t pgid, bool with_zombies) {
  std::vector<pid_t> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* e = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    const std::string stat = slurp("/proc/" + std::string(e->d_name) + "/stat");
    const auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(close_paren + 2));
    std::string state;
    long ppid = 0, pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (pgrp == pgid && (with_zombies || (state != "Z" && state != "X"))) found.push_back(pid);
  }
  ::closedir(proc);
  return found;
}

inline std::vector<pid_t> live_in_group(pid_t pgid) { return group_members(pgid, false); }
inline std::vector<pid_t> processes_in_group(pid_t pgid) { return group_members(pgid, true); }

// Reaps every exited child of ours (orphans re-parented to us as child subreaper included).
inline void reap_all() {
  int status = 0;
  while (::waitpid(-1, &status, WNOHANG) > 0) {
  }
}

}  // namespace ctxbench_test
