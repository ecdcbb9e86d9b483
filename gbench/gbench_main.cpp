// ctxbench-gbench: every probe of the registry, in every placement ctxbench would run, registered with the
// Google Benchmark library, for pipelines built on it. No probe code of its own and no timing rules of its
// own: it starts the registry's Sessions, calibrates batches with the runner, and reports the time per op
// as manual time, with the runner's definition of an op.
//
//   ./build/ctxbench-gbench --benchmark_filter=pipe --benchmark_repetitions=5 --benchmark_out=gb.json
//
// ctxbench's own runner (samples, switch counts, noise warnings) remains the reference; this executable
// gives Google Benchmark's statistics over the same operations.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/os.hpp"
#include "engine/probe.hpp"
#include "engine/runner.hpp"
#include "src/options.hpp"
#include "src/plan.hpp"

namespace {

using namespace ctxbench;

// One op means what it means in ctxbench: the runner's batch calibration and pinning, inner_ops (a lap of
// a ring is N hops, a cache-line round trip two one-way transfers), and a self-timed session's own values
// (one-way latency, wake-up lateness) instead of the batch's clock. Google Benchmark then reports the mean
// per op where ctxbench reports the median of its samples.
//
// Google Benchmark runs a benchmark several times (its iteration estimate, then each repetition) and
// requires every repetition to end on the same iteration count; KeepRunningBatch ends on a multiple of the
// batch, so the batch is calibrated once per benchmark (`memo`) and reused, after a warm-up, by later runs.
void run_planned(benchmark::State& state, const Probe* probe, Placement placement, double timer_overhead_ns,
                 const std::shared_ptr<std::uint64_t>& memo) {
  PlacementGuard pinned(placement);
  const std::uint64_t inner = std::max<std::uint64_t>(probe->info().inner_ops, 1);
  std::unique_ptr<Session> session;
  std::uint64_t batch = 1;
  try {
    session = probe->start(placement);
    const std::uint64_t target_ns = target_batch_ns(RunnerSettings{}, timer_overhead_ns);
    if (*memo == 0)
      *memo = calibrate_batch(*session, target_ns);
    else
      session->run_ops(*memo);  // warm-up, as calibrating would have been
    batch = *memo;
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    for (auto _ : state) {
    }
    return;
  }
  std::vector<double>* own = session->own_samples();
  if (own != nullptr) own->clear();  // calibration values are warm-up
  // Self-timed: each value is one op, whatever inner_ops says (as in the runner).
  const std::uint64_t ops_per_batch = own != nullptr ? batch : batch * inner;
  while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(ops_per_batch))) {
    const std::uint64_t t0 = now_ns();
    try {
      session->run_ops(batch);
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
    const double batch_ns = static_cast<double>(now_ns() - t0);
    if (own == nullptr) {
      state.SetIterationTime(batch_ns * 1e-9);
      continue;
    }
    if (own->empty()) {
      state.SkipWithError("self-timed session produced no values");
      break;
    }
    double sum = 0;
    for (double v : *own) sum += v;
    const double per_op = sum / static_cast<double>(own->size());
    own->clear();
    state.SetIterationTime(per_op * static_cast<double>(ops_per_batch) * 1e-9);
  }
  state.counters["ops_per_batch"] = static_cast<double>(batch);
  state.counters["inner_ops"] = static_cast<double>(inner);
  // A label, not a counter: a counter of 0 in every repetition has a coefficient of variation of 0/0,
  // which Google Benchmark writes as NaN, and its JSON then does not parse.
  state.SetLabel(own != nullptr ? "self-timed" : "batch-timed");
  session.reset();  // partner tasks are stopped and reaped here, before the thread is unpinned
}

void skipped(benchmark::State& state, std::string reason) {
  state.SkipWithError(reason.c_str());
  for (auto _ : state) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Captured before anything pins a thread, so unpin() restores the whole mask.
  const std::vector<int> allowed = allowed_cpus();
  const ProbeTable table = build_probe_table({});  // default server sweep, no test probes
  std::vector<PlannedRun> plan;
  try {
    // The whole catalogue: --benchmark_filter picks, as --filter does for ctxbench --suite full.
    Options options;
    options.suite = "full";
    plan = make_plan(options, table, allowed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ctxbench-gbench: %s\n", e.what());
    return 2;
  }
  const double timer_overhead_ns = measure_timer_overhead_ns();
  for (const PlannedRun& run : plan) {
    if (!run.skip_reason.empty()) {
      benchmark::RegisterBenchmark(run.id.c_str(), skipped, run.skip_reason);
      continue;
    }
    benchmark::RegisterBenchmark(run.id.c_str(), run_planned, run.probe, run.placement, timer_overhead_ns,
                                 std::make_shared<std::uint64_t>(0))
        ->UseManualTime()
        ->Unit(benchmark::kNanosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
