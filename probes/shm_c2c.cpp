// shm.c2c/cpu_a:I/cpu_b:J: the core-to-core matrix (c2clat's method) — one cache line bounced between
// two spinning threads pinned to CPUs I and J, for every pair of CPUs in the affinity mask. One probe
// per unordered pair: a round trip crosses both ways, so entry (I,J) is entry (J,I) and the diagonal
// (a spinner against itself) does not exist. Each pair gets one short repetition (<= ~20 ms) so the
// matrix of a large machine still takes minutes, not hours.
#include "engine/probe_util.hpp"
#include "probes/cache_line.hpp"
#include "probes/families.hpp"

namespace ctxbench {

// run_ops(n) does n round trips of the shared cache-line loop; the probe's inner_ops = 2 makes each
// sample one-way ns (half a round trip) without a derived record.
void add_shm_c2c_probes(ProbeTable& table, const ProbeTableConfig&) {
  const std::vector<int> cpus = allowed_cpus();
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    for (std::size_t j = i + 1; j < cpus.size(); ++j) {
      ProbeInfo info;
      info.measure = Measure::OneWay;
      info.name = "shm.c2c/cpu_a:" + std::to_string(cpus[i]) + "/cpu_b:" + std::to_string(cpus[j]);
      info.family = "shm";
      info.params = {{"cpu_a", std::to_string(cpus[i])}, {"cpu_b", std::to_string(cpus[j])}};
      info.op = "one one-way transfer of a cache line between CPU " + std::to_string(cpus[i]) + " and CPU " +
                std::to_string(cpus[j]) +
                " (one entry of the core-to-core matrix, c2clat's method): two threads pinned there spin on one "
                "128-byte-aligned std::atomic, A stores an odd value, B answers with the next even one; a "
                "sample is a batch of round trips timed on A / (2 x round trips): half a round trip. Symmetric: one "
                "round trip crosses both ways";
      info.where.kinds = {PlacementKind::CrossCpu};
      info.where.fixed_cpu_a = cpus[i];
      info.where.fixed_cpu_b = cpus[j];
      info.expected_switches_per_op = 0;
      info.inner_ops = 2;
      info.budget.max_repetitions = 1;
      info.budget.max_sample_budget_ns = 12'000'000;
      // The matrix is cheap on small machines (one pair here); a large one has it in "full" only.
      info.suites = cpus.size() <= 8 ? std::vector<std::string>{"default", "shm"} : std::vector<std::string>{"shm"};
      table.push_back(std::make_unique<SimpleProbe>(
          std::move(info),
          [](const Placement& p) -> std::unique_ptr<Session> { return start_cache_line_pingpong(partner_cpu(p)); }));
    }
  }
}

}  // namespace ctxbench
