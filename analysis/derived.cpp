#include "analysis/derived.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

namespace ctxbench {

const std::vector<Derivation>& derivation_registry() {
  static const std::vector<Derivation> table = {
      {"ctxswitch.pipe.process.per_switch", "ctxswitch",
       "DERIVED: one context switch between two processes = (pipe round trip - 2 x one-task pipe "
       "write+read) / 2; direct cost only (no working set to refill)",
       "ctxswitch.pipe.process", "ipc.pipe.self", Measure::PerSwitch},
      {"ctxswitch.pipe.thread.per_switch", "ctxswitch",
       "DERIVED: one context switch between two threads of one process = (pipe round trip - 2 x "
       "one-task pipe write+read) / 2; direct cost only (no working set to refill)",
       "ctxswitch.pipe.thread", "ipc.pipe.self", Measure::PerSwitch},
      {"shm.pingpong.one_way", "shm",
       "DERIVED: one cache-line transfer from one CPU to the other = shm.pingpong round trip / 2", "shm.pingpong", "",
       Measure::OneWay},
      {"ctxswitch.ws.process.per_switch", "ctxswitch",
       "DERIVED: one context switch between two processes on one CPU, each reading its own working set "
       "between switches = (ctxswitch.ws.process round trip - 2 x ctxswitch.ws.self) / 2: the direct cost "
       "plus the cache refill the switch causes (indirect cost; lmbench lat_ctx -s, Li, Ding & Shen 2007)",
       "ctxswitch.ws.process", "ctxswitch.ws.self", Measure::PerSwitch},
  };
  return table;
}

namespace {

const Record* find_ok(const std::vector<Record>& records, const std::string& probe) {
  for (const Record& r : records)
    if (r.probe == probe && r.status == RunStatus::Ok && r.stats.n > 0) return &r;  // its median only
  return nullptr;
}

Record derive_one(const Derivation& d, const Record& from, double self_median) {
  Record r;
  r.probe = d.name;
  r.family = d.family;
  r.op = d.op;
  r.unit = from.unit;
  r.measure = d.measure;
  r.placement = from.placement;
  r.keep_awake = from.keep_awake;  // part of the id: a keep-awake round trip derives its own record
  r.keep_awake_cpus = from.keep_awake_cpus;
  r.derived = true;
  r.formula = d.minus_twice.empty()
                  ? fmt::format("({} - 0) / 2", from.id())
                  : fmt::format("({} - 2 x {} median {:.1f} ns) / 2", from.id(), d.minus_twice, self_median);
  r.timer_overhead_ns = from.timer_overhead_ns;
  // Switch counts of the round trip, halved: a derived per-switch op is half a round trip.
  if (from.switches_per_op) r.switches_per_op = *from.switches_per_op / 2;
  if (from.expected_switches_per_op) r.expected_switches_per_op = *from.expected_switches_per_op / 2;

  std::vector<std::vector<double>> per_rep;
  std::size_t offset = 0;
  for (const RepetitionSummary& rep : from.repetitions) {
    std::vector<double> transformed;
    for (std::size_t i = 0; i < rep.samples && offset + i < from.samples.size(); ++i)
      transformed.push_back((from.samples[offset + i] - 2 * self_median) / 2);
    offset += rep.samples;
    per_rep.push_back(std::move(transformed));
  }
  summarize_into(r, per_rep, nullptr);
  for (std::size_t i = 0; i < r.repetitions.size() && i < from.repetitions.size(); ++i) {
    r.repetitions[i].ops = from.repetitions[i].ops;
    r.repetitions[i].ops_per_sample = from.repetitions[i].ops_per_sample;
  }
  assess_rerun(r, from.bimodal);
  if (r.stats.p50 <= 0) r.warnings.push_back(not_positive_warning_of(self_median));
  return r;
}

// The fork_rss slope's name and the probe name of its steps, in one place: fit_fork_rss makes the record,
// derived_base_id names the step it moves with.
const char* const kForkRssSlope = "process.fork_rss.ns_per_mib";
const char* const kForkRssStepPrefix = "process.fork_rss/rss_mib:";

// process.fork_rss.ns_per_mib: how fork's cost grows with the parent's resident memory. For each
// repetition index, the least-squares slope of that repetition's median against the resident MiB of
// every process.fork_rss step; the slopes are the samples (so the record has a spread like any other).
std::optional<Record> fit_fork_rss(const std::vector<Record>& measured, PlacementKind placement) {
  const std::string prefix = kForkRssStepPrefix;
  std::vector<const Record*> steps;
  for (const Record& r : measured)
    if (r.probe.rfind(prefix, 0) == 0 && r.status == RunStatus::Ok && !r.repetitions.empty() &&
        r.placement.kind == placement)
      steps.push_back(&r);
  if (steps.size() < 2) return std::nullopt;
  std::size_t reps = steps[0]->repetitions.size();
  for (const Record* r : steps) reps = std::min(reps, r->repetitions.size());
  std::vector<double> xs;
  for (const Record* r : steps) xs.push_back(std::stod(r->probe.substr(prefix.size())));
  const double mx = mean(xs);
  double sxx = 0;
  for (double x : xs) sxx += (x - mx) * (x - mx);
  if (sxx <= 0) return std::nullopt;
  std::vector<double> slopes;
  for (std::size_t k = 0; k < reps; ++k) {
    std::vector<double> ys;
    for (const Record* r : steps) ys.push_back(r->repetitions[k].median_ns);
    const double my = mean(ys);
    double sxy = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) sxy += (xs[i] - mx) * (ys[i] - my);
    slopes.push_back(sxy / sxx);
  }
  Record r;
  r.probe = kForkRssSlope;
  r.family = "process";
  r.unit = "ns/MiB";
  r.measure = Measure::PerMib;
  r.op =
      "DERIVED: the growth of fork()+_exit+waitpid with the parent's resident memory, in ns per MiB: the "
      "least-squares slope of the process.fork_rss medians against their resident MiB, one slope per "
      "repetition (these are the samples)";
  r.placement = steps.back()->placement;
  r.derived = true;
  std::string xs_text;
  for (double x : xs) xs_text += (xs_text.empty() ? "" : ", ") + fmt::format("{:g}", x);
  r.formula = "slope of median(process.fork_rss/rss_mib:R) over R = " + xs_text + " MiB, per repetition";
  r.derived_from = steps.back()->probe;
  r.timer_overhead_ns = steps.back()->timer_overhead_ns;
  // One slope per repetition: each is its own repetition, so the rerun interval sees their spread.
  std::vector<std::vector<double>> per_rep;
  for (double slope : slopes) per_rep.push_back({slope});
  summarize_into(r, per_rep, nullptr);
  assess_rerun(r, false);
  return r;
}

}  // namespace

