#include "analysis/figure_warnings.hpp"

#include <algorithm>

namespace ctxbench {

bool questions_the_figure(WarningKind kind) {
  return kind == WarningKind::Denominator || kind == WarningKind::PinnedElsewhere;
}

std::vector<std::string> figure_warning_kinds(const nlohmann::json& warnings) {
  std::vector<std::string> kinds;
  if (!warnings.is_array()) return kinds;
  for (const nlohmann::json& w : warnings) {
    if (!w.is_object() || !w.contains("kind") || !w["kind"].is_string()) continue;
    const std::string key = w["kind"].get<std::string>();
    const auto& all = all_warning_kinds();
    const bool questions = std::any_of(
        all.begin(), all.end(), [&](WarningKind k) { return questions_the_figure(k) && warning_kind_key(k) == key; });
    if (questions && std::find(kinds.begin(), kinds.end(), key) == kinds.end()) kinds.push_back(key);
  }
  return kinds;
}

std::vector<std::string> unusual_figure_warnings(const std::vector<std::string>& record,
                                                 const std::vector<std::vector<std::string>>& segment) {
  std::vector<std::string> unusual;
  for (const std::string& kind : record) {
    const auto carrying = std::count_if(segment.begin(), segment.end(), [&](const std::vector<std::string>& p) {
      return std::find(p.begin(), p.end(), kind) != p.end();
    });
    if (2 * static_cast<std::size_t>(carrying) <= segment.size()) unusual.push_back(kind);
  }
  return unusual;
}

}  // namespace ctxbench
