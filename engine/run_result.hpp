// What the runner hands to analysis: raw samples and kernel counts, plain data only.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/probe.hpp"

namespace ctxbench {

enum class RunStatus { Ok, Skipped, Failed };

struct RepetitionRun {
  std::vector<double> ns_per_op;  // one value per timed sample (a batch of ops_per_sample ops)
  std::uint64_t ops_per_sample = 0;
  std::uint64_t ops = 0;  // ops in the timed samples (warm-up excluded)
  // [task][sample]: the CPU each task of Session::tasks() last ran on, read right after each timed
  // sample (sched_getcpu for the caller, /proc/<pid>/task/<tid>/stat field 39 for partners); -1 unknown.
  std::vector<std::vector<int>> task_cpus;
  // Session::task_pins(): the CPU each task was pinned to (-1: not pinned) where the probe declares it;
  // empty: the placement's (A on cpu_a, B on cpu_b, the others unpinned).
  std::vector<int> task_pins;
  // Session::counters(): after - before of its totals, and its closing levels (empty for most probes).
  std::vector<std::pair<std::string, double>> counter_deltas;
  std::vector<std::pair<std::string, double>> counter_levels;
  // Resident set of the measuring process when the timed samples began (KiB): what a fork() in this
  // repetition copied, the probe's own memory (process.fork_rss) included.
  std::uint64_t host_rss_kib = 0;
  // The traced pass of --explain only (RunnerSettings::traced_ops): each op's start and end as read
  // around its run_ops(1) call (CLOCK_MONOTONIC ns, the clock BPF's bpf_ktime_get_ns reads), flattened
  // [start0, end0, start1, end1, ...], and the thread that called run_ops.
  std::vector<std::uint64_t> op_windows;
  int initiator_tid = 0;
  // The traced pass only: the thread ids of Session::tasks(), the tasks an op's critical path may run
  // through when the probe runs a load beside them (ProbeInfo::explain_measured_tasks_only).
  std::vector<int> measured_tids;
  // Context switches of Session::tasks() (and reaped children where the probe counts them) over the
  // timed samples: counts, not rates; the record divides the sum by the sum of `ops` (analysis/record.cpp).
  std::uint64_t voluntary_switches = 0, involuntary_switches = 0;
};

// The record's two CPUs' cache-line round trip (engine/pair_witness.hpp) right before the repetitions one
// measuring process ran and right after them, ns; NaN when not taken, and then why_not says why.
struct PairWitness {
  double before_ns = std::numeric_limits<double>::quiet_NaN();
  double after_ns = std::numeric_limits<double>::quiet_NaN();
  std::string why_not;
};

struct ProbeRun {
  Placement placement;
  RunStatus status = RunStatus::Ok;
  std::string reason;  // why skipped or failed
  std::vector<RepetitionRun> repetitions;
  double timer_overhead_ns = 0;  // one now_ns() pair, measured at start-up
  double wall_seconds = 0;       // whole probe, set-up and warm-up included
  // --keep-awake: CPUs that had a SCHED_IDLE spinner for the whole probe (empty: spinners were off).
  bool keep_awake = false;
  std::vector<int> keep_awake_cpus;
  // The measuring process (probe_host.hpp): its resident set before the probe started and its peak over
  // its whole life (KiB); 0 when the probe ran in the calling process (tests, ctxbench-gbench).
  std::uint64_t host_start_rss_kib = 0;
  std::uint64_t host_peak_rss_kib = 0;
  // Non-empty when no measuring process could be started (a process limit) and the probe ran in the
  // owner instead: why. Its figures then carry the owner's memory.
  std::string ran_in_owner_because;
  // A probe whose placement pins its tasks to two CPUs (has_pinned_pair, engine/pair_witness.hpp) and ran ok:
  // one reading pair per measuring process, in the order they ran (interleaved rounds append theirs). Empty
  // for every other probe and placement, for a run that was not ok, and for --explain's traced pass.
  std::vector<PairWitness> pair_witness;
};

}  // namespace ctxbench
