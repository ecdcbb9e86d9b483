// `ctxbench compare ...`: reads the result files and hands them to analysis/compare.
#pragma once

#include <string>
#include <vector>

namespace ctxbench {

// args: everything after "compare". Returns the exit code (0 no regression, 1 regression, 2 bad input).
int compare_main(const std::vector<std::string>& args);

}  // namespace ctxbench
