// Process creation: fork+exit, fork+exec (static helper and /bin/true) and posix_spawn, each reaped
// with waitpid so one op is the whole life of a child. Every child is registered while it lives, so a
// second Ctrl-C kills it; none of them lives longer than one op.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

// waitpid()s the child and turns anything but "exited with 0" into ProbeError.
void reap_expect_success(Child& child, const std::string& what) {
  int status = child.wait();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (WIFEXITED(status)) {
    throw ProbeError(what + " exited with status " + std::to_string(WEXITSTATUS(status)) +
                     (WEXITSTATUS(status) == 127 ? " (execve failed)" : ""));
  }
  if (WIFSIGNALED(status)) throw ProbeError(what + " was killed by signal " + std::to_string(WTERMSIG(status)));
  throw ProbeError(what + " ended with wait status " + std::to_string(status));
}

[[noreturn]] void throw_fork_error(int err) { throw ProbeError(std::string("fork: ") + std::strerror(err)); }

// The exec target with its argv and an EMPTY environment, prepared before fork(): the child only calls
// execve and _exit, both async-signal-safe.
struct ExecTarget {
  std::string path;
  char* argv[2] = {nullptr, nullptr};
  char* envp[1] = {nullptr};
  explicit ExecTarget(std::string p) : path(std::move(p)) { argv[0] = path.data(); }
  ExecTarget(const ExecTarget&) = delete;
  ExecTarget& operator=(const ExecTarget&) = delete;
};

std::string static_helper_path() { return executable_dir() + "/ctxbench-true-static"; }

std::shared_ptr<ExecTarget> exec_target_or_skip(const std::string& path) {
  if (::access(path.c_str(), X_OK) != 0) {
    throw ProbeSkip("exec helper " + path + " is missing or not executable: " + std::strerror(errno));
  }
  return std::make_shared<ExecTarget>(path);
}

std::unique_ptr<Session> start_fork_exit() {
  return make_loop_session([] {
    throw_if_stopped();  // one op can take long on a loaded machine: check every op
    pid_t pid = ::fork();
    if (pid == 0) _exit(0);  // nothing else: the op is fork + exit + wait, not our cleanup
    if (pid < 0) throw_fork_error(errno);
    Child child = Child::adopt(pid);
    reap_expect_success(child, "forked child");
  });
}

std::unique_ptr<Session> start_fork_exec(const std::string& path) {
  auto target = exec_target_or_skip(path);
  return make_loop_session([target] {
    throw_if_stopped();
    pid_t pid = ::fork();
    if (pid == 0) {
      ::execve(target->path.c_str(), target->argv, target->envp);
      _exit(127);
    }
    if (pid < 0) throw_fork_error(errno);
    Child child = Child::adopt(pid);
    reap_expect_success(child, target->path);
  });
}

std::unique_ptr<Session> start_posix_spawn(const std::string& path) {
  auto target = exec_target_or_skip(path);
  return make_loop_session([target] {
    throw_if_stopped();
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, target->path.c_str(), nullptr, nullptr, target->argv, target->envp);
    if (rc != 0) throw ProbeError("posix_spawn " + target->path + ": " + std::strerror(rc));
    Child child = Child::adopt(pid);
    reap_expect_success(child, target->path);
  });
}

ProbeInfo creation_info(const char* name, std::string op) {
  ProbeInfo info;
  info.name = name;
  info.explainable = true;
  info.family = "process";
  info.op = std::move(op);
  info.where.kinds = kCreationPlacements;
  info.counts_reaped_children = true;  // the child's own switches belong to the op
  return info;
}

}  // namespace

static std::unique_ptr<Probe> make_process_fork_exit() {
  return std::make_unique<SimpleProbe>(
      creation_info("process.fork_exit", "fork(); the child calls _exit(0) at once; the parent waitpid()s it"),
      [](const Placement&) { return start_fork_exit(); });
}

static std::unique_ptr<Probe> make_process_fork_exec_static() {
  return std::make_unique<SimpleProbe>(
      creation_info("process.fork_exec.static",
                    "fork(); the child execve()s the statically linked ctxbench-true-static (installed next "
                    "to ctxbench) with an empty environment, which exits 0 at once; the parent waitpid()s it"),
      [](const Placement&) { return start_fork_exec(static_helper_path()); });
}

static std::unique_ptr<Probe> make_process_fork_exec_bin_true() {
  return std::make_unique<SimpleProbe>(
      creation_info("process.fork_exec.bin_true",
                    "fork(); the child execve()s /bin/true (dynamically linked: includes ld.so and libc "
                    "start-up) with an empty environment; the parent waitpid()s it (hyperfine -N "
                    "uses posix_spawn instead: compare it with process.posix_spawn.bin_true)"),
      [](const Placement&) { return start_fork_exec("/bin/true"); });
}

static std::unique_ptr<Probe> make_process_posix_spawn() {
  return std::make_unique<SimpleProbe>(
      creation_info("process.posix_spawn",
                    "posix_spawn() of the statically linked ctxbench-true-static with an empty environment "
                    "(glibc: clone(CLONE_VM|CLONE_VFORK) + execve), then waitpid()"),
      [](const Placement&) { return start_posix_spawn(static_helper_path()); });
}

// hyperfine -N starts commands with Rust's std::process::Command, which glibc serves with
// clone3(CLONE_VM|CLONE_VFORK) + execve (seen with strace): this probe is the like-for-like comparison.
static std::unique_ptr<Probe> make_process_posix_spawn_bin_true() {
  return std::make_unique<SimpleProbe>(
      creation_info("process.posix_spawn.bin_true",
                    "posix_spawn() of /bin/true (dynamically linked) with an empty environment (glibc: "
                    "clone(CLONE_VM|CLONE_VFORK) + execve, the way hyperfine -N starts a command), then "
                    "waitpid()"),
      [](const Placement&) { return start_posix_spawn("/bin/true"); });
}

void add_process_probes(ProbeTable& table, const ProbeTableConfig&) {
  table.push_back(make_process_fork_exit());
  table.push_back(make_process_fork_exec_static());
  table.push_back(make_process_fork_exec_bin_true());
  table.push_back(make_process_posix_spawn());
  table.push_back(make_process_posix_spawn_bin_true());
}

}  // namespace ctxbench
