#include "src/history_options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <regex>

#include "analysis/change_points.hpp"
#include "analysis/history_confirm.hpp"
#include "analysis/history_verdict.hpp"
#include "src/arg_cursor.hpp"
#include "src/options.hpp"
#include "src/store/store.hpp"

namespace ctxbench {

namespace {

double parse_real(const std::string& flag, const std::string& text, const char* example) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
    throw UsageError(fmt::format("{}: '{}' is not {}", flag, text, example));
  return v;
}

// A whole number in [low, high], named by its flag when it is not.
std::size_t parse_count(const std::string& flag, const std::string& text, std::size_t low, std::size_t high) {
  const double v = parse_real(flag, text, "a whole number (e.g. 30)");
  if (v != std::floor(v) || v < static_cast<double>(low) || v > static_cast<double>(high))
    throw UsageError(fmt::format("{}: {} is not a whole number in [{}, {}]", flag, text, low, high));
  return static_cast<std::size_t>(v);
}

// "5%", "5" (percent) -> 0.05, within [0%, 1000%].
double parse_percent(const std::string& flag, const std::string& text) {
  std::string digits = text;
  if (!digits.empty() && digits.back() == '%') digits.pop_back();
  const double v = parse_real(flag, digits, "a percentage (e.g. 5%)");
  if (v < 0 || v > 1000) throw UsageError(fmt::format("{}: {} is out of range [0%, 1000%]", flag, text));
  return v / 100;
}

// YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z, as the result files write start_time (UTC).
std::string parse_since(const std::string& text) {
  static const std::regex date(R"(\d{4}-\d{2}-\d{2})");
  static const std::regex stamp(R"((\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?Z)");
  std::smatch m;
  if (std::regex_match(text, date)) return text + "T00:00:00Z";
  if (std::regex_match(text, m, stamp))
    return m[1].str() + "T" + m[2].str() + (m[3].matched ? m[3].str() : ":00") + "Z";
  throw UsageError(fmt::format("--since: '{}' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)", text));
}

}  // namespace

std::string history_usage_text() {
  const ChangePointOptions defaults;
  return fmt::format(R"(usage: ctxbench history add FILE.json...                 store run files
       ctxbench history show [--machine M] [--filter RE] [--since DATE] [--json]
       ctxbench history check NEW.json [RERUN.json...] [--threshold 5%]   the CI gate over history
       ctxbench history export --csv|--json [--out FILE] [--machine M] [--filter RE] [--since DATE]

A results store holds many runs of many machines; one series is one machine (fingerprint) x one record
id, in run start-time order, its figure the record's p50 (ns per op; higher is slower for every record).

options:
  --store S       an SQLite file or a postgresql:// URL (default: $CTXBENCH_STORE, else
                  ./ctxbench-history.sqlite); history add creates an SQLite file that is not there
  --machine M     only runs of machines whose fingerprint starts with M, or whose hostname or label is M
  --filter RE     only record ids matching RE (ECMAScript)
  --since DATE    only runs that started at or after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)
  --json          show/export: the machine-readable document; check: the verdicts as a document (docs/contracts.md)
  --csv           export: one line per run x record, machine columns included
  --out FILE      export: write FILE (atomically) instead of stdout
  --threshold P   check: a regression must be slower by more than P percent (default 5%)
  --min-history N check: a current segment of fewer runs is too short to judge: inconclusive (default {})
  --confirm N     check: a regression or improvement counts only when N runs of the build are given and
                  every one calls it (default {}); fewer: inconclusive, exit status 3 (run again and pass
                  every run's file)
  --allow-emulated  add, check: accept emulated and native runs in one store (refused otherwise: an
                  emulator's figures are not its architecture's; docs/METHODOLOGY.md, "Emulated runs")
  --window N      change points: points per analysis window (default {}; at least 6)
  --max-p P       change points: keep a split when its t-test's p is at most P (default {})
  --fdr Q         show, export, check: and at most the Benjamini-Hochberg cutoff of false discovery rate Q
                  over the machine's series (check: over the new run's records too; default {};
                  0: each series and record alone at --max-p)
  --min-change P  change points: and the means differ by at least P percent (default {}%)
  -h, --help      this text

exit status: 0 done (check: no regression), 1 check found a regression beyond --threshold in every run
--confirm asks, 2 bad usage or bad input (the message names the flag, file or store; nothing is written),
or emulated and native runs mixed without --allow-emulated, 3 check: a regression in fewer runs than
--confirm asks (run again).
)",
                     HistoryGateOptions{}.min_history, kDefaultConfirmRuns, defaults.window, defaults.max_p_value,
                     defaults.false_discovery_rate, defaults.min_magnitude * 100);
}

