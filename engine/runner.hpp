// Drives one probe in one placement: repetitions with fresh partner tasks, calibrated batches, warm-up,
// timed samples, and each repetition's kernel switch counts (counts; the record divides them by the ops).
// The only place in ctxbench that reads the clock around ops.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/probe.hpp"
#include "engine/run_result.hpp"

namespace ctxbench {

struct RunnerSettings {
  int repetitions = 10;
  // Time spent in timed samples per repetition, and in warm-up before them.
  std::uint64_t sample_budget_ns = 60'000'000;
  std::uint64_t warmup_budget_ns = 10'000'000;
  // A batch lasts at least this long and at least 100 timer pairs, so the clock costs < 1% of it.
  std::uint64_t min_batch_ns = 50'000;
  int min_samples = 10;
  int max_samples = 1'000;
  // One SCHED_IDLE spinner on each CPU the probe uses (engine/keep_awake.hpp) while it runs.
  bool keep_awake = false;
  // Watchdog (--timeout): a probe and placement still running after this long fails with the reason and
  // its tasks are killed; 0 disables it. ctxbench sets it from --timeout (src/run_context.cpp).
  std::uint64_t timeout_ns = 60'000'000'000ULL;
  // The traced pass of --explain (docs/METHODOLOGY.md, "Where the time went"): when > 0, one repetition
  // whose timed part is this many single ops, each timed on its own and its window kept
  // (RepetitionRun::op_windows), instead of the timed batches. Its figures never join a record's samples.
  std::uint64_t traced_ops = 0;

  static RunnerSettings quick();
};

// The batch every sample of a probe aims at: settings.min_batch_ns, and at least 100 timer pairs.
std::uint64_t target_batch_ns(const RunnerSettings& settings, double timer_overhead_ns);
// Grows the batch size n until one run_ops(n) lasts at least target_ns; returns n. Doubles as the first
// part of warm-up. (ctxbench-gbench calibrates its batches with this too.)
std::uint64_t calibrate_batch(Session& session, std::uint64_t target_ns);

// Pins the calling thread as the placement asks (cpu_a for same-cpu/cross-cpu, the start-up mask
// otherwise) and restores the start-up mask when it goes, whatever happens.
class PlacementGuard {
 public:
  explicit PlacementGuard(const Placement& p);
  ~PlacementGuard();
  PlacementGuard(const PlacementGuard&) = delete;
  PlacementGuard& operator=(const PlacementGuard&) = delete;
};

// Cost of one now_ns() pair (the timer overhead of one sample), median of many tries.
double measure_timer_overhead_ns();

// Runs `probe` in `placement`. Never throws for ProbeSkip/ProbeError (they become the status);
// rethrows Interrupted so the caller stops the whole run. The calling thread is pinned as the
// placement asks while the probe runs and unpinned afterwards.
// `on_repetition`, when set, takes each repetition as soon as it is finished (the measuring process
// streams it to its owner and keeps nothing); the returned ProbeRun then holds no repetitions.
using RepetitionSink = std::function<void(RepetitionRun&&)>;
ProbeRun run_probe(const Probe& probe, const Placement& placement, const RunnerSettings& settings,
                   double timer_overhead_ns, const RepetitionSink& on_repetition = nullptr);

}  // namespace ctxbench
