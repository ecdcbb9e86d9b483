// The --explain block of a record (docs/contracts.md, "explain"): each phase with its stable `key` beside
// its text.
#include "analysis/json_parts.hpp"

namespace ctxbench {

using nlohmann::json;

namespace {

// docs/contracts.md, "explain.tail".
json tail_json(const TailExplanation& t) {
  json j;
  put(j, "quantile", t.quantile);
  j["ops_in_tail"] = t.ops_in_tail;
  j["median_ops"] = t.median_ops;
  put(j, "median_op_ns", t.median_op_ns);
  put(j, "tail_op_ns", t.tail_op_ns);
  put(j, "excess_ns", t.excess_ns);
  put(j, "silent_threshold_ns", t.silent_threshold_ns);
  json phases = json::array();
  for (const TailPhase& p : t.phases) {
    json jp;
    jp["key"] = p.key;
    jp["phase"] = p.phase;
    put(jp, "median_ns", p.median_ns);
    put(jp, "tail_ns", p.tail_ns);
    put(jp, "excess_ns", p.excess_ns);
    phases.push_back(jp);
  }
  j["phases"] = phases;
  json causes = json::array();
  for (const TailCause& c : t.causes) {
    json jc;
    jc["kind"] = c.kind;
    jc["name"] = c.name;
    if (c.pid > 0) jc["pid"] = c.pid;
    if (!c.klass.empty()) jc["class"] = c.klass;
    put(jc, "ns", c.ns);
    put(jc, "share", c.share);
    jc["count"] = c.count;
    causes.push_back(jc);
  }
  j["causes"] = causes;
  return j;
}

}  // namespace

json explain_json(const Explanation& x) {
  json j;
  j["status"] = explain_status_name(x.status);
  if (!x.reason.empty()) j["reason"] = x.reason;
  if (!x.reason_key.empty()) j["reason_key"] = x.reason_key;
  if (x.status == ExplainStatus::Skipped || x.status == ExplainStatus::Failed) return j;
  j["traced_ops"] = x.ops;
  j["followed_ops"] = x.followed;
  j["events"] = x.events;
  j["lost_events"] = x.lost_events;
  j["inferred_switches"] = x.inferred_switches;
  put(j, "traced_median_ns", x.traced_median_ns);
  put(j, "untraced_median_ns", x.untraced_median_ns);
  put(j, "observer_effect_ns", x.traced_median_ns - x.untraced_median_ns);
  if (x.status == ExplainStatus::LostEvents || x.status == ExplainStatus::NoOps) return j;
  put(j, "explained_fraction", x.explained_fraction);
  json phases = json::array();
  for (const PhaseSummary& p : x.phases) {
    json jp;
    jp["key"] = p.key;
    jp["phase"] = p.phase;
    put(jp, "median_ns", p.median_ns);
    put(jp, "p99_ns", p.p99_ns);
    put(jp, "mean_ns", p.mean_ns);
    put(jp, "share", p.share);
    put(jp, "present", p.present);
    phases.push_back(jp);
  }
  j["phases"] = phases;
  j["wake_to_run"] = {{"hand_offs", x.hand_offs}};
  put(j["wake_to_run"], "median_ns", x.wake_to_run_median_ns);
  put(j["wake_to_run"], "mean_ns", x.wake_to_run_mean_ns);
  if (x.tail) j["tail"] = tail_json(*x.tail);
  json faults;  // docs/contracts.md, "explain.faults"
  put(faults, "user_per_op", x.user_faults_per_op);
  put(faults, "user_per_op_median", x.user_faults_per_op_median);
  put(faults, "kernel_per_op", x.kernel_faults_per_op);
  put(faults, "kernel_per_op_median", x.kernel_faults_per_op_median);
  faults["faults"] = x.faults;
  faults["timed"] = x.faults_timed;
  j["faults"] = faults;
  j["queued_to_run"] = json::object();
  put(j["queued_to_run"], "median_ns", x.queued_to_run_median_ns);
  put(j["queued_to_run"], "mean_ns", x.queued_to_run_mean_ns);
  return j;
}

}  // namespace ctxbench
