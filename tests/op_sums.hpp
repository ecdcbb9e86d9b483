// Sums over one op's breakdown for the --explain tests (tests/explain_test.cpp, explain_timer_test.cpp,
// explain_faults_test.cpp): the time per phase key, and the whole (which must be the op's window).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "analysis/explain.hpp"

namespace ctxbench::trace_events {

inline std::map<std::string, std::uint64_t> by_key(const OpBreakdown& b) {
  std::map<std::string, std::uint64_t> m;
  for (const PhaseSpan& s : b.spans) m[s.key] += s.ns;
  return m;
}

inline std::uint64_t total(const OpBreakdown& b) {
  std::uint64_t t = 0;
  for (const PhaseSpan& s : b.spans) t += s.ns;
  return t;
}

}  // namespace ctxbench::trace_events
