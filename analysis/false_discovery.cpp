#include "analysis/false_discovery.hpp"

#include <algorithm>

namespace ctxbench {

double benjamini_hochberg_cutoff(std::vector<double> p_values, std::size_t tests, double q) {
  const double m = static_cast<double>(std::max(tests, std::max<std::size_t>(p_values.size(), 1)));
  std::sort(p_values.begin(), p_values.end());
  std::size_t kept = 0;
  for (std::size_t k = 1; k <= p_values.size(); ++k)
    if (p_values[k - 1] <= q * static_cast<double>(k) / m) kept = k;
  return q * static_cast<double>(std::max<std::size_t>(kept, 1)) / m;
}

}  // namespace ctxbench
