// The wake-up latency of every waiter of one round of the futex contention probes (probes/futex_contention.cpp),
// kept apart as plain arithmetic so a test can check it on literal stamps (tests/futex_contention_test.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ctxbench {

struct WakeRoundLatency {
  double sum_ns = 0;  // over every waiter of the round
  double max_ns = 0;  // the last waiter to run
};

// issued[k]: when the wake call that released the k-th released waiter began (ascending; one entry per waiter
// that call released, so a wake-all call appears N times). ran: when each waiter was running again, in any
// order. The kernel does not say which waiter a call released, so the k-th waiter to run is paired with the
// k-th release: whichever k+1 waiters ran first, one of them was released by a call at or after issued[k], so a
// latency is never negative. A waiter beyond the releases counted (one that found the round over before it
// slept) is paired with the last release.
inline WakeRoundLatency waiter_latencies(const std::vector<std::uint64_t>& issued, std::vector<std::uint64_t> ran) {
  WakeRoundLatency out;
  if (issued.empty()) return out;
  std::sort(ran.begin(), ran.end());
  for (std::size_t k = 0; k < ran.size(); ++k) {
    const std::uint64_t from = issued[std::min(k, issued.size() - 1)];
    const double ns = ran[k] > from ? static_cast<double>(ran[k] - from) : 0.0;
    out.sum_ns += ns;
    out.max_ns = std::max(out.max_ns, ns);
  }
  return out;
}

}  // namespace ctxbench