bool feeds_derivation(const Record& record) {
  for (const Derivation& d : derivation_registry())
    if (record.probe == d.from || record.probe.rfind(d.from + "/", 0) == 0) return true;
  return false;
}

std::string derived_base_id(const std::string& record_id, const std::vector<std::string>& record_ids) {
  auto after = [&record_id](const std::string& name) -> std::optional<std::string> {
    if (record_id.rfind(name, 0) != 0) return std::nullopt;
    const std::string rest = record_id.substr(name.size());
    if (!rest.empty() && rest[0] != '/') return std::nullopt;
    return rest;
  };
  for (const Derivation& d : derivation_registry())
    if (const auto rest = after(d.name)) return d.from + *rest;
  const auto rest = after(kForkRssSlope);
  if (!rest) return "";
  const std::string prefix = kForkRssStepPrefix;
  std::string base;
  double most = -1;
  for (const std::string& id : record_ids) {
    if (id.rfind(prefix, 0) != 0 || id.size() <= prefix.size() + rest->size() ||
        id.compare(id.size() - rest->size(), rest->size(), *rest) != 0)
      continue;
    const std::string mib = id.substr(prefix.size(), id.size() - prefix.size() - rest->size());
    if (mib.empty() || mib.find_first_not_of("0123456789") != std::string::npos) continue;
    if (const double r = std::stod(mib); r > most) {
      most = r;
      base = id;
    }
  }
  return base;
}

