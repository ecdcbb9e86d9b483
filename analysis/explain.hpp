// Where the time of one op went (--explain): the kernel events of a traced pass (engine/explain/) cut into
// the same ops the user-space clock timed, and each op split into named phases along its critical path.
// Pure functions over literal data: tests/explain_test.cpp feeds them hand-written event sequences.
// Phases are defined in docs/METHODOLOGY.md, "Where the time went (--explain)".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/explain_tail.hpp"
#include "engine/explain/trace_event.h"
#include "engine/explain/trace_names.hpp"

namespace ctxbench {

// One stretch of an op's critical path.
struct PhaseSpan {
  std::string key;    // stable snake_case ("futex_until_wake", "user_space"): what readers key on
  std::string phase;  // the same in words
  std::uint64_t ns = 0;
};

// One op, its phases in time order. They add up to the op's window exactly (end - start).
struct OpBreakdown {
  std::vector<PhaseSpan> spans;
  // The walk reached the op's start in the initiator's user space: every nanosecond is attributed.
  // False: some events were missing (a span is then named kUnattributed).
  bool followed = true;
  // Hand-offs on the path: waking (or new task made runnable) to switched in, ns each; and from the
  // woken task's arrival on a run queue (sched_wakeup: after the IPI, for a remote wake-up) to switched in.
  std::vector<std::uint64_t> wake_to_run_ns, queued_to_run_ns;
};

inline constexpr const char* kUnattributed = "unattributed (events missing)";
inline constexpr const char* kUnattributedKey = "unattributed";

// Splits the op [start, end] that the initiator thread timed. `events` must be in time order. `measured`: the
// only tasks the critical path runs through (empty: every traced task); a traced task outside them is load
// (ProbeInfo::explain_measured_tasks_only), and the time a measured task waited while load held its CPU is
// the phase kBehindLoadKey, never followed into the load.
// `other_side` (ProbeInfo::explain_other_side, "server"): every stretch named while the walk is in a task other
// than the initiator carries it, key "server_user_space", words "server: user space"; empty: no label.
OpBreakdown break_down_op(const std::vector<ctxbench_trace_event>& events, int initiator_tid, std::uint64_t start,
                          std::uint64_t end, const std::vector<int>& measured = {}, const std::string& other_side = {});

inline constexpr const char* kBehindLoadKey = "runnable_behind_load";

struct PhaseSummary {
  std::string key;                                // PhaseSpan::key
  std::string phase;                              // its text
  double median_ns = 0, p99_ns = 0, mean_ns = 0;  // per reported op, 0 for ops without the phase
  double share = 0;                               // mean / mean op
  double present = 0;                             // fraction of ops that have the phase
};

// Skipped: no traced pass ran (no privilege, no BPF in this build, the probe's record failed): reason says why.
// Failed: the traced pass itself failed (its measuring process, or the tracer).
enum class ExplainStatus { Ok, LostEvents, NoOps, Incomplete, Skipped, Failed };

struct Explanation {
  ExplainStatus status = ExplainStatus::Ok;
  std::string reason;  // why not Ok, in words
  // The same as a stable snake_case key (docs/contracts.md, "explain"): "lost_events", "ops_not_followed",
  // "no_ops", "tracer_unavailable", "record_not_ok", "traced_pass_failed", "attach_failed",
  // "overlapping_requests", "not_explainable", ...; empty when Ok.
  std::string reason_key;
  std::uint64_t ops = 0;       // traced ops
  std::uint64_t followed = 0;  // ops whose every nanosecond was attributed
  std::uint64_t events = 0, lost_events = 0;
  // Switches the events prove but did not deliver, inserted before the walk (analysis/explain_missing.hpp).
  std::uint64_t inferred_switches = 0;
  double traced_median_ns = 0;       // median op of the traced pass, per reported op
  double explained_fraction = 0;     // the median ops' named share: named_share(*tail, false)
  std::vector<PhaseSummary> phases;  // in the order they first occur along an op
  // Waking to switched in, per hand-off (what perf sched timehist calls scheduling delay).
  double wake_to_run_median_ns = 0, wake_to_run_mean_ns = 0;
  std::uint64_t hand_offs = 0;
  // On a run queue (sched_wakeup) to switched in: what perf sched timehist reports as scheduling delay.
  double queued_to_run_median_ns = 0, queued_to_run_mean_ns = 0;
  // Page faults of the traced tasks inside the op windows (docs/METHODOLOGY.md, "Page faults"), per reported
  // op: mean and median over the ops, by mode; `faults` in all windows, `faults_timed` of them with an end mark.
  double user_faults_per_op = 0, user_faults_per_op_median = 0;
  double kernel_faults_per_op = 0, kernel_faults_per_op_median = 0;
  std::uint64_t faults = 0, faults_timed = 0;
  // The observer effect: the record's own p50 (untraced repetitions) beside traced_median_ns.
  double untraced_median_ns = 0;
  // The slowest ops against the median ones (docs/METHODOLOGY.md, "The tail, explained"); absent when the
  // pass has no breakdown (lost events, no ops).
  std::optional<TailExplanation> tail;
};

// An Explanation that only says why there is none: `reason_key` (snake_case) and `reason` in words.
Explanation explanation_not_run(ExplainStatus status, std::string reason_key, std::string reason);

// Both breakdowns' first step: with `lost_events` > 0, marks x LostEvents with the reason (`followed` names
// what cannot be followed: "ops", "wake-ups") and returns true, for no phases: a breakdown with holes in it
// would not add up. Otherwise sorts `events` by time (one ring buffer fed by every CPU: reservation order is
// close to, not exactly, time order), inserts the switches a switch end proves (infer_missing_switches, counted
// in x.inferred_switches) and returns false.
bool refuse_lost_or_sort(Explanation& x, std::uint64_t lost_events, std::string_view followed,
                         std::vector<ctxbench_trace_event>& events);

// The traced pass's ops (windows flattened [start0, end0, ...]) explained from its events. `inner_ops`:
// reported ops per window (a ring lap). Events need not be sorted; `lost_events` > 0 gives LostEvents and
// no phases: a breakdown with holes in it would not add up. `names` and `tail_quantile` (a fraction,
// --explain-tail) feed the tail's causes; `measured` and `other_side` as for break_down_op.
Explanation explain_pass(std::vector<ctxbench_trace_event> events, std::uint64_t lost_events,
                         const std::vector<std::uint64_t>& op_windows, int initiator_tid, std::uint64_t inner_ops,
                         const TraceNames& names = {}, double tail_quantile = 0.01,
                         const std::vector<int>& measured = {}, const std::string& other_side = {});

// Sums the per-op breakdowns of a pass into `x`: phases, explained_fraction, hand-offs, the tail, and
// Incomplete when fewer than 9 in 10 ops were followed. breakdowns[i] splits the window
// [op_windows[2i], op_windows[2i+1]] (`inner_ops` reported ops each); `events` in time order (the tail's causes,
// counted for the `measured` tasks only when given). `more_causes[i]`: causes of op i its model names itself
// (a timer wake-up's late idle exit, analysis/explain_timer.hpp), added to those found in the events.
void summarize_ops(Explanation& x, const std::vector<OpBreakdown>& breakdowns,
                   const std::vector<std::uint64_t>& op_windows, const std::vector<ctxbench_trace_event>& events,
                   std::uint64_t inner_ops, const TraceNames& names, double tail_quantile,
                   const std::vector<int>& measured = {}, const std::vector<std::vector<TailCause>>& more_causes = {});

// The share of an op's time the named phases hold (every phase but kUnattributedKey), over the median ops
// (`tail_ops` false: their phase means / median_op_ns) or the tail ops (true). Not the sum of the phases'
// medians over the median op: a record whose ops take more than one path has phase medians that need not add
// up to its median op though every op's phases do (docs/METHODOLOGY.md, "Where the time went"). 0 without ops.
double named_share(const TailExplanation& t, bool tail_ops);

std::string explain_status_name(ExplainStatus status);

// "write", "futex", ... for the system call numbers the probes use, of this build's architecture
// (analysis/syscall_names.cpp); "syscall N" otherwise.
std::string syscall_name(long nr);
// The same for `arch` ("x86_64", "aarch64"); any other architecture gives "syscall N".
std::string syscall_name_of(std::string_view arch, long nr);

}  // namespace ctxbench
