// shm.pingpong: the floor under every hand-off — a cache line bounced between two cores by two
// spinning threads (c2clat's method). No system call, no context switch: cross-cpu only.
#include "engine/probe_util.hpp"
#include "probes/cache_line.hpp"
#include "probes/families.hpp"

namespace ctxbench {

static std::unique_ptr<Probe> make_shm_pingpong() {
  ProbeInfo info;
  info.measure = Measure::RoundTrip;
  info.name = "shm.pingpong";
  info.family = "shm";
  info.op =
      "one round trip of a cache line (alone in its 128-byte block) between two threads spinning on two CPUs: "
      "A stores an odd value, B sees it and stores the next even value, A sees that (std::atomic "
      "acquire/release; no system call, no context switch)";
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  info.where.skipped = {
      {PlacementKind::SameCpu, "a spinning partner on the same CPU only progresses at scheduler ticks; run cross-cpu"},
      {PlacementKind::Unpinned, "the scheduler may put both spinners on one CPU; run cross-cpu"},
  };
  info.expected_switches_per_op = 0;
  return std::make_unique<SimpleProbe>(std::move(info), [](const Placement& p) -> std::unique_ptr<Session> {
    return start_cache_line_pingpong(partner_cpu(p));
  });
}

void add_shm_probes(ProbeTable& table, const ProbeTableConfig&) { table.push_back(make_shm_pingpong()); }

}  // namespace ctxbench
