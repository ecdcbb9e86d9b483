// wakeup.timer[.fifo]: timer wake-up latency the way cyclictest measures it — sleep with
// clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) to the next tick of a fixed period, read the clock on
// waking, and record how late the wake-up was. Every wake-up is a sample (self-timed), so p99 and max
// are the tail of single wake-ups, not of batch means.
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

constexpr std::uint64_t kPeriodNs = 500'000;  // cyclictest's default is 1000 us; half gives more samples

class TimerWakeup final : public Session {
 public:
  explicit TimerWakeup(bool fifo) : fifo_(fifo), caller_(this_task()) {
    // Re-read on every session: a FIFO session must leave the runner thread as it found it.
    if (fifo) {
      old_policy_ = ::sched_getscheduler(0);
      ::sched_getparam(0, &old_param_);
      sched_param sp{};
      sp.sched_priority = 80;  // cyclictest -p 80, the usual choice
      if (::sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
        throw ProbeSkip(std::string("SCHED_FIFO not permitted here (") + std::strerror(errno) +
                        "; needs CAP_SYS_NICE or an RLIMIT_RTPRIO >= 80)");
    }
    next_ = now_ns() + kPeriodNs;
  }
  ~TimerWakeup() override {
    if (fifo_ && old_policy_ >= 0) ::sched_setscheduler(0, old_policy_, &old_param_);
  }
  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    for (std::uint64_t i = 0; i < n; ++i) {
      // After a long pause between batches, restart the period from now rather than firing at once.
      const std::uint64_t now = now_ns();
      if (next_ <= now) next_ = now + kPeriodNs;
      const timespec ts{static_cast<time_t>(next_ / 1'000'000'000), static_cast<long>(next_ % 1'000'000'000)};
      for (;;) {
        const int rc = ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
        if (rc == 0) break;
        if (rc != EINTR) throw ProbeError(std::string("clock_nanosleep: ") + std::strerror(rc));
        throw_if_stopped();
      }
      own_.push_back(static_cast<double>(now_ns() - next_));
      next_ += kPeriodNs;
    }
  }
  std::vector<TaskId> tasks() const override { return {caller_}; }
  std::vector<double>* own_samples() override { return &own_; }

 private:
  bool fifo_;
  TaskId caller_;
  std::uint64_t next_ = 0;
  std::vector<double> own_;
  sched_param old_param_{};
  int old_policy_ = -1;
};

}  // namespace

void add_wakeup_probes(ProbeTable& table, const ProbeTableConfig&) {
  for (bool fifo : {false, true}) {
    ProbeInfo info;
    info.measure = Measure::Lateness;
    info.name = fifo ? "wakeup.timer.fifo" : "wakeup.timer";
    info.family = "wakeup";
    info.op = std::string(
                  "one timer wake-up (cyclictest's method): clock_nanosleep(CLOCK_MONOTONIC, "
                  "TIMER_ABSTIME) to the next 500 us tick, then the lateness = the clock read on waking "
                  "minus the tick; one sample per wake-up, ") +
              (fifo ? "under SCHED_FIFO priority 80 (cyclictest -p 80; real-time tasks get no timer slack)"
                    : "under SCHED_OTHER, so the lateness includes the task's timer slack (" +
                          std::to_string(::prctl(PR_GET_TIMERSLACK)) + " ns at start-up, PR_GET_TIMERSLACK)") +
              "; one task, unpinned";
    info.where.kinds = {PlacementKind::None};
    info.explainable = true;  // the lateness window [tick, clock read] is split, not the run_ops(1) window
    info.explain_model = ProbeInfo::ExplainModel::TimerWakeup;
    info.expected_switches_per_op = 1;  // the sleeper's own voluntary switch, once per sleep
    info.suites = fifo ? std::vector<std::string>{"wakeup"} : std::vector<std::string>{"default", "wakeup"};
    table.push_back(std::make_unique<SimpleProbe>(
        std::move(info),
        [fifo](const Placement&) -> std::unique_ptr<Session> { return std::make_unique<TimerWakeup>(fifo); }));
  }
}

}  // namespace ctxbench