std::vector<Record> derive_records(const std::vector<Record>& measured) {
  std::vector<Record> out;
  for (const Derivation& d : derivation_registry()) {
    for (const Record& r : measured) {
      if (r.status != RunStatus::Ok || r.samples.empty()) continue;
      // A parametrised probe ("ctxswitch.ws.process/ws:65536") derives with the same parameters: its
      // SELF is "ctxswitch.ws.self/ws:65536" and the result "ctxswitch.ws.process.per_switch/ws:65536".
      std::string suffix;
      if (r.probe != d.from) {
        if (r.probe.rfind(d.from + "/", 0) != 0) continue;
        suffix = r.probe.substr(d.from.size());
      }
      double self_median = 0;
      if (!d.minus_twice.empty()) {
        const Record* self = find_ok(measured, d.minus_twice + suffix);
        if (self == nullptr) continue;
        self_median = self->stats.p50;
      }
      Derivation named = d;
      named.name += suffix;
      named.minus_twice += d.minus_twice.empty() ? "" : suffix;
      Record derived = derive_one(named, r, self_median);
      derived.params = r.params;
      derived.derived_from = r.probe;
      out.push_back(std::move(derived));
    }
  }
  // One fit per placement the steps ran in (same-cpu, unpinned), in the order they first appear.
  std::vector<PlacementKind> placements;
  for (const Record& r : measured)
    if (r.probe.rfind("process.fork_rss/", 0) == 0 &&
        std::find(placements.begin(), placements.end(), r.placement.kind) == placements.end())
      placements.push_back(r.placement.kind);
  for (PlacementKind p : placements)
    if (auto fit = fit_fork_rss(measured, p)) out.push_back(std::move(*fit));
  return out;
}

namespace {

// Report order: each measured record, and after the last record of a probe the records derived from it,
// each once. A probe's records need not be adjacent: an interleaved run files a skipped placement at once
// and a measured one after its last round.
// Pairs of (is_derived, index).
std::vector<std::pair<bool, std::size_t>> report_order(const std::vector<Record>& measured,
                                                       const std::vector<Record>& derived) {
  std::vector<std::size_t> after(derived.size(), measured.size());  // measured.size(): no source, at the end
  for (std::size_t d = 0; d < derived.size(); ++d)
    for (std::size_t i = 0; i < measured.size(); ++i)
      if (measured[i].probe == derived[d].derived_from) after[d] = i;
  std::vector<std::pair<bool, std::size_t>> order;
  for (std::size_t i = 0; i <= measured.size(); ++i) {
    if (i < measured.size()) order.emplace_back(false, i);
    for (std::size_t d = 0; d < derived.size(); ++d)
      if (after[d] == i) order.emplace_back(true, d);
  }
  return order;
}

}  // namespace

std::vector<const Record*> interleave_derived(const std::vector<Record>& measured, const std::vector<Record>& derived) {
  std::vector<const Record*> out;
  for (const auto& [is_derived, i] : report_order(measured, derived))
    out.push_back(is_derived ? &derived[i] : &measured[i]);
  return out;
}

std::vector<Record> with_derived(std::vector<Record> measured) {
  std::vector<Record> derived = derive_records(measured);
  std::vector<Record> out;
  // Measured records move (they hold the samples), so the result costs no second copy of them.
  for (const auto& [is_derived, i] : report_order(measured, derived))
    out.push_back(is_derived ? std::move(derived[i]) : std::move(measured[i]));
  return out;
}

}  // namespace ctxbench
