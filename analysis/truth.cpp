#include "analysis/truth.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "analysis/statistics.hpp"

namespace ctxbench {

std::vector<ObservedTask> observe_tasks(const std::vector<std::vector<int>>& task_cpus,
                                        const std::vector<int>& pinned) {
  std::vector<ObservedTask> out;
  for (std::size_t t = 0; t < task_cpus.size(); ++t) {
    ObservedTask o;
    o.task = std::string(1, static_cast<char>('A' + std::min<std::size_t>(t, 25)));
    o.pinned_to = t < pinned.size() ? pinned[t] : -1;
    std::map<int, std::size_t> counts;
    for (int cpu : task_cpus[t]) ++counts[cpu];
    for (const auto& [cpu, n] : counts) {
      o.cpus.push_back({cpu, n});
      // An unreadable reading (-1) is not evidence of a wrong CPU.
      if (o.pinned_to >= 0 && cpu >= 0 && cpu != o.pinned_to) o.seen_elsewhere = true;
    }
    out.push_back(std::move(o));
  }
  return out;
}

PlacementSplit split_by_colocation(std::span<const double> samples, const std::vector<int>& cpus_a,
                                   const std::vector<int>& cpus_b) {
  std::vector<double> together, apart;
  for (std::size_t i = 0; i < samples.size() && i < cpus_a.size() && i < cpus_b.size(); ++i) {
    if (cpus_a[i] < 0 || cpus_b[i] < 0) continue;
    (cpus_a[i] == cpus_b[i] ? together : apart).push_back(samples[i]);
  }
  PlacementSplit split;
  if (together.empty() || apart.empty()) return split;
  const double known = static_cast<double>(together.size() + apart.size());
  for (const auto& [name, group] : {std::pair{"co-located", &together}, std::pair{"split", &apart}}) {
    split.groups.push_back({name, group->size(), static_cast<double>(group->size()) / known, median(*group)});
  }
  const PlacementGroup& a = split.groups[0];
  const PlacementGroup& b = split.groups[1];
  const double lo = std::min(a.median_ns, b.median_ns), hi = std::max(a.median_ns, b.median_ns);
  split.bimodal = a.share >= kBimodalMinShare && b.share >= kBimodalMinShare && lo > 0 && hi / lo >= kBimodalMinRatio;
  if (split.bimodal) {
    split.warning = bimodal_warning_of(a.share, a.median_ns, b.share, b.median_ns);
  }
  return split;
}

std::optional<Warning> denominator_warning(double measured, double expected, bool on_two_cpus, bool sleeps) {
  if (!std::isfinite(measured) || !std::isfinite(expected) || expected < 0) return std::nullopt;
  const double allowed = kDenominatorTolerance * std::max(expected, 1.0);
  if (std::fabs(measured - expected) <= allowed) return std::nullopt;
  if (on_two_cpus && measured < expected) return std::nullopt;
  return denominator_warning_of(measured, expected, kDenominatorTolerance, sleeps);
}

std::size_t tasks_seen_on_cpus(const std::vector<ObservedTask>& tasks) {
  std::set<int> cpus;
  for (const ObservedTask& t : tasks)
    for (const CpuCount& c : t.cpus)
      if (c.cpu >= 0) cpus.insert(c.cpu);
  return cpus.size();
}

std::optional<CpuTimes> parse_proc_stat_cpu(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string name;
    l >> name;
    if (name != "cpu") continue;
    // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user/nice]
    std::uint64_t v[8] = {};
    for (std::uint64_t& x : v)
      if (!(l >> x)) return std::nullopt;
    CpuTimes t;
    for (std::uint64_t x : v) t.total += x;
    t.idle = v[3] + v[4];
    t.steal = v[7];
    return t;
  }
  return std::nullopt;
}

std::optional<StealOverRun> steal_between(const std::optional<CpuTimes>& before, const std::optional<CpuTimes>& after) {
  if (!before || !after || after->total < before->total || after->steal < before->steal) return std::nullopt;
  StealOverRun s;
  s.steal_ticks = after->steal - before->steal;
  s.total_ticks = after->total - before->total;
  s.fraction = s.total_ticks > 0 ? static_cast<double>(s.steal_ticks) / static_cast<double>(s.total_ticks) : 0.0;
  return s;
}

std::optional<Warning> steal_warning(const StealOverRun& s) {
  if (s.fraction <= kStealWarnFraction) return std::nullopt;
  return steal_warning_of(s.fraction, s.steal_ticks, s.total_ticks);
}

}  // namespace ctxbench
