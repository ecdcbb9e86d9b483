// `ctxbench history add|show|check|export`: the results store's commands (README.md, "Using it").
#pragma once

#include <string>
#include <vector>

namespace ctxbench {

// args: everything after "history". Returns the exit status (0 done, 1 check found a regression,
// 2 bad usage, bad input or a store that cannot be used).
int history_main(const std::vector<std::string>& args);

}  // namespace ctxbench
