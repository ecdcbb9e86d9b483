// Command-line options of `ctxbench compare`: a pure parser, so every bad input is unit-tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/compare_stats.hpp"
#include "src/options.hpp"

namespace ctxbench {

struct CompareArgs {
  std::vector<std::string> files;  // base first
  CompareSettings settings;
  std::optional<std::string> json_path;
  bool allow_emulated = false;  // --allow-emulated: compare emulated with native runs
  bool help = false;
};
// Parses the arguments after "compare". Throws UsageError (src/options.hpp) naming the flag.
CompareArgs parse_compare_args(const std::vector<std::string>& args);
std::string compare_usage_text();

}  // namespace ctxbench
