// Small building blocks shared by the probe families: a Probe made of a ProbeInfo and a start
// function, placement checks, and a Session for one-task probes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "engine/os.hpp"
#include "engine/probe.hpp"
#include "engine/watchdog.hpp"

namespace ctxbench {

// A Probe is only a description plus a factory; families build them with this instead of one class each.
class SimpleProbe final : public Probe {
 public:
  using Starter = std::function<std::unique_ptr<Session>(const Placement&)>;
  SimpleProbe(ProbeInfo info, Starter start) : info_(std::move(info)), start_(std::move(start)) {}
  const ProbeInfo& info() const override { return info_; }
  // Refuses placements the probe does not list (ProbeError) or lists as skipped (ProbeSkip + reason).
  std::unique_ptr<Session> start(const Placement& placement) const override;

 private:
  ProbeInfo info_;
  Starter start_;
};

// The CPU the session pins its partner to: cpu_b for SameCpu/CrossCpu (the runner already pinned the
// caller to cpu_a), -1 (leave it to the scheduler) for Unpinned/None.
int partner_cpu(const Placement& placement);

// Creation probes (process.*, thread.*) run same-cpu (the creator pinned to cpu_a; what it creates
// inherits the mask, so creator and created share one CPU) and unpinned: creation cost depends on
// placement by about 2x, so both are figures of their own.
inline const std::vector<PlacementKind> kCreationPlacements = {PlacementKind::SameCpu, PlacementKind::Unpinned};

// The calling thread as a TaskId (the task that runs run_ops()).
TaskId this_task();

// A Session for one-task probes: run_ops(n) calls op() n times on the calling thread. The stop flag is
// checked once per call so the op loop itself stays bare (a clock read costs ~20 ns).
// SpawnsThreads: the ops create threads, so SIGINT/SIGTERM are blocked for each batch (two sigprocmask
// calls per batch of >= 50 us, never per op) and every created thread inherits a mask that keeps stop
// signals on the calling thread (see StopSignalsBlocked).
template <class Op, bool SpawnsThreads = false>
class LoopSession final : public Session {
 public:
  explicit LoopSession(Op op) : op_(std::move(op)), caller_(this_task()) {}
  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    if constexpr (SpawnsThreads) {
      {
        const StopSignalsBlocked blocked;
        for (std::uint64_t i = 0; i < n; ++i) op_();
      }
      throw_if_stopped();  // a signal that was pending is handled now
    } else {
      for (std::uint64_t i = 0; i < n; ++i) op_();
    }
  }
  std::vector<TaskId> tasks() const override { return {caller_}; }

 private:
  Op op_;
  TaskId caller_;
};

template <class Op>
std::unique_ptr<Session> make_loop_session(Op op) {
  return std::make_unique<LoopSession<Op>>(std::move(op));
}

template <class Op>
std::unique_ptr<Session> make_thread_spawning_loop_session(Op op) {
  return std::make_unique<LoopSession<Op, true>>(std::move(op));
}

// Marks a two-task session as unusable while run_ops() is inside an op: an op that threw (partner died,
// Interrupted) leaves the hand-off protocol half done, and timing more ops after that would be wrong.
class OpGuard {
 public:
  explicit OpGuard(bool& broken);
  void done() { broken_ = false; }

 private:
  bool& broken_;
};

}  // namespace ctxbench
