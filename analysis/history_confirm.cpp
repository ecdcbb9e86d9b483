#include "analysis/history_confirm.hpp"

#include <fmt/format.h>

#include <map>
#include <string>

namespace ctxbench {

HistoryCheck confirm_across_runs(const std::vector<HistoryCheck>& checks, std::size_t confirm) {
  if (checks.empty()) return {};
  HistoryCheck out = checks.back();
  out.confirm = confirm;
  out.checked_runs.clear();
  std::vector<std::map<std::string, HistoryVerdictKind>> kinds;  // per run: record id -> its verdict
  for (const HistoryCheck& c : checks) {
    out.checked_runs.insert(out.checked_runs.end(), c.checked_runs.begin(), c.checked_runs.end());
    auto& k = kinds.emplace_back();
    for (const RecordCheck& r : c.records) k[r.record_id] = r.verdict.kind;
  }
  const std::size_t runs = checks.size();
  for (RecordCheck& r : out.records) {
    // A change any run called is the candidate, a regression before an improvement: runs that disagree
    // are "run again", whichever of them is the newest.
    std::map<HistoryVerdictKind, std::size_t> calls;  // verdict -> how many runs called it
    r.runs_judged = 0;
    for (const auto& k : kinds) {
      auto found = k.find(r.record_id);
      if (found == k.end()) continue;
      ++r.runs_judged;
      ++calls[found->second];
    }
    const std::size_t regressions = calls[HistoryVerdictKind::Regression];
    const std::size_t improvements = calls[HistoryVerdictKind::Improvement];
    const bool changed = regressions + improvements > 0;
    const HistoryVerdictKind kind = regressions > 0    ? HistoryVerdictKind::Regression
                                    : improvements > 0 ? HistoryVerdictKind::Improvement
                                                       : r.verdict.kind;
    r.runs_agreeing = calls[kind];
    if (!changed || (r.runs_agreeing == runs && runs >= confirm)) continue;
    r.unconfirmed = kind;
    r.verdict.kind = HistoryVerdictKind::Inconclusive;
    r.verdict.reason =
        r.runs_agreeing < runs
            ? fmt::format("{} in {} of the {} runs checked: they disagree, run again", history_verdict_key(kind),
                          r.runs_agreeing, runs)
            : fmt::format("{} in {} run{} of the {} --confirm asks: run again and check the runs together",
                          history_verdict_key(kind), runs, runs == 1 ? "" : "s", confirm);
  }
  return out;
}

HistoryCheck check_runs_against_history(const History& h, const std::vector<RunInput>& runs,
                                        const HistoryGateOptions& options, const ChangePointOptions& change_options,
                                        std::size_t confirm) {
  History past = h;
  for (const RunInput& r : runs) past = without_run(past, r.run.run_id);
  std::vector<HistoryCheck> checks;
  for (const RunInput& r : runs) checks.push_back(check_against_history(past, r, options, change_options));
  return confirm_across_runs(checks, confirm);
}

}  // namespace ctxbench
