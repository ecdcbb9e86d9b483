// The console's lines for the tail of --explain (docs/METHODOLOGY.md, "The tail, explained"): "the slowest
// 1%: +X, of which ..." under a record's breakdown. Formatting only; the arithmetic is analysis/explain_tail.cpp.
#pragma once

#include <string>

#include "analysis/explain_tail.hpp"

namespace ctxbench {

std::string explain_tail_block(const TailExplanation& t);

}  // namespace ctxbench
