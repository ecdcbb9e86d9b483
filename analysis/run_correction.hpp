// What is common to a run: on a noisy host every record of a run moves together (speed levels of the host,
// docs/METHODOLOGY.md). A run's factor is the median, over its records, of (record's value / that record's
// series median); dividing a record by its run's factor takes the shared movement out. The series' medians
// are then taken again over corrected values and the factors again (Tukey's median polish, in logs, until
// they settle), which keeps the factors right when records are missing. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace ctxbench {

// values[run][series]: one row per run (in run order), one column per series of one machine; nullopt where
// a run lacks that record (not run, not ok). A value that is not finite or not positive counts as missing,
// and so does a column past the end of a shorter row. A series takes part only where it has two or more
// values (its median against one run says nothing). Returns one factor per run: 1.0 for a run with fewer
// than `min_records` usable values, which cannot be told apart from its own records.
// A change that moves every record of a run alike (a kernel that slows everything) is taken out too: judge
// raw figures beside corrected ones (docs/METHODOLOGY.md, "History: change points and the gate").
std::vector<double> run_factors(const std::vector<std::vector<std::optional<double>>>& values,
                                std::size_t min_records = 10);

// How much of the run-to-run variance of the series is common to the run: per series with at least
// `min_runs` usable values (and some spread), 1 - var(log(value / factor)) / var(log(value)); the median
// over those series (one series made noisier by the correction cannot swing it as a mean would), 0 when
// there is none. Negative when dividing by the factors adds noise. Reported, never used to decide.
double shared_variance_fraction(const std::vector<std::vector<std::optional<double>>>& values,
                                const std::vector<double>& factors, std::size_t min_runs = 5);

}  // namespace ctxbench
