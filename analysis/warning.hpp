// A warning as data (docs/contracts.md, "Schema 2"): a stable kind, the one figure it rests on, the sentence
// made from them, and what to do about it. Readers (compare, scripts, a results store) key on `kind`, never
// on the sentence, so rewording a text breaks no reader. Every sentence is made here from its kind and
// figures; the code that decides whether to warn (truth.cpp, rerun_model.cpp, ...) calls these builders.
// Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ctxbench {

enum class WarningKind {
  // A record's own causes (record `warnings[]`).
  Denominator,       // kernel-counted switches per op differ from what the op implies
  Bimodal,           // unpinned: co-located and split samples have different medians
  UnstableEstimate,  // rerun interval wider than +-5% for a cause of the record's own
  PinnedElsewhere,   // a pinned task was seen on another CPU
  InProcess,         // measured inside ctxbench, not in a fresh measuring process
  NotPositive,       // a derived value is not positive
  LoadGenerator,     // server: the client thread was the limit
  // Causes of the run (`ctxbench.warnings[]`).
  Steal,                  // the hypervisor took CPU time during the run
  TooFewRepetitions,      // fewer than 5 repetitions: wide rerun intervals
  UnstableMachine,        // the machine's speed moved during the run
  SlowRepetitionsShared,  // slow repetitions spread over many records
  BimodalShared,          // many unpinned records are bimodal
  ExplainUnavailable,     // --explain asked for, the traced pass cannot run here
  PmQosSkipped,           // --pm-qos asked for, /dev/cpu_dma_latency not held
};

struct Warning {
  WarningKind kind = WarningKind::Denominator;
  std::optional<double> figure;  // the one number the warning rests on (docs/contracts.md lists each)
  std::string text;              // the finding, one sentence
  std::string remedy;            // what to do about it; empty when there is nothing to do
};

// The stable snake_case key of a kind ("denominator", "unstable_estimate", ...): the JSON's `kind`.
std::string warning_kind_key(WarningKind kind);
// Every kind, in declaration order (tests check the keys are distinct).
const std::vector<WarningKind>& all_warning_kinds();
// The text and its remedy as the console prints them: "text. Remedy".
std::string console_text(const Warning& w);

// Builders: one per kind, the text made from the figures.
// `sleeps`: both counts are of sleeps (voluntary switches), the wake-up preemptions among the op's own tasks left
// out (ProbeInfo::expected_switches_are_sleeps).
Warning denominator_warning_of(double measured_per_op, double expected_per_op, double tolerance, bool sleeps = false);
Warning bimodal_warning_of(double colocated_share, double colocated_median_ns, double split_share,
                           double split_median_ns);
// `width`: the interval's half width as a fraction, exp(half_width) - 1 (0.12: a rerun may move +-12%).
Warning unstable_estimate_warning_of(double low, double high, double width, const std::string& cause);
Warning pinned_elsewhere_warning_of(const std::string& task, int pinned_to);
Warning in_process_warning_of(const std::string& because);
Warning not_positive_warning_of(double self_median_ns);
Warning load_generator_warning_of(double client_busy);
Warning steal_warning_of(double fraction, std::uint64_t steal_ticks, std::uint64_t total_ticks);
Warning too_few_repetitions_warning_of(std::size_t few, std::size_t records);
Warning unstable_machine_warning_of(std::size_t records_unstable, std::size_t records, double median_width);
Warning slow_repetitions_shared_warning_of(std::size_t slow, std::size_t ok);
Warning bimodal_shared_warning_of(std::size_t bimodal, std::size_t unpinned);
Warning explain_unavailable_warning_of(const std::string& why);
Warning pm_qos_skipped_warning_of(const std::string& why);

}  // namespace ctxbench
