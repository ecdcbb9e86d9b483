// ctxbench-gbench: every probe of the registry, in every placement ctxbench would run, registered with the
// Google Benchmark library, for pipelines built on it. No probe code of its own: it starts the registry's
// Sessions and times Session::run_ops() in batches, reporting the time per op as manual time.
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

#include "analysis/options.hpp"
#include "probes/os.hpp"
#include "probes/probe.hpp"
#include "src/plan.hpp"

namespace {

using namespace ctxbench;

// One batch lasts at least this long, so the two clock reads around it cost well under 1%.
constexpr std::uint64_t kMinBatchNs = 50'000;

// Pins the calling thread as the placement asks, and restores the start-up mask however the body ends.
struct Pinned {
  explicit Pinned(const Placement& p) {
    if (p.kind == PlacementKind::SameCpu || p.kind == PlacementKind::CrossCpu) pin_to_cpu(p.cpu_a);
  }
  ~Pinned() { unpin(); }
  Pinned(const Pinned&) = delete;
  Pinned& operator=(const Pinned&) = delete;
};

void run_planned(benchmark::State& state, const Probe* probe, Placement placement) {
  Pinned pinned(placement);
  std::unique_ptr<Session> session;
  std::uint64_t batch = 1;
  try {
    session = probe->start(placement);
    // Warm-up first: the first ops after start() pay for page faults and the partner's first wake-up, and
    // one slow op would otherwise end the calibration at a batch of 1.
    for (int i = 0; i < 8; ++i) session->run_ops(1);
    // Calibrate: double the batch until one lasts kMinBatchNs (this is also the warm-up).
    for (;;) {
      const std::uint64_t t0 = now_ns();
      session->run_ops(batch);
      if (now_ns() - t0 >= kMinBatchNs || batch >= (1u << 24)) break;
      batch *= 2;
    }
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    for (auto _ : state) {
    }
    return;
  }
  while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(batch))) {
    const std::uint64_t t0 = now_ns();
    try {
      session->run_ops(batch);
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
    state.SetIterationTime(static_cast<double>(now_ns() - t0) * 1e-9);
  }
  state.counters["ops_per_batch"] = static_cast<double>(batch);
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
  std::vector<PlannedRun> plan;
  try {
    plan = make_plan(Options{}, allowed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ctxbench-gbench: %s\n", e.what());
    return 2;
  }
  for (const PlannedRun& run : plan) {
    if (!run.skip_reason.empty()) {
      benchmark::RegisterBenchmark(run.id.c_str(), skipped, run.skip_reason);
      continue;
    }
    benchmark::RegisterBenchmark(run.id.c_str(), run_planned, run.probe, run.placement)
        ->UseManualTime()
        ->Unit(benchmark::kNanosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
