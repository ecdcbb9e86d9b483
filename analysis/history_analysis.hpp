// The series of a results store judged over time (docs/METHODOLOGY.md, "History"): change points per series,
// raw and run-corrected (analysis/run_correction.hpp takes out what every record of a run shares), and the
// CI gate of `history check`. Pure: the History comes from src/store/, the math from
// analysis/change_points.hpp, analysis/run_correction.hpp and analysis/history_verdict.hpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "analysis/change_points.hpp"
#include "analysis/history.hpp"
#include "analysis/history_input.hpp"
#include "analysis/history_verdict.hpp"

namespace ctxbench {

// Which judgement found a change: the raw figures, the run-corrected ones, or both at the same run.
enum class Fired { Raw, RunCorrected, Both };
const char* fired_key(Fired f);  // "raw", "run_corrected", "both"

struct SeriesChange {
  std::size_t index = 0;               // first point of the new segment
  double before_ns = 0, after_ns = 0;  // segment means of the judgement that fired (raw when both)
  double ratio = 0, p_value = 1;
  Fired fired = Fired::Raw;
  // Within kMachineMoveReach runs of a change point of the machine's run factors: the whole machine moved
  // there, each record by its own factor (docs/METHODOLOGY.md, "History"). Still reported, counted apart.
  bool with_machine_change = false;
  // The new segment's points (up to the next change point or the series' end), this change's first included,
  // and the old segment's (from the previous change point or the series' start).
  std::size_t points_after = 0;
  std::size_t points_before = 0;
  // Fewer than kConfirmedPoints after it: provisional. On this host groups of records moved together for
  // 3-5 runs and came back (docs/METHODOLOGY.md, "History", the eighth set); Chromium's dashboard also wants
  // 6 points a segment. Still reported, counted apart.
  bool provisional() const;
  // Fewer than kConfirmedPoints before it: the old level is a few runs, which a state of the host lasting
  // minutes makes as well as a change does (the twelfth A/A set's first 3 runs, docs/METHODOLOGY.md
  // "History"). Unlike a provisional change it stays so. Still reported, counted apart.
  bool old_level_short() const;
  bool confirmed() const { return !provisional() && !old_level_short(); }
};

inline constexpr std::size_t kConfirmedPoints = 6;

// How far (in the machine's runs) a series' change may sit from a machine change point and be counted
// as that machine change: the same tolerance as a raw and a run-corrected change being one change.
inline constexpr std::size_t kMachineMoveReach = 1;

struct SeriesAnalysis {
  std::vector<double> corrected_ns;   // p50 / the series' basket factor of its run (basket_correction.hpp)
  std::vector<SeriesChange> changes;  // index order
  double latest_ns = 0;
  double current_median_ns = 0;  // median of the raw points after the last change point
  std::size_t current_points = 0;
};

struct MachineAnalysis {
  std::string fingerprint;
  std::size_t runs = 0;
  double shared_variance = 0;              // analysis/run_correction.hpp: shared_variance_fraction
  bool corrected = false;                  // run-corrected figures judged too (they are quieter: shared_variance > 0)
  std::vector<ChangePoint> change_points;  // of the run factors: the whole machine moved (host or kernel)
  // The p a series' change point needed on this machine: max_p_value, or with a false discovery rate the
  // Benjamini-Hochberg cutoff over series_tests hypotheses for a change with no other at its run
  // (q / series_tests). A hypothesis is a family of series judged one way (raw, and run-corrected when
  // judged): a record and the records derived from it (analysis/derived.hpp, derived_base_id), which move
  // together by construction, count once, with their strongest change point. A change at run r needs
  // series_max_p_by_run[r] (the machine's r-th run): the cutoff over the hypotheses' changes at that run
  // (within 1 run), so changes at one run lift each other's cutoff and changes at other runs do not.
  double series_max_p = 0;
  std::vector<double> series_max_p_by_run;  // empty without a false discovery rate
  std::size_t series_tests = 0;
};

struct HistoryAnalysis {
  ChangePointOptions options;
  std::vector<MachineAnalysis> machines;     // History::machines order
  std::vector<double> run_factors;           // one per History::runs entry
  std::vector<SeriesAnalysis> series;        // one per History::series entry
  std::size_t change_count() const;          // every series' change points
  std::size_t machine_change_count() const;  // of those, the ones with_machine_change
  std::size_t own_confirmed_count() const;   // not with_machine_change, and confirmed()
};

HistoryAnalysis analyse_history(const History& h, const ChangePointOptions& options = {});

// The history without one run and its points (a run `history add`ed before it is checked is not its own
// history; nor are the other runs of the build checked with it).
History without_run(const History& h, const std::string& run_id);

// `history check`: one verdict per record of the new run.
struct RecordCheck {
  std::string record_id;
  HistoryVerdict verdict;  // the one that decides: run-corrected where judged, else raw
  HistoryVerdict raw;
  std::optional<HistoryVerdict> corrected;  // when the machine's run-corrected figures are judged
  std::string fired;                        // "raw", "run_corrected", "both" or "" (no change found)
  // The raw figure moved and the run-corrected one did not: inconclusive, its basket moved with it.
  bool moved_with_basket = false;
  // With several runs of one build (analysis/history_confirm.hpp): how many runs have this record, how many
  // of them reached its verdict, and what a change too few runs called would have been.
  std::size_t runs_judged = 1;
  std::size_t runs_agreeing = 1;
  std::optional<HistoryVerdictKind> unconfirmed;
  // A record with pair readings (analysis/pair_distance.hpp): judged on its repetitions at its series' usual
  // CPU distance; how many it left out, of how many, against which usual reading. Absent without readings
  // in the record or in its series.
  struct LeftOut {
    std::size_t nearer = 0, farther = 0, of = 0;
    double usual_pair_round_trip_ns = 0;
  };
  std::optional<LeftOut> left_out;
  // The kinds its own run flagged its figure with that question it and that at most half of its current
  // segment's points carry (analysis/figure_warnings.hpp): a change it shows needs two runs calling it, whatever
  // --confirm says (confirm_across_runs).
  std::vector<std::string> unusual_warnings;
};
struct CheckedRun {
  std::string source;  // the file
  std::string run_id;
};
struct HistoryCheck {
  std::string fingerprint;
  std::size_t history_runs = 0;
  double run_factor = 1;  // the new run's: how fast the whole run was against its history
  double shared_variance = 0;
  bool corrected = false;
  std::vector<RecordCheck> records;  // the new run's ok records, file order
  // The current segment of each series ends at the last change point `history show` reports for this
  // machine's history (its false-discovery cutoff: segment_max_p for a change alone at its run, its run's
  // series_max_p_by_run where several changed at one run). The verdicts are at gate_max_p, the
  // cutoff over this run's `judgements` (hypotheses made: each family of records, a record and the ones
  // derived from it, raw and run-corrected apart, with its members' smallest p); both never above max_p_value.
  double segment_max_p = 0;
  double gate_max_p = 0;
  std::size_t judgements = 0;
  std::vector<CheckedRun> checked_runs;  // the runs judged, oldest first; the records are the last one's
  std::size_t confirm = 1;               // runs a regression or improvement needs (history_confirm.hpp)
  // The whole run against its machine's history: the run's factor (run_factor) judged against the factors of
  // the machine's earlier runs since their last change point, alone at max_p_value (one hypothesis per run).
  // It is the verdict on a change that moves every record alike (a kernel that slows every system call),
  // which the run-corrected records cannot see (docs/METHODOLOGY.md, "The gate"). `record_id` is empty.
  // Absent when the new run has too few records for a factor of its own (kWholeRunMinRecords).
  std::optional<RecordCheck> whole_run;
  int regressions() const;              // the records' and the whole run's
  int unconfirmed_regressions() const;  // regressions too few runs called: "run again"
};
// A run's factor is a median over its records: with fewer, it is left out of the machine's series (as
// run_correction.hpp leaves such a run's factor at 1).
inline constexpr std::size_t kWholeRunMinRecords = 10;

HistoryCheck check_against_history(const History& h, const RunInput& new_run, const HistoryGateOptions& options,
                                   const ChangePointOptions& change_options = {});

}  // namespace ctxbench
