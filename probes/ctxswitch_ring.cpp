// ctxswitch.ring/tasks:N: a token passed round a ring of N processes through N pipes (lmbench lat_ctx's
// ring), N = 2 ... 64. One op is one hop; with all N on one CPU every hop is a context switch, and as N
// grows each switch finds less of its task's state in the caches and the scheduler has more to pick from.
// ctxswitch.yield.{thread,process}: two tasks on one CPU calling sched_yield in turn — the switch with no
// IPC at all — under SCHED_OTHER and, when permitted, SCHED_FIFO (where yield strictly alternates).
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/byte_relay.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

class TokenRing final : public Session {
 public:
  // Task 0 is the caller; pipe i carries the token from task i to task i+1 (mod N).
  TokenRing(int tasks, int cpu) : caller_(this_task()) {
    std::vector<Pipe> pipes;
    for (int i = 0; i < tasks; ++i) pipes.push_back(make_pipe());
    std::vector<int> all_fds;
    for (const Pipe& p : pipes) {
      all_fds.push_back(p.read_end.get());
      all_fds.push_back(p.write_end.get());
    }
    for (int i = 1; i < tasks; ++i) {
      const int in = pipes[i - 1].read_end.get(), out = pipes[i].write_end.get();
      // Each member keeps only its two ends: a dead neighbour must show up as EOF/EPIPE.
      members_.push_back(Partner::process(
          cpu, [in, out] { return relay_bytes(in, out); },
          [in, out, all_fds] {
            for (int fd : all_fds)
              if (fd != in && fd != out) ::close(fd);
          }));
    }
    write_ = std::move(pipes[0].write_end);
    read_ = std::move(pipes[tasks - 1].read_end);
    // pipes' other ends close here: the parent holds only its two.
  }
  ~TokenRing() override {
    write_.reset();  // EOF travels round the ring
    for (Partner& m : members_) m.stop();
  }
  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    for (std::uint64_t i = 0; i < n; ++i) byte_round_trip(write_.get(), read_.get());  // one lap
    guard.done();
  }
  std::vector<TaskId> tasks() const override {
    std::vector<TaskId> t = {caller_};
    for (const Partner& m : members_) t.push_back(m.task());
    return t;
  }

 private:
  TaskId caller_;
  std::vector<Partner> members_;
  UniqueFd write_, read_;
  bool broken_ = false;
};

// ---------------------------------------------------------------- sched_yield

struct YieldBlock {
  alignas(64) std::atomic<std::uint32_t> stop{0};
  alignas(64) std::atomic<std::uint32_t> ready{0};
};

bool set_fifo(int priority) noexcept {
  sched_param sp{};
  sp.sched_priority = priority;
  return ::sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
}

int yield_partner(YieldBlock* b, bool fifo) noexcept {
  if (fifo && !set_fifo(1)) return 1;
  b->ready.store(1, std::memory_order_release);
  while (b->stop.load(std::memory_order_relaxed) == 0) ::sched_yield();
  return 0;
}

