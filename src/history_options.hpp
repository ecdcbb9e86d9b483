// Command-line options of `ctxbench history add|show|check|export`: a pure parser, so every bad input
// is unit-tested. docs/inputs.md, "ctxbench history".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ctxbench {

enum class HistoryCommand { Add, Show, Check, Export };

struct HistoryArgs {
  HistoryCommand command = HistoryCommand::Show;
  std::string store;                       // --store, else $CTXBENCH_STORE, else ./ctxbench-history.sqlite
  std::vector<std::string> files;          // add: FILE.json...; check: NEW.json [RERUN.json...]
  std::optional<std::string> machine;      // --machine: fingerprint prefix, hostname or label
  std::optional<std::string> filter;       // --filter: ECMAScript regex over record ids
  std::optional<std::string> since;        // --since: normalised to YYYY-MM-DDTHH:MM:SSZ
  bool json = false;                       // show/export --json
  bool csv = false;                        // export --csv
  std::optional<std::string> out;          // export --out FILE
  double threshold = 0.05;                 // check --threshold (fraction)
  std::optional<std::size_t> min_history;  // check --min-history N: shorter current segments are inconclusive
  std::optional<std::size_t> confirm;      // check --confirm N: runs a regression needs (history_confirm.hpp)
  // Change-point settings (show, export --json, check); unset: analysis/change_points.hpp's defaults.
  std::optional<std::size_t> window;           // --window N
  std::optional<double> max_p_value;           // --max-p P
  std::optional<double> false_discovery_rate;  // --fdr Q (0: off)
  std::optional<double> min_change;            // --min-change PCT (fraction)
  bool allow_emulated = false;                 // add/check --allow-emulated: emulated and native runs together
  bool help = false;
};

// Parses the arguments after "history". Throws UsageError (src/options.hpp) naming the flag.
HistoryArgs parse_history_args(const std::vector<std::string>& args);
std::string history_usage_text();

}  // namespace ctxbench
