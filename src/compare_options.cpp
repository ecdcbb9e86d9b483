#include "src/compare_options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "src/arg_cursor.hpp"

namespace ctxbench {

namespace {

double parse_number(const std::string& flag, const std::string& text, double low, double high) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
    throw UsageError(fmt::format("{}: '{}' is not a number", flag, text));
  if (v < low || v > high) throw UsageError(fmt::format("{}: {} is out of range [{}, {}]", flag, text, low, high));
  return v;
}

}  // namespace

std::string compare_usage_text() {
  return R"(usage: ctxbench compare BASE.json NEW.json [MORE.json...] [options]

Compares ctxbench result files probe by probe (id = probe/placement). Two files: a verdict table.
More: a matrix of NEW/BASE ratios against the first file.

Per probe+placement in both files: the median of each (over raw samples), the ratio NEW/BASE with a 95%
bootstrap confidence interval (over raw samples; over repetition medians when a file has no samples; fixed
seed, so the same files give the same output), a two-sided Mann-Whitney U p-value over the repetition
medians, and a verdict: faster / slower / no significant change (significant = p < alpha and the interval
excludes 1). Probes present in one file only are listed.

options:
  --threshold PCT   a significant slowdown by more than PCT percent is a regression (default 10)
  --alpha A         significance level of the U test (default 0.05)
  --json FILE       also write the comparison as JSON
  --allow-emulated  compare runs of an emulator with native runs (refused otherwise: an emulator's
                    figures are not its architecture's; docs/METHODOLOGY.md, "Emulated runs")
  -h, --help        this text

exit status: 0 no regression, 1 at least one regression, 2 bad usage or bad input (the message names the
file: missing, not JSON, wrong schema version, no probe in common, emulated and native runs mixed).
)";
}

CompareArgs parse_compare_args(const std::vector<std::string>& args) {
  CompareArgs out;
  ArgCursor arg(args, 0);
  while (arg.next()) {
    const std::string a = arg.flag();
    auto value = [&] { return arg.value(); };
    if (a == "-h" || a == "--help") {
      out.help = true;
    } else if (a == "--threshold") {
      out.settings.threshold = parse_number("--threshold", value(), 0, 1e6) / 100;
    } else if (a == "--alpha") {
      const std::string v = value();
      out.settings.alpha = parse_number("--alpha", v, 0, 1);
      if (out.settings.alpha <= 0 || out.settings.alpha >= 1)
        throw UsageError(fmt::format("--alpha: {} must be between 0 and 1 (exclusive)", v));
    } else if (a == "--json") {
      out.json_path = value();
      if (out.json_path->empty()) throw UsageError("--json: needs a file name");
    } else if (a == "--allow-emulated") {
      arg.no_value();
      out.allow_emulated = true;
    } else if (a.rfind("-", 0) == 0 && a.size() > 1) {
      throw UsageError(fmt::format("compare: unknown option '{}' (see ctxbench compare --help)", a));
    } else {
      out.files.push_back(arg.raw());
    }
  }
  if (!out.help && out.files.size() < 2)
    throw UsageError("compare: needs at least two result files, BASE.json NEW.json (see ctxbench compare --help)");
  return out;
}

}  // namespace ctxbench
