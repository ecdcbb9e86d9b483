// Warnings that question a record's figure: its own run saw the op timed with something besides the op at
// its placement (extra context switches: `denominator`; a pinned task on another CPU: `pinned_elsewhere`).
// A change in such a figure may be the op's or the intruder's, so the gate asks a second run before it calls
// it (analysis/history_confirm.hpp; docs/METHODOLOGY.md, "A figure its own run questions"). A kind every
// point of the series carries (ctxswitch.ring/tasks:16 counts more switches than its op on every run) is
// the series' usual state, not news: only a kind at most half of the current segment carries counts. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/warning.hpp"

namespace ctxbench {

bool questions_the_figure(WarningKind kind);
// The kinds among a record's warnings (objects {kind, ...}, as in a result file and the store) that question
// its figure, each once, in the order first seen; unknown kinds are not.
std::vector<std::string> figure_warning_kinds(const nlohmann::json& warnings);
// The kinds of `record` that at most half of `segment` (the kinds of each point of the series' current
// segment) carry. Every kind of `record` when the segment is empty.
std::vector<std::string> unusual_figure_warnings(const std::vector<std::string>& record,
                                                 const std::vector<std::vector<std::string>>& segment);

}  // namespace ctxbench