class YieldSession final : public Session {
 public:
  YieldSession(bool process, bool fifo, int cpu)
      : fifo_(fifo), mapping_(sizeof(YieldBlock)), block_(new (mapping_.get()) YieldBlock), caller_(this_task()) {
    if (fifo) {
      ::sched_getparam(0, &old_param_);
      old_policy_ = ::sched_getscheduler(0);
      if (!set_fifo(1))
        throw ProbeSkip(std::string("SCHED_FIFO not permitted here (") + std::strerror(errno) +
                        "; needs CAP_SYS_NICE or an RLIMIT_RTPRIO >= 1)");
    }
    YieldBlock* b = block_;
    try {
      partner_ = Partner::start(
          process, cpu, [b, fifo] { return yield_partner(b, fifo); },
          [b] { b->stop.store(1, std::memory_order_relaxed); });
      // The partner must be running (and FIFO) before a yield means "switch to it".
      const std::uint64_t deadline = now_ns() + 2'000'000'000;
      while (block_->ready.load(std::memory_order_acquire) == 0) {
        if (now_ns() > deadline || partner_.exited())
          throw ProbeError("sched_yield partner did not start (SCHED_FIFO refused in the partner?)");
        ::sched_yield();
      }
    } catch (...) {
      shut_down();
      throw;
    }
  }
  ~YieldSession() override { shut_down(); }
  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    for (std::uint64_t i = 0; i < n; ++i) ::sched_yield();
    if (partner_.exited()) throw ProbeError("partner exited");
  }
  std::vector<TaskId> tasks() const override { return {caller_, partner_.task()}; }

 private:
  void shut_down() noexcept {
    block_->stop.store(1, std::memory_order_relaxed);
    partner_.stop();
    if (fifo_ && old_policy_ >= 0) ::sched_setscheduler(0, old_policy_, &old_param_);
  }
  bool fifo_;
  SharedMapping mapping_;
  YieldBlock* block_;
  TaskId caller_;
  Partner partner_;
  sched_param old_param_{};
  int old_policy_ = -1;
};

}  // namespace

void add_ctxswitch_ring_probes(ProbeTable& table, const ProbeTableConfig&) {
  for (int n : {2, 4, 8, 16, 32, 64}) {
    ProbeInfo info;
    info.measure = Measure::OneWay;  // one hop: a hand-off to the next task
    info.name = "ctxswitch.ring/tasks:" + std::to_string(n);
    info.explainable = true;
    info.family = "ctxswitch";
    info.params = {{"tasks", std::to_string(n)}};
    info.op = "one hop of a token (1 B) round a ring of " + std::to_string(n) +
              " processes joined by pipes (lmbench lat_ctx): a task reads it and writes it to the next; "
              "a sample is whole laps timed by task 0 / " +
              std::to_string(n) + " hops (each hop a context switch when all share one CPU)";
    info.where.kinds = {PlacementKind::SameCpu, PlacementKind::Unpinned};
    info.expected_switches_per_op = 1;
    info.inner_ops = static_cast<std::uint64_t>(n);
    // 64 tasks take ~5 s (63 forks and reaps per repetition): default has 2 and 16.
    info.suites =
        (n == 2 || n == 16) ? std::vector<std::string>{"default", "ctxswitch"} : std::vector<std::string>{"ctxswitch"};
    table.push_back(std::make_unique<SimpleProbe>(std::move(info), [n](const Placement& p) -> std::unique_ptr<Session> {
      return std::make_unique<TokenRing>(n, partner_cpu(p));
    }));
  }
  for (bool fifo : {false, true}) {
    for (bool process : {false, true}) {
      ProbeInfo info;
      info.measure = Measure::RoundTrip;  // A yields, B runs and yields back
      info.name = std::string("ctxswitch.yield.") + (process ? "process" : "thread") + (fifo ? ".fifo" : "");
      info.explainable = true;
      info.family = "ctxswitch";
      info.op = std::string("one sched_yield() by A that returns after ") +
                (process ? "its partner process" : "its partner thread") +
                " (spinning on sched_yield on the same CPU) ran: 2 context switches with no IPC, under " +
                (fifo ? "SCHED_FIFO priority 1 (both tasks; yield hands the CPU to the other strictly)"
                      : "SCHED_OTHER (CFS may let the yielder run on)");
      info.where.kinds = {PlacementKind::SameCpu};
      info.expected_switches_per_op = 2;
      info.suites = (!fifo && !process) ? std::vector<std::string>{"default", "ctxswitch"}
                                        : std::vector<std::string>{"ctxswitch"};
      table.push_back(std::make_unique<SimpleProbe>(
          std::move(info), [process, fifo](const Placement& p) -> std::unique_ptr<Session> {
            return std::make_unique<YieldSession>(process, fifo, partner_cpu(p));
          }));
    }
  }
}

}  // namespace ctxbench
