// A correction per series, not per run: records move in groups (cross-cpu records share the IPI and wake-up
// cost, same-cpu ones the system-call cost), so the records whose run-to-run moves follow a series' own most
// closely say far better than the run's median how much of its move that run shared. Method and its measured
// effect: docs/METHODOLOGY.md, "History". Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "analysis/change_points.hpp"

namespace ctxbench {

struct BasketOptions {
  std::size_t basket = 4;        // reference series per series
  std::size_t min_runs = 6;      // a series needs this many usable values to get a basket of its own
  std::size_t recent_runs = 60;  // correlations over the last this many runs (keeps a long store cheap)
};

// values[run][series] as run_factors (analysis/run_correction.hpp) takes them; `run_factor` one per run.
// Returns factors[run][series]: divide the value by it. For series s, its basket is the `basket` other series
// whose first differences of ln(value) (run to run, winsorized at 3 robust sds so one disturbed run or one
// step weighs little) correlate most, and positively, with its own; the factor of run r is
// exp(median over the basket members present in r of (ln value - that member's median ln value)).
// Where a series has fewer than min_runs values, too few correlated members, or a run holds fewer than half
// of its basket, the run's factor stands instead. A change its whole basket shares (a kernel change, or
// --keep-awake moving every cross-cpu record) is taken out too: judge it with the run-wide correction and raw.
// groups: one id per series (or empty): series of one group never serve in each other's basket: a change
// of the code under one mechanism (a pipe, a futex) moves all its records, derived ones first, and a basket
// of them would hide it. segment_starts: per series (or empty), the rows where a segment of its own begins
// (its change points): a member's deviation is taken from the median of its current segment, so one
// member's own step is not passed on to the series whose basket it is in.
std::vector<std::vector<double>> basket_factors(const std::vector<std::vector<std::optional<double>>>& values,
                                                const std::vector<double>& run_factor,
                                                const BasketOptions& options = {},
                                                const std::vector<std::size_t>& groups = {},
                                                const std::vector<std::vector<std::size_t>>& segment_starts = {});

// Both passes, as `history show` and `history check` use them: the baskets' factors, change points of each
// series so corrected, then the factors again with those change points as segment starts.
std::vector<std::vector<double>> two_pass_basket_factors(const std::vector<std::vector<std::optional<double>>>& values,
                                                         const std::vector<double>& run_factor,
                                                         const std::vector<std::size_t>& groups,
                                                         const ChangePointOptions& change_options,
                                                         const BasketOptions& options = {});

}  // namespace ctxbench
