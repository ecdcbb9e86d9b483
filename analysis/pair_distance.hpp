// Judging a cross-CPU record on the repetitions that ran with its two CPUs at their usual distance
// (docs/METHODOLOGY.md, "History", "Repetitions at another CPU distance"). A record pinned to two CPUs carries
// each repetition's pair reading (placement.pair_round_trip_ns, docs/contracts.md): the cache-line round trip
// between its two CPUs right before and right after it. On a VM the host sometimes runs the two vCPUs near
// each other for seconds, and those repetitions read x0.62-0.89 of the others (METHODOLOGY, "The two CPUs'
// distance, per record"): a move of the host, not of the kernel or the build. History leaves them out. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "analysis/history.hpp"

namespace ctxbench {

// A repetition is at another distance when both readings around it are more than this factor from the
// series' usual reading, on the same side. Measured on the first host of the A/A sets: far 359-515 ns, near
// 61-176 ns (x0.15-0.44 of a usual ~410 ns), so 1.5 is far outside both states' own spread; a machine whose
// pairs never move (bare metal pinned to fixed CPUs) reads within it and nothing is left out.
inline constexpr double kPairDistanceFactor = 1.5;

enum class PairDistance { Usual, Nearer, Farther, Unknown };

// `usual`: the series' usual reading (usual_pair_round_trip). Unknown when a reading is missing, or the two
// readings are not both outside the factor on the same side (the state changed during the repetition, or
// the reading is only a little off). "Both" rather than "either": leaving out a repetition when either
// reading is off made the cross-CPU series quieter still, but gave more false change points on both A/A sets
// it was judged on (docs/METHODOLOGY.md, "Repetitions at another CPU distance"; results/history/aa14-plan.txt).
PairDistance classify_pair(const PairReadings& pair, double usual);

// The usual reading of a series: the median of every reading of its points (before and after each
// repetition); nullopt when none has one (files written before the field, or one-CPU records).
std::optional<double> usual_pair_round_trip(const std::vector<const std::vector<PairReadings>*>& points);

// One record's repetitions split by their pair's distance from `usual`.
struct UsualRepetitions {
  std::vector<double> medians;          // the repetitions at the usual distance (and those of Unknown distance)
  std::size_t nearer = 0, farther = 0;  // left out
  std::size_t of = 0;                   // every repetition
  std::size_t left_out() const { return nearer + farther; }
};
// medians and pairs align (one pair per repetition); with another length, or no usual reading, every
// repetition is kept.
UsualRepetitions usual_repetitions(const std::vector<double>& medians, const std::vector<PairReadings>& pairs,
                                   std::optional<double> usual);

// The figure a point is judged on: its p50 scaled by median(usual repetitions) / median(all repetitions),
// so a point with nothing left out keeps its p50 exactly; nullopt when every repetition was left out.
std::optional<double> usual_distance_p50(double p50, const std::vector<double>& all_medians,
                                         const UsualRepetitions& usual);

// The history with every point of a series that has pair readings judged on its usual-distance repetitions:
// fills each such series' usual_pair_round_trip_ns, each point's repetitions_left_out (and p50_ns), and
// takes out the points whose every repetition was at another distance (HistorySeries::points_left_out).
History on_usual_pair_distance(History h);

}  // namespace ctxbench
