// shm.pingpong: the floor under every hand-off — a cache line bounced between two cores by two
// spinning threads (c2clat's method). No system call, no context switch: cross-cpu only.
#include <new>

#include "probes/families.hpp"
#include "probes/probe_util.hpp"

namespace ctxbench {

namespace {

// The caller checks the stop flag and the clock once per this many spins: rare enough to stay out of
// the measured line transfer, often enough (~µs) to react at once.
constexpr std::uint64_t kSpinsPerCheck = 4096;
// A partner that has not answered for this long is not running (starved by another task on its CPU).
constexpr std::uint64_t kStarvedNs = 2'000'000'000;

// The bounced line and the stop flag on different lines (128 bytes apart: some CPUs prefetch line
// pairs), so teardown polling does not disturb the measured transfer.
struct alignas(128) PingPongLines {
  alignas(128) std::atomic<std::uint64_t> value{0};  // A stores odd values, B the following even ones
  alignas(128) std::atomic<bool> stop{false};
};

// The partner B: answer every odd value v with v + 1, until stop.
void shm_partner(PingPongLines* l) noexcept {
  for (;;) {
    std::uint64_t v = l->value.load(std::memory_order_acquire);
    if (v & 1) {
      l->value.store(v + 1, std::memory_order_release);
      continue;
    }
    if (l->stop.load(std::memory_order_relaxed)) return;
  }
}

class ShmPingPong final : public Session {
 public:
  explicit ShmPingPong(int cpu) : lines_(std::make_unique<PingPongLines>()), caller_(this_task()) {
    PingPongLines* l = lines_.get();
    partner_thread_ =
        PartnerThread([l] { shm_partner(l); }, [l] { l->stop.store(true, std::memory_order_relaxed); }, cpu);
    partner_ = TaskId{getpid(), partner_thread_.tid()};
  }
  ~ShmPingPong() override { partner_thread_.stop_and_join(); }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    std::atomic<std::uint64_t>& value = lines_->value;
    std::uint64_t v = next_;
    for (std::uint64_t i = 0; i < n; ++i) {
      value.store(v + 1, std::memory_order_release);
      const std::uint64_t want = v + 2;
      std::uint64_t spins = 0, since = 0;
      while (value.load(std::memory_order_acquire) != want) {
        if (++spins % kSpinsPerCheck != 0) continue;
        throw_if_stopped();
        const std::uint64_t t = now_ns();
        if (since == 0) {
          since = t;
        } else if (t - since > kStarvedNs) {
          throw ProbeError("partner starved: no answer for 2 s (is its CPU busy with another task?)");
        }
      }
      v = want;
    }
    next_ = v;
    guard.done();
  }

  std::vector<TaskId> tasks() const override { return {caller_, partner_}; }

 private:
  std::unique_ptr<PingPongLines> lines_;
  TaskId caller_, partner_;
  PartnerThread partner_thread_;
  std::uint64_t next_ = 0;  // even: the value B last stored
  bool broken_ = false;
};

}  // namespace

std::unique_ptr<Probe> make_shm_pingpong() {
  ProbeInfo info;
  info.name = "shm.pingpong";
  info.family = "shm";
  info.op =
      "one round trip of a 64-byte-aligned cache line between two threads spinning on two CPUs: "
      "A stores an odd value, B sees it and stores the next even value, A sees that (std::atomic "
      "acquire/release; no system call, no context switch)";
  info.placements = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  info.skipped_placements = {
      {PlacementKind::SameCpu,
       "a spinning partner on the same CPU only progresses at scheduler ticks; run cross-cpu"},
      {PlacementKind::Unpinned, "the scheduler may put both spinners on one CPU; run cross-cpu"},
  };
  info.expected_switches_per_op = 0;
  return std::make_unique<SimpleProbe>(std::move(info), [](const Placement& p) -> std::unique_ptr<Session> {
    return std::make_unique<ShmPingPong>(partner_cpu(p));
  });
}

}  // namespace ctxbench
