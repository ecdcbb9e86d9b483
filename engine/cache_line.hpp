// One cache line bounced between two threads (c2clat's method): what the shm.pingpong and shm.c2c probes
// time (probes/cache_line.cpp) and what the runner reads around a record pinned to two CPUs
// (engine/pair_witness.cpp). The timing side stores an odd value and waits for the answer; how it waits,
// and what it does when no answer comes, is each caller's.
#pragma once

#include <atomic>
#include <cstdint>

namespace ctxbench {

// The bounced line and the stop flag on different lines (128 bytes apart: some CPUs prefetch line pairs), so
// the answering side's stop check does not disturb the measured transfer.
struct alignas(128) CacheLinePair {
  alignas(128) std::atomic<std::uint64_t> value{0};  // the timing side stores odd values, the answer the next even
  alignas(128) std::atomic<bool> stop{false};
};

// The answering side: every odd value v is answered with v + 1, until stop.
inline void answer_odd_values(CacheLinePair& l) noexcept {
  for (;;) {
    const std::uint64_t v = l.value.load(std::memory_order_acquire);
    if (v & 1) {
      l.value.store(v + 1, std::memory_order_release);
      continue;
    }
    if (l.stop.load(std::memory_order_relaxed)) return;
  }
}

}  // namespace ctxbench
