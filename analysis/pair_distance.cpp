#include "analysis/pair_distance.hpp"

#include <cmath>

#include "analysis/statistics.hpp"

namespace ctxbench {

namespace {

bool usable_reading(const std::optional<double>& v) { return v && std::isfinite(*v) && *v > 0; }

PairDistance side_of(double reading, double usual) {
  if (reading < usual / kPairDistanceFactor) return PairDistance::Nearer;
  if (reading > usual * kPairDistanceFactor) return PairDistance::Farther;
  return PairDistance::Usual;
}

}  // namespace

PairDistance classify_pair(const PairReadings& pair, double usual) {
  if (!usable_reading(pair.before) || !usable_reading(pair.after) || !(std::isfinite(usual) && usual > 0))
    return PairDistance::Unknown;
  const PairDistance before = side_of(*pair.before, usual), after = side_of(*pair.after, usual);
  if (before == after) return before;
  return PairDistance::Unknown;
}

std::optional<double> usual_pair_round_trip(const std::vector<const std::vector<PairReadings>*>& points) {
  std::vector<double> readings;
  for (const std::vector<PairReadings>* pairs : points)
    for (const PairReadings& p : *pairs)
      for (const std::optional<double>& v : {p.before, p.after})
        if (usable_reading(v)) readings.push_back(*v);
  if (readings.empty()) return std::nullopt;
  return median(readings);
}

UsualRepetitions usual_repetitions(const std::vector<double>& medians, const std::vector<PairReadings>& pairs,
                                   std::optional<double> usual) {
  UsualRepetitions out;
  out.of = medians.size();
  if (!usual || pairs.size() != medians.size()) {
    out.medians = medians;
    return out;
  }
  for (std::size_t i = 0; i < medians.size(); ++i) {
    const PairDistance d = classify_pair(pairs[i], *usual);
    if (d == PairDistance::Nearer)
      ++out.nearer;
    else if (d == PairDistance::Farther)
      ++out.farther;
    else
      out.medians.push_back(medians[i]);
  }
  return out;
}

std::optional<double> usual_distance_p50(double p50, const std::vector<double>& all_medians,
                                         const UsualRepetitions& usual) {
  if (usual.left_out() == 0) return p50;
  if (usual.medians.empty()) return std::nullopt;
  const double all = median(all_medians);
  if (!(std::isfinite(all) && all > 0)) return p50;
  return p50 * median(usual.medians) / all;
}

History on_usual_pair_distance(History h) {
  for (HistorySeries& s : h.series) {
    std::vector<const std::vector<PairReadings>*> readings;
    for (const HistoryPoint& p : s.points)
      if (!p.pair_round_trips.empty()) readings.push_back(&p.pair_round_trips);
    s.usual_pair_round_trip_ns = usual_pair_round_trip(readings);
    if (!s.usual_pair_round_trip_ns) continue;
    std::vector<HistoryPoint> kept;
    for (HistoryPoint& p : s.points) {
      const UsualRepetitions u =
          usual_repetitions(p.repetition_medians, p.pair_round_trips, s.usual_pair_round_trip_ns);
      p.repetitions_nearer = u.nearer;
      p.repetitions_farther = u.farther;
      const std::optional<double> v = usual_distance_p50(p.p50_all_ns, p.repetition_medians, u);
      if (!v) {
        ++s.points_left_out;
        continue;
      }
      p.p50_ns = *v;
      kept.push_back(std::move(p));
    }
    s.points = std::move(kept);
  }
  return h;
}

}  // namespace ctxbench
