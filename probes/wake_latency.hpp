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

// One waker thread's part of a round of ctxswitch.futex_wake_parallel: its FUTEX_WAKE call's start and end and
// how many waiters that call released.
struct WakerCall {
  std::uint64_t start_ns = 0, end_ns = 0;
  std::uint64_t woken = 0;
};

// The releases of a round whose wakes several waker threads made at once, as waiter_latencies takes them: each
// call's start once per waiter it released, ascending.
inline std::vector<std::uint64_t> parallel_releases(const std::vector<WakerCall>& calls) {
  std::vector<std::uint64_t> out;
  for (const WakerCall& c : calls) out.insert(out.end(), static_cast<std::size_t>(c.woken), c.start_ns);
  std::sort(out.begin(), out.end());
  return out;
}

// The round's value: the mean over the waker threads of each one's time inside its call, what perf bench futex
// wake-parallel prints as "Avg per-thread latency". 0 without a call.
inline double mean_waker_call_ns(const std::vector<WakerCall>& calls) {
  if (calls.empty()) return 0;
  double sum = 0;
  for (const WakerCall& c : calls) sum += c.end_ns > c.start_ns ? static_cast<double>(c.end_ns - c.start_ns) : 0.0;
  return sum / static_cast<double>(calls.size());
}

// The earliest call's start: a round of parallel wakes runs from there to its last waiter running.
inline std::uint64_t first_call_ns(const std::vector<WakerCall>& calls) {
  std::uint64_t first = 0;
  for (const WakerCall& c : calls)
    if (first == 0 || c.start_ns < first) first = c.start_ns;
  return first;
}

}  // namespace ctxbench
