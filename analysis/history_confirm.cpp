#include "analysis/history_confirm.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <string>

namespace ctxbench {

namespace {

// One verdict over the runs: `calls` holds the verdict of each run that judged it. A change any run called is
// the candidate, a regression before an improvement: runs that disagree are "run again", whichever of them
// is the newest.
void confirm_verdict(RecordCheck& r, const std::vector<HistoryVerdictKind>& calls, std::size_t runs,
                     std::size_t confirm) {
  const auto called = [&](HistoryVerdictKind k) {
    return static_cast<std::size_t>(std::count(calls.begin(), calls.end(), k));
  };
  r.runs_judged = calls.size();
  const std::size_t regressions = called(HistoryVerdictKind::Regression);
  const std::size_t improvements = called(HistoryVerdictKind::Improvement);
  const HistoryVerdictKind kind = regressions > 0    ? HistoryVerdictKind::Regression
                                  : improvements > 0 ? HistoryVerdictKind::Improvement
                                                     : r.verdict.kind;
  r.runs_agreeing = called(kind);
  const std::size_t needed = runs_needed(r, confirm);
  if (regressions + improvements == 0 || (r.runs_agreeing == runs && runs >= needed)) return;
  r.unconfirmed = kind;
  r.verdict.kind = HistoryVerdictKind::Inconclusive;
  if (r.runs_agreeing < runs)
    r.verdict.reason = fmt::format("{} in {} of the {} runs checked: they disagree, run again",
                                   history_verdict_key(kind), r.runs_agreeing, runs);
  else if (runs >= confirm)
    r.verdict.reason = fmt::format(
        "{} in {} run{}, whose figure its run questions ({}) where its series is not: run again and check the "
        "runs together",
        history_verdict_key(kind), runs, runs == 1 ? "" : "s", fmt::join(r.unusual_warnings, ", "));
  else
    r.verdict.reason = fmt::format("{} in {} run{} of the {} --confirm asks: run again and check the runs together",
                                   history_verdict_key(kind), runs, runs == 1 ? "" : "s", confirm);
}

}  // namespace

std::size_t runs_needed(const RecordCheck& r, std::size_t confirm) {
  // A figure its own run questions where its series is not questioned (figure_warnings.hpp) is not called on
  // one run's word, whatever --confirm says.
  return r.unusual_warnings.empty() ? confirm : std::max(confirm, kQuestionedFigureRuns);
}

HistoryCheck confirm_across_runs(const std::vector<HistoryCheck>& checks, std::size_t confirm) {
  if (checks.empty()) return {};
  HistoryCheck out = checks.back();
  out.confirm = confirm;
  out.checked_runs.clear();
  std::vector<std::map<std::string, HistoryVerdictKind>> kinds;  // per run: record id -> its verdict
  std::vector<HistoryVerdictKind> whole_run_calls;               // the whole run's verdict, per run judged
  for (const HistoryCheck& c : checks) {
    out.checked_runs.insert(out.checked_runs.end(), c.checked_runs.begin(), c.checked_runs.end());
    auto& k = kinds.emplace_back();
    for (const RecordCheck& r : c.records) k[r.record_id] = r.verdict.kind;
    if (c.whole_run) whole_run_calls.push_back(c.whole_run->verdict.kind);
  }
  const std::size_t runs = checks.size();
  for (RecordCheck& r : out.records) {
    std::vector<HistoryVerdictKind> calls;
    for (const auto& k : kinds)
      if (auto found = k.find(r.record_id); found != k.end()) calls.push_back(found->second);
    confirm_verdict(r, calls, runs, confirm);
  }
  if (out.whole_run) confirm_verdict(*out.whole_run, whole_run_calls, runs, confirm);
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
