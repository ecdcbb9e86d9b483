// The second task of a two-task probe, process or thread, with ONE body for both (the model is perf
// bench sched pipe's worker): the probe writes its partner once and gets both versions, so the only
// difference measured is process vs thread.
//
// A Partner owns its task by the rules of os.hpp: a process is a Child (PR_SET_PDEATHSIG, SIGKILLed and
// reaped by stop()), a thread a PartnerThread (created with every signal blocked, on_stop + join by
// stop()). stop() and the destructor never throw.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "engine/os.hpp"
#include "engine/probe.hpp"

namespace ctxbench {

class Partner {
 public:
  Partner() = default;
  // Starts `body` as a forked child (`process`) or a thread, pinned to `cpu` when >= 0.
  //   body      the partner's work; its value is a process's exit code. Raw syscalls, no exceptions:
  //             it may run in a forked child.
  //   on_stop   threads: makes `body` return promptly (close the fd it reads, set its stop word and
  //             wake it).
  //   in_child  processes: runs in the child before `body`, to drop the caller's copies of shared
  //             ends (else a dead caller or partner never turns into EOF/EPIPE for the other).
  // For a process the caller keeps no copy of the closures, so whatever they alone hold (the
  // partner's pipe ends) is the child's only once start() returns.
  static Partner start(bool process, int cpu, std::function<int()> body, std::function<void()> on_stop,
                       std::function<void()> in_child = {});
  // The usual `in_child`: close the caller's ends of the pipes or sockets the two share.
  static std::function<void()> closing(std::vector<int> caller_fds);
  // A process partner: stop() SIGKILLs it, so it needs no on_stop.
  static Partner process(int cpu, std::function<int()> body, std::function<void()> in_child = {}) {
    return start(true, cpu, std::move(body), {}, std::move(in_child));
  }

  bool is_process() const { return child_.pid() > 0; }
  TaskId task() const;
  // A process that has exited (reaped now); always false for a thread, whose failure its body reports
  // through the session's own fds or flags.
  bool exited() noexcept { return is_process() && child_.exited(); }
  // A process's wait status once exited() saw it go (0 before, and for a thread).
  int status() const { return child_.status(); }
  // Thread: on_stop and join. Process: SIGKILL and reap (bounded, where waiting for it to notice
  // would not be).
  void stop() noexcept;

 private:
  Child child_;
  PartnerThread thread_;
};

}  // namespace ctxbench
