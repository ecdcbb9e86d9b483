#include "engine/probe_host.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "engine/host_wire.hpp"
#include "engine/os.hpp"
#include "engine/watchdog.hpp"

extern char** environ;

namespace ctxbench {

namespace {

// After --timeout the measuring process's own watchdog fails the probe, and after kWatchdogGraceNs more
// it exits 124 (watchdog.hpp); the owner waits this much longer before it kills the process itself.
constexpr std::uint64_t kOwnerGraceNs = 15'000'000'000ULL;
// A forwarded stop signal: the measuring process stops its partners and exits within this, or is killed.
constexpr std::uint64_t kStopGraceNs = 15'000'000'000ULL;

// posix_spawn refused for lack of processes (RLIMIT_NPROC, pid limit): no measuring process possible.
class SpawnRefused : public ProbeError {
 public:
  using ProbeError::ProbeError;
};

// The owner's handle on one measuring process: kills and reaps it on every path out.
class HostProcess {
 public:
  HostProcess(const HostRequest& request) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw ProbeError(std::string("pipe2: ") + std::strerror(errno));
    read_end_.reset(fds[0]);
    UniqueFd write_end(fds[1]);
    const std::string path = executable_dir() + "/ctxbench-probe";
    if (::access(path.c_str(), X_OK) != 0)
      throw ProbeError("measuring process " + path + " is missing or not executable: " + std::strerror(errno));
    // The result pipe becomes fd 3 of the new process (dup2 clears its close-on-exec flag).
    constexpr int kResultFd = 3;
    std::vector<std::string> args = host_arguments(request, kResultFd, ::getpid());
    args.insert(args.begin(), path);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), kResultFd);
    // Nothing the measuring process prints may land in the table or in `--json -` on stdout.
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGALRM}) sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    // Signals wait until the pid is registered: a second Ctrl-C must find it to kill it.
    const StopSignalsBlocked quiet;
    const int rc = ::posix_spawn(&pid_, path.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      pid_ = -1;
      const std::string what = "posix_spawn " + path + ": " + std::strerror(rc);
      if (rc == EAGAIN) throw SpawnRefused(what);
      throw ProbeError(what);
    }
    register_child(pid_);
  }
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;
  ~HostProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      reap();
    }
  }

  int fd() const { return read_end_.get(); }
  pid_t pid() const { return pid_; }
  void kill_now() noexcept {
    if (pid_ > 0 && !reaped_) ::kill(pid_, SIGKILL);
  }
  // Waits for the process to end; its wait status.
  int reap() noexcept {
    if (reaped_) return status_;
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    unregister_child(pid_);
    return status_;
  }

 private:
  UniqueFd read_end_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

ProbeRun failed_run(const HostRequest& request, std::string reason) {
  ProbeRun run;
  run.placement = request.placement;
  run.timer_overhead_ns = request.timer_overhead_ns;
  run.status = RunStatus::Failed;
  run.reason = std::move(reason);
  return run;
}

constexpr const char* kTimedOutText =
    "timed out: the probe ran past --timeout and did not stop within its grace period; the measuring process "
    "and its tasks were killed";

// Why a measuring process ended without its closing message.
std::string death_text(int status) {
  if (WIFSIGNALED(status))
    return "the measuring process died of signal " + signal_text(WTERMSIG(status)) +
           " while running the probe; its tasks died with it and the run went on in a new one";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 124) return kTimedOutText;
  if (WIFEXITED(status))
    return "the measuring process exited with status " + std::to_string(WEXITSTATUS(status)) +
           " before finishing the probe (see its message on stderr)";
  return "the measuring process ended with wait status " + std::to_string(status);
}

}  // namespace

