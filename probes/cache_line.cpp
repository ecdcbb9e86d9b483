#include "probes/cache_line.hpp"

#include <atomic>
#include <cstdint>

#include "engine/cache_line.hpp"
#include "engine/os.hpp"
#include "engine/partner.hpp"
#include "engine/probe_util.hpp"

namespace ctxbench {

namespace {

// The caller checks the stop flag and the clock once per this many spins: rare enough to stay out of
// the measured line transfer, often enough (~µs) to react at once.
constexpr std::uint64_t kSpinsPerCheck = 4096;
// A partner that has not answered for this long is not running (starved by another task on its CPU).
constexpr std::uint64_t kStarvedNs = 2'000'000'000;

class CacheLinePingPong final : public Session {
 public:
  explicit CacheLinePingPong(int cpu) : lines_(std::make_unique<CacheLinePair>()), caller_(this_task()) {
    CacheLinePair* l = lines_.get();
    partner_ = Partner::start(
        false, cpu,
        [l] {
          answer_odd_values(*l);
          return 0;
        },
        [l] { l->stop.store(true, std::memory_order_relaxed); });
  }
  ~CacheLinePingPong() override { partner_.stop(); }

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

  std::vector<TaskId> tasks() const override { return {caller_, partner_.task()}; }

 private:
  std::unique_ptr<CacheLinePair> lines_;
  TaskId caller_;
  Partner partner_;
  std::uint64_t next_ = 0;  // even: the value B last stored
  bool broken_ = false;
};

}  // namespace

std::unique_ptr<Session> start_cache_line_pingpong(int partner_cpu) {
  return std::make_unique<CacheLinePingPong>(partner_cpu);
}

}  // namespace ctxbench
