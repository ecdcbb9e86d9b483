// Series with known steps and noise for the history tests: a fixed-seed generator written here (SplitMix64,
// Box-Muller) so every run of the tests, with any standard library, sees the same numbers.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace ctxbench::testing {

class SeededNoise {
 public:
  explicit SeededNoise(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double normal() {
    const double u = 1 - uniform(), v = uniform();  // u in (0, 1]: its log is finite
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
  }
  // A multiplicative noise whose central 95% spans +-spread: 0.30 gives a factor within about x0.77-x1.30.
  double factor(double spread) { return std::exp(normal() * std::log1p(spread) / 1.96); }

 private:
  std::uint64_t state_;
};

// `n` points around `level`, times (1 + step) from index `at` on, each times a noise factor of +-spread.
inline std::vector<double> stepped_series(std::size_t n, std::size_t at, double step, double spread, std::uint64_t seed,
                                          double level = 1000) {
  SeededNoise noise(seed);
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(level * (i >= at ? 1 + step : 1) * noise.factor(spread));
  return out;
}

}  // namespace ctxbench::testing
