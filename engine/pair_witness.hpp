// How near a record's two CPUs were while it ran (docs/METHODOLOGY.md, "The two CPUs' distance, per record";
// docs/contracts.md, `placement.pair_round_trip_ns`). On a VM the host may run the two vCPUs close together
// for seconds at a time, which moves every cross-CPU figure, and the guest cannot see it: a cache-line round
// trip between the two CPUs can. The runner takes one reading right before a record's timed repetitions and
// one right after them, with threads of its own, outside every timed sample.
#pragma once

#include <string>

#include "engine/probe.hpp"

namespace ctxbench {

// One reading: ns per round trip, NaN when it could not be taken (then why_not says why).
struct PairReading {
  double ns;
  std::string why_not;
};

// The probe in this placement pins its tasks to two different CPUs, so the runner reads the pair: cross-cpu
// with cpu_a != cpu_b, and not a probe whose partner side spreads over the mask (where.cross_cpu_or_shared).
bool has_pinned_pair(const ProbeInfo& info, const Placement& placement);

// The median over 10 batches of 100 round trips of one 128-byte-aligned std::atomic between two threads of
// its own pinned on cpu_a and cpu_b (A stores an odd value, B answers with the next even one), ns per round
// trip. Both threads are joined before it returns, on every path; it never throws and never fails the record:
// pinning refused, a CPU that does not answer within 100 ms, or a stop or deadline (interrupt_pending) give
// NaN and the reason.
PairReading read_pair_round_trip(int cpu_a, int cpu_b) noexcept;

}  // namespace ctxbench
