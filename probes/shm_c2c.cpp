// shm.c2c/cpu_a:I/cpu_b:J: the core-to-core matrix (c2clat's method) — one cache line bounced between
// two spinning threads pinned to CPUs I and J, for every pair of CPUs in the affinity mask. One probe
// per unordered pair: a round trip crosses both ways, so entry (I,J) is entry (J,I) and the diagonal
// (a spinner against itself) does not exist. Each pair gets one short repetition (<= ~20 ms) so the
// matrix of a large machine still takes minutes, not hours.
#include <new>

#include "probes/families.hpp"
#include "probes/probe_util.hpp"

namespace ctxbench {

namespace {

constexpr std::uint64_t kSpinsPerCheck = 4096;
constexpr std::uint64_t kStarvedNs = 2'000'000'000;

struct alignas(128) C2cLines {
  alignas(128) std::atomic<std::uint64_t> value{0};  // A stores odd values, B the following even ones
  alignas(128) std::atomic<bool> stop{false};
};

void c2c_partner(C2cLines* l) noexcept {
  for (;;) {
    const std::uint64_t v = l->value.load(std::memory_order_acquire);
    if (v & 1) {
      l->value.store(v + 1, std::memory_order_release);
      continue;
    }
    if (l->stop.load(std::memory_order_relaxed)) return;
  }
}

// run_ops(n) does n round trips; the probe's inner_ops = 2 makes each sample one-way ns (half a round
// trip) without a derived record.
class C2cSession final : public Session {
 public:
  explicit C2cSession(int cpu) : lines_(std::make_unique<C2cLines>()), caller_(this_task()) {
    C2cLines* l = lines_.get();
    thread_ = PartnerThread([l] { c2c_partner(l); }, [l] { l->stop.store(true, std::memory_order_relaxed); }, cpu);
    partner_ = TaskId{getpid(), thread_.tid()};
  }
  ~C2cSession() override { thread_.stop_and_join(); }

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
  std::unique_ptr<C2cLines> lines_;
  TaskId caller_, partner_;
  PartnerThread thread_;
  std::uint64_t next_ = 0;  // even: the value B last stored
  bool broken_ = false;
};

}  // namespace

void add_shm_c2c_probes(std::vector<std::unique_ptr<Probe>>& table) {
  const std::vector<int> cpus = allowed_cpus();
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    for (std::size_t j = i + 1; j < cpus.size(); ++j) {
      ProbeInfo info;
      info.name = "shm.c2c/cpu_a:" + std::to_string(cpus[i]) + "/cpu_b:" + std::to_string(cpus[j]);
      info.family = "shm";
      info.params = {{"cpu_a", std::to_string(cpus[i])}, {"cpu_b", std::to_string(cpus[j])}};
      info.op =
          "one one-way transfer of a cache line between CPU " + std::to_string(cpus[i]) + " and CPU " +
          std::to_string(cpus[j]) +
          " (one entry of the core-to-core matrix, c2clat's method): two threads pinned there spin on one "
          "128-byte-aligned std::atomic, A stores an odd value, B answers with the next even one; a "
          "sample is a batch of round trips timed on A / (2 x round trips): half a round trip. Symmetric: one "
          "round trip crosses both ways";
      info.placements = {PlacementKind::CrossCpu};
      info.fixed_cpu_a = cpus[i];
      info.fixed_cpu_b = cpus[j];
      info.expected_switches_per_op = 0;
      info.inner_ops = 2;
      info.max_repetitions = 1;
      info.max_sample_budget_ns = 12'000'000;
      // The matrix is cheap on small machines (one pair here); a large one has it in "full" only.
      info.suites = cpus.size() <= 8 ? std::vector<std::string>{"default", "shm"} : std::vector<std::string>{"shm"};
      table.push_back(std::make_unique<SimpleProbe>(std::move(info), [](const Placement& p) -> std::unique_ptr<Session> {
        return std::make_unique<C2cSession>(partner_cpu(p));
      }));
    }
  }
}

}  // namespace ctxbench
