// Where the tasks of a many-task probe go (ctxswitch.pairs, the futex contention family), and how many of
// them a sweep takes (tests/futex_contention_test.cpp checks the counts on literal input): docs/METHODOLOGY.md, "N
// pairs" and "Futex contention".
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "engine/os.hpp"
#include "engine/probe.hpp"

namespace ctxbench {

// same-cpu: the k-th allowed CPU counting from the placement's first one (k = 0 is cpu_a), so k = 0, 1, ...
// spread round-robin over the CPUs as perf bench futex and will-it-scale do; elsewhere -1 (unpinned).
inline int spread_cpu(const Placement& p, std::size_t k) {
  if (p.kind != PlacementKind::SameCpu) return -1;
  const std::vector<int> cpus = allowed_cpus();
  std::size_t first = 0;
  while (first < cpus.size() && cpus[first] != p.cpu_a) ++first;
  if (first == cpus.size()) return p.cpu_a;
  return cpus[(first + k) % cpus.size()];
}

// 1, 2, 4, ... up to 4 x the allowed CPUs, the last point exactly that (8 on 2 CPUs, 12 on 3).
inline std::vector<std::size_t> doubling_counts_to_four_per_cpu() {
  const std::size_t most = 4 * std::max<std::size_t>(1, allowed_cpus().size());
  std::vector<std::size_t> out;
  for (std::size_t n = 1; n < most; n *= 2) out.push_back(n);
  out.push_back(most);
  return out;
}

// The waker counts ctxswitch.futex_wake_parallel takes for n waiters: 2, 4, 8 ... up to n, each dividing n (perf
// bench futex wake-parallel requires it); none for one waiter.
inline std::vector<std::size_t> parallel_waker_counts(std::size_t n) {
  std::vector<std::size_t> out;
  for (std::size_t w = 2; w <= n; w *= 2)
    if (n % w == 0) out.push_back(w);
  return out;
}

}  // namespace ctxbench
