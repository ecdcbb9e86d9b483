#include "analysis/warning.hpp"

#include <fmt/format.h>

namespace ctxbench {

std::string warning_kind_key(WarningKind kind) {
  switch (kind) {
    case WarningKind::Denominator:
      return "denominator";
    case WarningKind::Bimodal:
      return "bimodal";
    case WarningKind::UnstableEstimate:
      return "unstable_estimate";
    case WarningKind::PinnedElsewhere:
      return "pinned_elsewhere";
    case WarningKind::InProcess:
      return "in_process";
    case WarningKind::NotPositive:
      return "not_positive";
    case WarningKind::LoadGenerator:
      return "load_generator";
    case WarningKind::Steal:
      return "steal";
    case WarningKind::TooFewRepetitions:
      return "too_few_repetitions";
    case WarningKind::UnstableMachine:
      return "unstable_machine";
    case WarningKind::SlowRepetitionsShared:
      return "slow_repetitions_shared";
    case WarningKind::BimodalShared:
      return "bimodal_shared";
    case WarningKind::ExplainUnavailable:
      return "explain_unavailable";
    case WarningKind::PmQosSkipped:
      return "pm_qos_skipped";
  }
  return "unknown";
}

const std::vector<WarningKind>& all_warning_kinds() {
  static const std::vector<WarningKind> kinds = {WarningKind::Denominator,
                                                 WarningKind::Bimodal,
                                                 WarningKind::UnstableEstimate,
                                                 WarningKind::PinnedElsewhere,
                                                 WarningKind::InProcess,
                                                 WarningKind::NotPositive,
                                                 WarningKind::LoadGenerator,
                                                 WarningKind::Steal,
                                                 WarningKind::TooFewRepetitions,
                                                 WarningKind::UnstableMachine,
                                                 WarningKind::SlowRepetitionsShared,
                                                 WarningKind::BimodalShared,
                                                 WarningKind::ExplainUnavailable,
                                                 WarningKind::PmQosSkipped};
  return kinds;
}

std::string console_text(const Warning& w) { return w.remedy.empty() ? w.text : w.text + ". " + w.remedy; }

namespace {

Warning make(WarningKind kind, std::optional<double> figure, std::string text, std::string remedy = "") {
  return Warning{kind, figure, std::move(text), std::move(remedy)};
}

}  // namespace

Warning denominator_warning_of(double measured, double expected, double tolerance, bool sleeps) {
  if (sleeps)
    return make(WarningKind::Denominator, measured,
                fmt::format("denominator: the kernel counted {:.2f} sleeps (voluntary context switches) per op where "
                            "the op implies {:g} (a difference over {:.0f}%): this figure is not the cost of what its "
                            "op says{}",
                            measured, expected, tolerance * 100,
                            measured < expected ? " (a task found its wake-up before it went to sleep)"
                                                : " (extra sleeps: a task waited more than once per op)"));
  return make(
      WarningKind::Denominator, measured,
      fmt::format("denominator: the kernel counted {:.2f} context switches per op where the op implies {:g} (a "
                  "difference over {:.0f}%): this figure is not the cost of what its op says{}",
                  measured, expected, tolerance * 100,
                  measured < expected ? " (a task found its partner's answer before it went to sleep, so some "
                                        "hand-offs were not switches)"
                                      : " (extra switches: preemption, migration or other tasks on these CPUs)"));
}

Warning bimodal_warning_of(double colocated_share, double colocated_median_ns, double split_share,
                           double split_median_ns) {
  return make(
      WarningKind::Bimodal, colocated_share,
      fmt::format("bimodal: the scheduler put the two tasks on one CPU in {:.0f}% of the samples (median {:.0f} "
                  "ns) and on two CPUs in {:.0f}% (median {:.0f} ns); the overall median describes neither",
                  colocated_share * 100, colocated_median_ns, split_share * 100, split_median_ns),
      "Read the same-cpu and cross-cpu results, or the two groups, instead");
}

Warning unstable_estimate_warning_of(double low, double high, double width, const std::string& cause) {
  return make(WarningKind::UnstableEstimate, width,
              fmt::format("unstable estimate: a rerun here is expected within x{:.2f}-{:.2f} of this p50 (95%), wider "
                          "than +-5%. Cause: {}.",
                          low, high, cause));
}

Warning pinned_elsewhere_warning_of(const std::string& task, int pinned_to) {
  return make(WarningKind::PinnedElsewhere, pinned_to,
              fmt::format("placement: task {} was pinned to CPU {} but seen on another CPU; the figure is not the "
                          "placement it names (CPU hotplug or a changed affinity/cpuset?)",
                          task, pinned_to));
}

Warning in_process_warning_of(const std::string& because) {
  return make(WarningKind::InProcess, std::nullopt,
              "measured inside ctxbench itself, not in a fresh measuring process (" + because +
                  "): a fork() in this probe copied ctxbench's own memory",
              "Raise the process limit.");
}

Warning not_positive_warning_of(double self_median_ns) {
  return make(WarningKind::NotPositive, self_median_ns,
              fmt::format("derived value is not positive: the one-task overhead ({:.1f} ns) is as large as half the "
                          "round trip, so this placement's round trip is dominated by IPC, not by switching",
                          self_median_ns));
}

Warning load_generator_warning_of(double client_busy) {
  return make(WarningKind::LoadGenerator, client_busy,
              fmt::format("load generator: the client thread was on CPU {:.0f}% of the window, so this throughput may "
                          "be the client's limit rather than the server's",
                          100 * client_busy));
}

Warning steal_warning_of(double fraction, std::uint64_t steal_ticks, std::uint64_t total_ticks) {
  return make(
      WarningKind::Steal, fraction,
      fmt::format("steal: the hypervisor ran other guests for {:.1f}% of this machine's CPU time during the run "
                  "({} of {} ticks in /proc/stat); every figure includes waits for a physical CPU",
                  fraction * 100, steal_ticks, total_ticks),
      "Run again on a quieter host or a dedicated instance");
}

Warning too_few_repetitions_warning_of(std::size_t few, std::size_t records) {
  return make(WarningKind::TooFewRepetitions, static_cast<double>(few),
              fmt::format("too few repetitions: {} of {} records have fewer than 5, so their rerun intervals are "
                          "wide (Student's t with few degrees of freedom)",
                          few, records),
              "Run with --repetitions 10 or more (--quick takes 3) for figures to compare");
}

Warning unstable_machine_warning_of(std::size_t records_unstable, std::size_t records, double median_width) {
  return make(WarningKind::UnstableMachine, static_cast<double>(records_unstable),
              fmt::format("unstable machine: {} of {} records cannot be resolved to +-5% here (median rerun interval "
                          "+-{:.0f}%): their repetitions, spread over the whole run, disagree without a cause of their "
                          "own, so the machine's speed moved while the run went on (frequency changes, other tasks, on "
                          "a VM the host). Each record's rerun column says how far it can move; set a compare "
                          "--threshold above it",
                          records_unstable, records, median_width * 100),
              "Remedies: stop other load, set the performance governor (cpupower frequency-set -g performance), on a "
              "VM ask for dedicated host CPUs");
}

Warning slow_repetitions_shared_warning_of(std::size_t slow, std::size_t ok) {
  return make(WarningKind::SlowRepetitionsShared, static_cast<double>(slow),
              fmt::format("slow repetitions everywhere: in {} of {} records a few repetitions were much slower than "
                          "the rest; spread over the whole run, that is the machine changing speed for seconds at a "
                          "time (another task, the host), not the records. Their rerun column covers it",
                          slow, ok),
              "Remedies: stop other load, set the performance governor, on a VM ask for dedicated host CPUs");
}

Warning bimodal_shared_warning_of(std::size_t bimodal, std::size_t unpinned) {
  return make(WarningKind::BimodalShared, static_cast<double>(bimodal),
              fmt::format("bimodal placement: {} of {} unpinned records split into samples with both tasks on one CPU "
                          "and samples on two, with different medians (their `placement_groups`, and the groups on "
                          "their \"ran on\" line); their median describes neither and moves as the share moves",
                          bimodal, unpinned),
              "Read the same-cpu and cross-cpu records, or compare unpinned ones only against a threshold above "
              "their rerun interval");
}

Warning explain_unavailable_warning_of(const std::string& why) {
  return make(WarningKind::ExplainUnavailable, std::nullopt,
              why + "; the explain pass is skipped, every other figure is unaffected");
}

Warning pm_qos_skipped_warning_of(const std::string& why) {
  return make(WarningKind::PmQosSkipped, std::nullopt,
              "--pm-qos skipped: " + why + "; idle states stay as the machine sets them",
              "Run as root to hold it at 0");
}

}  // namespace ctxbench