ProbeRun run_in_measuring_process(const HostRequest& request, const ProbeFinder& find) {
  std::optional<HostProcess> host;
  try {
    host.emplace(request);
  } catch (const SpawnRefused& e) {
    // Under a process limit a measuring process costs the one process the probe may have: run here,
    // and say so (a fork() then copies this process; probes that need no new task are unaffected).
    const std::unique_ptr<Probe> probe = find(request.table, request.probe);
    if (probe == nullptr) return failed_run(request, "no probe named " + request.probe);
    ProbeRun run = run_probe(*probe, request.placement, request.settings, request.timer_overhead_ns);
    run.ran_in_owner_because = e.what();
    return run;
  } catch (const ProbeError& e) {
    return failed_run(request, e.what());
  }
  std::vector<RepetitionRun> repetitions;
  std::optional<ProbeRun> end;
  int interrupted_by = 0;
  std::string buffer, problem;
  const std::uint64_t started = now_ns();
  const std::uint64_t deadline =
      request.settings.timeout_ns > 0 ? started + request.settings.timeout_ns + kWatchdogGraceNs + kOwnerGraceNs : 0;
  std::uint64_t stop_deadline = 0;
  char chunk[1 << 16];
  for (;;) {
    if (stop_requested() && stop_deadline == 0) {
      // Our stop is the measuring process's stop (it may have had the same Ctrl-C already: it counts
      // a second one as the same request).
      ::kill(host->pid(), stop_signal());
      stop_deadline = now_ns() + kStopGraceNs;
    }
    const std::uint64_t now = now_ns();
    const std::uint64_t until = stop_deadline != 0 ? stop_deadline : deadline;
    if (until != 0 && now >= until) {
      host->kill_now();
      problem = stop_deadline != 0 ? "stopped: the measuring process did not stop after the signal and was killed"
                                   : kTimedOutText;
      break;
    }
    const int wait_ms =
        until == 0 ? -1 : static_cast<int>(std::min<std::uint64_t>((until - now) / 1'000'000 + 1, 1'000'000));
    pollfd p{host->fd(), POLLIN, 0};
    const int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      problem = std::string("poll (measuring process): ") + std::strerror(errno);
      host->kill_now();
      break;
    }
    if (ready == 0) continue;
    const ssize_t n = ::read(host->fd(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      problem = std::string("read (measuring process): ") + std::strerror(errno);
      host->kill_now();
      break;
    }
    if (n == 0) break;  // EOF: the process closed the pipe (it exited)
    buffer.append(chunk, static_cast<std::size_t>(n));
    try {
      while (std::optional<HostMessage> msg = take_message(buffer)) {
        if (auto* rep = std::get_if<RepetitionRun>(&*msg))
          repetitions.push_back(std::move(*rep));
        else if (auto* e = std::get_if<HostEnd>(&*msg))
          end = std::move(e->run);
        else
          interrupted_by = std::get<HostInterrupted>(*msg).signal;
      }
    } catch (const WireError& e) {
      problem = e.what();
      host->kill_now();
      break;
    }
  }
  const int status = host->reap();
  if (stop_requested()) throw Interrupted();
  if (interrupted_by != 0)
    return failed_run(request, "the measuring process was stopped by signal " + signal_text(interrupted_by) +
                                   " sent to it, not to ctxbench");
  if (!problem.empty()) return failed_run(request, problem);
  if (!end || !buffer.empty()) return failed_run(request, death_text(status));
  ProbeRun run = std::move(*end);
  run.placement = request.placement;
  run.timer_overhead_ns = request.timer_overhead_ns;
  if (run.status == RunStatus::Ok) run.repetitions = std::move(repetitions);
  return run;
}

int measuring_process_main(const std::vector<std::string>& args, const ProbeFinder& find) {
  // The mask this process was started with is "unpinned" for every probe: capture it first.
  (void)allowed_cpus();
  HostInvocation inv;
  try {
    inv = parse_host_arguments(args);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "ctxbench-probe: %s (it is started by ctxbench, not by hand)\n", e.what());
    return 2;
  }
  // Die with the owner, even when it is SIGKILLed; if it already died, no death signal will come.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (inv.owner > 0 && ::getppid() != inv.owner) return 1;
  // Forked partners must not keep the result pipe open, and an exec'd helper must not see it at all.
  UniqueFd out(::fcntl(inv.result_fd, F_DUPFD_CLOEXEC, 10));
  if (!out) {
    std::fprintf(stderr, "ctxbench-probe: --result-fd %d: %s\n", inv.result_fd, std::strerror(errno));
    return 2;
  }
  ::close(inv.result_fd);
  install_stop_handlers();
  set_second_stop_signal_exits(false);
  const HostRequest& request = inv.request;
  auto send = [&](const std::string& frame) {
    // The owner reads as it goes; a full pipe only waits. A signal meanwhile ends the probe (Interrupted).
    write_all(out.get(), frame.data(), frame.size());
  };
  try {
    ProbeRun run;
    std::unique_ptr<Probe> probe;
    try {
      probe = find(request.table, request.probe);
    } catch (const std::invalid_argument& e) {
      run.reason = std::string("ctxbench-probe: ") + e.what();
    }
    // After the lookup: the process as the probe finds it, the table it was built from included.
    const std::uint64_t start_rss = resident_kib();
    if (probe == nullptr) {
      run.status = RunStatus::Failed;
      if (run.reason.empty()) run.reason = "ctxbench-probe: no probe named " + request.probe + " in its registry";
    } else {
      run = run_probe(*probe, request.placement, request.settings, request.timer_overhead_ns,
                      [&](RepetitionRun&& rep) { send(encode_repetition(rep)); });
    }
    run.host_start_rss_kib = start_rss;
    run.host_peak_rss_kib = peak_resident_kib();
    send(encode_end(run));
    return 0;
  } catch (const Interrupted&) {
    try {
      send(encode_interrupted(stop_signal()));
    } catch (...) {
      // The owner is gone or stopping too: the exit status says the same.
    }
    return 128 + stop_signal();
  }
}

}  // namespace ctxbench
