// Many series judged at once: a machine's store holds ~90 series, and each is tested for a change point at
// every analysis. Tested alone at p <= 0.001, a quiet A/A store still shows a few false change points (one
// series' noise, docs/METHODOLOGY.md, "History"); a real change of the code or kernel moves several records
// at once. The Benjamini-Hochberg procedure keeps the expected share of false discoveries among the kept
// changes at q: a lone change needs p <= q / m, k changes together p <= q k / m each. Pure.
#pragma once

#include <cstddef>
#include <vector>

namespace ctxbench {

// The largest p-value the Benjamini-Hochberg procedure at false discovery rate `q` keeps, given the smallest
// p-value of each judged hypothesis that has one (`p_values`, any order) out of `tests` hypotheses judged in
// all (the ones without a candidate count too: they are tests that found nothing). That is q k / m for the
// largest k with p_(k) <= q k / m; when no k qualifies, q / m (nothing given is kept at it, and a later pass
// at this cutoff is as strict as the procedure). tests is at least p_values.size(); q in (0, 1).
double benjamini_hochberg_cutoff(std::vector<double> p_values, std::size_t tests, double q);

}  // namespace ctxbench