HistoryArgs parse_history_args(const std::vector<std::string>& args) {
  HistoryArgs out;
  out.store = store::default_store_spec();
  if (args.empty()) throw UsageError("history: needs a command: add, show, check or export (see --help)");
  const std::string& command = args[0];
  if (command == "-h" || command == "--help") {
    out.help = true;
    return out;
  }
  if (command == "add")
    out.command = HistoryCommand::Add;
  else if (command == "show")
    out.command = HistoryCommand::Show;
  else if (command == "check")
    out.command = HistoryCommand::Check;
  else if (command == "export")
    out.command = HistoryCommand::Export;
  else
    throw UsageError(fmt::format("history: unknown command '{}' (add, show, check or export)", command));
  const bool reads = out.command == HistoryCommand::Show || out.command == HistoryCommand::Export;
  ArgCursor arg(args, 1);
  while (arg.next()) {
    const std::string a = arg.flag();
    auto value = [&] { return arg.value(); };
    auto only_for = [&](bool ok, const char* which) {
      if (!ok) throw UsageError(fmt::format("{}: only history {} takes it", a, which));
    };
    auto no_value = [&] { arg.no_value(); };
    if (a == "-h" || a == "--help") {
      out.help = true;
    } else if (a == "--store") {
      out.store = value();
      if (out.store.empty()) throw UsageError("--store: needs a path or a postgresql:// URL");
    } else if (a == "--machine") {
      only_for(reads, "show and export");
      out.machine = value();
      if (out.machine->empty()) throw UsageError("--machine: needs a fingerprint, hostname or label");
    } else if (a == "--filter") {
      only_for(reads, "show and export");
      out.filter = value();
      check_regex("--filter", *out.filter);
    } else if (a == "--since") {
      only_for(reads, "show and export");
      out.since = parse_since(value());
    } else if (a == "--json") {
      only_for(reads || out.command == HistoryCommand::Check, "show, check and export");
      no_value();
      out.json = true;
    } else if (a == "--csv") {
      only_for(out.command == HistoryCommand::Export, "export");
      no_value();
      out.csv = true;
    } else if (a == "--out") {
      only_for(out.command == HistoryCommand::Export, "export");
      out.out = value();
      if (out.out->empty()) throw UsageError("--out: needs a file name");
    } else if (a == "--allow-emulated") {
      only_for(out.command == HistoryCommand::Add || out.command == HistoryCommand::Check, "add and check");
      no_value();
      out.allow_emulated = true;
    } else if (a == "--threshold") {
      only_for(out.command == HistoryCommand::Check, "check");
      out.threshold = parse_percent("--threshold", value());
    } else if (a == "--min-history") {
      only_for(out.command == HistoryCommand::Check, "check");
      out.min_history = parse_count("--min-history", value(), 2, 100000);
    } else if (a == "--confirm") {
      only_for(out.command == HistoryCommand::Check, "check");
      out.confirm = parse_count("--confirm", value(), 1, 100);
    } else if (a == "--window") {
      only_for(out.command != HistoryCommand::Add, "show, check and export");
      out.window = parse_count("--window", value(), 6, 100000);
    } else if (a == "--max-p") {
      only_for(out.command != HistoryCommand::Add, "show, check and export");
      const std::string v = value();
      out.max_p_value = parse_real("--max-p", v, "a probability (e.g. 0.001)");
      if (*out.max_p_value <= 0 || *out.max_p_value >= 1)
        throw UsageError(fmt::format("--max-p: {} must be between 0 and 1 (exclusive)", v));
    } else if (a == "--fdr") {
      only_for(out.command != HistoryCommand::Add, "show, check and export");
      const std::string v = value();
      out.false_discovery_rate = parse_real("--fdr", v, "a rate (e.g. 0.05)");
      if (*out.false_discovery_rate < 0 || *out.false_discovery_rate >= 1)
        throw UsageError(fmt::format("--fdr: {} must be at least 0 and below 1", v));
    } else if (a == "--min-change") {
      only_for(out.command != HistoryCommand::Add, "show, check and export");
      out.min_change = parse_percent("--min-change", value());
    } else if (a.rfind("-", 0) == 0 && a.size() > 1) {
      throw UsageError(fmt::format("history {}: unknown option '{}' (see ctxbench history --help)", command, a));
    } else {
      out.files.push_back(arg.raw());
    }
  }
  if (out.help) return out;
  if (out.command == HistoryCommand::Add && out.files.empty())
    throw UsageError("history add: needs at least one result file");
  if (out.command == HistoryCommand::Check && out.files.empty())
    throw UsageError("history check: needs a result file (NEW.json, and its reruns to confirm it)");
  if (reads && !out.files.empty())
    throw UsageError(fmt::format("history {}: unexpected argument '{}'", command, out.files[0]));
  if (out.command == HistoryCommand::Export && out.csv == out.json)
    throw UsageError("history export: needs one of --csv or --json");
  return out;
}

}  // namespace ctxbench
