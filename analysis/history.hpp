// What the results store holds, read back as series (one series = machine fingerprint x record id, its
// points in run start-time order). Filled by src/store/history_store.cpp; read by the history reports.
// Pure data.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ctxbench {

struct HistoryMachine {
  std::string fingerprint;
  nlohmann::json identity;  // the machines row: every fingerprint field (analysis/history_input.hpp)
};

struct HistoryRun {
  std::string run_id, fingerprint, label, hostname, git_revision, tool_version, kernel_release, start_time, source;
  std::optional<double> steal_fraction, load_start;
};

// One repetition's pair readings (placement.pair_round_trip_ns, docs/contracts.md): ns, null where missing.
struct PairReadings {
  std::optional<double> before, after;
};

struct HistoryPoint {
  std::size_t run = 0;  // index into History::runs
  // Higher is slower, for every record. With pair readings, after on_usual_pair_distance: the p50 scaled to
  // the repetitions at the usual CPU distance (analysis/pair_distance.hpp); p50_all_ns is the stored p50.
  double p50_ns = 0;
  std::optional<double> p99_ns, rerun_low, rerun_high;
  double p50_all_ns = 0;
  // Only for records with pair readings (the store's pair_round_trips column): one per repetition.
  std::vector<double> repetition_medians;
  std::vector<PairReadings> pair_round_trips;
  std::size_t repetitions_nearer = 0, repetitions_farther = 0;  // left out (on_usual_pair_distance)
  // The kinds of its warnings that question its figure (analysis/figure_warnings.hpp): "denominator", ...
  std::vector<std::string> figure_warnings;
};

struct HistorySeries {
  std::string fingerprint, record_id, probe, placement, unit;
  std::optional<std::string> measure;
  std::string family;                // the record's `family` field ("" when its file had none)
  std::vector<HistoryPoint> points;  // status ok only, run start-time order
  // on_usual_pair_distance (analysis/pair_distance.hpp): the median pair reading of the series' points, and
  // how many points it took out because every repetition of theirs ran at another CPU distance.
  std::optional<double> usual_pair_round_trip_ns;
  std::size_t points_left_out = 0;
};

struct History {
  std::vector<HistoryMachine> machines;
  std::vector<HistoryRun> runs;       // start-time order
  std::vector<HistorySeries> series;  // by fingerprint, then record id
};

}  // namespace ctxbench
