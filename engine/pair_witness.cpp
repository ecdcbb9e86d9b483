#include "engine/pair_witness.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>

#include "engine/cache_line.hpp"
#include "engine/os.hpp"
#include "engine/watchdog.hpp"

namespace ctxbench {

namespace {

constexpr std::size_t kBatches = 10;
constexpr std::uint64_t kRoundTripsPerBatch = 100;
// Untimed round trips first: both threads spinning and the line in play before the first batch.
constexpr std::uint64_t kWarmupRoundTrips = 100;
// A reading takes ~0.5 ms here (docs/METHODOLOGY.md); one still waiting after this long is given up: the other
// CPU is busy with another task, and the record must not pay for it.
constexpr std::uint64_t kGiveUpNs = 100'000'000;
// The waiting side checks the clock and the stop flag once per this many spins, not inside a round trip's
// line transfer.
constexpr std::uint64_t kSpinsPerCheck = 1024;

constexpr double kNoReading = std::numeric_limits<double>::quiet_NaN();

// `n` round trips from the even value `v` (advanced); false, with the reason, when the answer did not come by
// `give_up` or a stop or the probe's deadline came first.
bool round_trips(CacheLinePair& l, std::uint64_t& v, std::uint64_t n, std::uint64_t give_up, std::string& why_not) {
  for (std::uint64_t i = 0; i < n; ++i) {
    l.value.store(v + 1, std::memory_order_release);
    const std::uint64_t want = v + 2;
    std::uint64_t spins = 0;
    while (l.value.load(std::memory_order_acquire) != want) {
      if (++spins % kSpinsPerCheck != 0) continue;
      if (interrupt_pending()) {
        why_not = "a stop signal or the probe's --timeout came first";
        return false;
      }
      if (now_ns() > give_up) {
        why_not = "the second CPU did not answer within 100 ms (busy with another task?)";
        return false;
      }
    }
    v = want;
  }
  return true;
}

// The thread on cpu_a: warm-up, then kBatches timed batches; the median batch in ns per round trip.
PairReading time_round_trips(CacheLinePair& l) {
  const std::uint64_t give_up = now_ns() + kGiveUpNs;
  std::uint64_t v = 0;
  PairReading out{kNoReading, ""};
  if (!round_trips(l, v, kWarmupRoundTrips, give_up, out.why_not)) return out;
  std::array<double, kBatches> batches{};
  for (double& batch : batches) {
    const std::uint64_t start = now_ns();
    if (!round_trips(l, v, kRoundTripsPerBatch, give_up, out.why_not)) return out;
    const std::uint64_t end = now_ns();
    batch = static_cast<double>(end - start) / static_cast<double>(kRoundTripsPerBatch);
  }
  std::sort(batches.begin(), batches.end());
  out.ns = (batches[kBatches / 2 - 1] + batches[kBatches / 2]) / 2;
  return out;
}

}  // namespace

bool has_pinned_pair(const ProbeInfo& info, const Placement& placement) {
  return placement.kind == PlacementKind::CrossCpu && placement.cpu_a >= 0 && placement.cpu_b >= 0 &&
         placement.cpu_a != placement.cpu_b && !info.where.cross_cpu_or_shared;
}

PairReading read_pair_round_trip(int cpu_a, int cpu_b) noexcept {
  PairReading out{kNoReading, ""};
  try {
    const auto lines = std::make_unique<CacheLinePair>();
    CacheLinePair* l = lines.get();
    // The answering thread first, so the timing one finds it spinning; PartnerThread pins each (ProbeSkip
    // when it cannot) and joins it in its destructor, after on_stop.
    PartnerThread answering([l] { answer_odd_values(*l); }, [l] { l->stop.store(true, std::memory_order_relaxed); },
                            cpu_b);
    // No on_stop: the timing thread ends by itself (kGiveUpNs at the latest), and its destructor joins it.
    PartnerThread timing([l, &out] { out = time_round_trips(*l); }, {}, cpu_a);
    timing.stop_and_join();
  } catch (const ProbeSkip& e) {
    out = {kNoReading, std::string("cannot pin: ") + e.what()};
  } catch (const std::exception& e) {
    out = {kNoReading, e.what()};
  } catch (...) {
    out = {kNoReading, "unknown error"};
  }
  return out;
}

}  // namespace ctxbench
