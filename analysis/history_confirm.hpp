// Chromium Pinpoint's answer to a noisy machine, for the CI gate: a change one run shows is a suspicion, a
// change every rerun shows is a verdict. `history check A.json B.json` judges each run of one build against
// the same history and keeps a regression or improvement only when every run calls it and there are at
// least `confirm` of them (--confirm, default 2); a change fewer runs call is "inconclusive, run again".
// Why two and why the run-corrected judgement: measured in docs/METHODOLOGY.md, "The gate". Pure.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/history_analysis.hpp"

namespace ctxbench {

inline constexpr std::size_t kDefaultConfirmRuns = 2;
// Runs a change needs in a record whose own run questions its figure and its series is not questioned
// (RecordCheck::unusual_warnings): a single run's intruder is not the op's change.
inline constexpr std::size_t kQuestionedFigureRuns = 2;
// The runs a change in `r` needs to be confirmed: `confirm`, at least kQuestionedFigureRuns where r has
// unusual_warnings.
std::size_t runs_needed(const RecordCheck& r, std::size_t confirm);

// checks: one per run of the build, in the order given (the last is the newest; its check is the one
// returned, with the verdicts confirmed). Every record of the last run gets runs_judged (how many of the runs
// have it) and runs_agreeing (how many of them reached its verdict); a regression or improvement that is not
// confirmed (every run calls it, at least `confirm` runs, at least kQuestionedFigureRuns where the newest run's
// record has unusual_warnings) becomes inconclusive, with `unconfirmed` saying what it would have been; so does
// one only some of the runs call, whichever run is the newest.
HistoryCheck confirm_across_runs(const std::vector<HistoryCheck>& checks, std::size_t confirm);

// `history check A.json B.json ...`: each run checked against the history without any of them, then
// confirmed as above.
HistoryCheck check_runs_against_history(const History& h, const std::vector<RunInput>& runs,
                                        const HistoryGateOptions& options, const ChangePointOptions& change_options,
                                        std::size_t confirm);

}  // namespace ctxbench
