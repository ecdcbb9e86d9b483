#include "src/explain_pass.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "analysis/explain_timer.hpp"
#include "engine/os.hpp"
#include "probes/registry.hpp"

namespace ctxbench {

namespace {

// Enough single ops for a stable median and a p99 from ~20 values: 2000 pipe round trips on one CPU are
// ~30 000 events. Long ops (a posix_spawn resets 64 signal handlers in the child: ~350 events per op) get
// fewer, so that a pass lasts about kPassBudgetNs and stays inside the ring buffer's ~1M events
// (engine/explain/explain.bpf.c); never fewer than kMinTracedOps.
constexpr std::uint64_t kTracedOps = 2000;
constexpr std::uint64_t kQuickTracedOps = 300;
constexpr std::uint64_t kMinTracedOps = 200;
constexpr double kPassBudgetNs = 0.5e9;

std::uint64_t traced_ops_for(std::uint64_t most, double op_ns, double inner_ops) {
  if (!(op_ns > 0)) return most;
  const double fit = kPassBudgetNs / (op_ns * std::max(inner_ops, 1.0));
  return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(fit), std::min(kMinTracedOps, most), most);
}

// The CPUs whose IPIs belong to the pass: the pinned ones, or all the scheduler may use.
std::vector<int> cpus_of(const Placement& p) {
  if (p.kind == PlacementKind::SameCpu) return {p.cpu_a};
  if (p.kind == PlacementKind::CrossCpu) return {p.cpu_a, p.cpu_b};
  return allowed_cpus();
}

// Disarms the tracer on every way out of a pass, Interrupted included.
class ArmedTracer {
 public:
  ArmedTracer(KernelTracer& tracer, const std::vector<int>& cpus, bool from_marker, bool idle_states)
      : tracer_(tracer) {
    tracer_.arm(gettid_now(), cpus, from_marker, idle_states);
  }
  ~ArmedTracer() {
    if (!finished_) (void)tracer_.finish();
  }
  TraceCapture finish() {
    finished_ = true;
    return tracer_.finish();
  }

 private:
  KernelTracer& tracer_;
  bool finished_ = false;
};

// CTXBENCH_EXPLAIN_DUMP=FILE appends each traced pass's raw events and op windows as text, for whoever
// checks a breakdown by hand (docs/METHODOLOGY.md, "Where the time went"): "E ts kind cpu tid other arg",
// "W start end", after a "P id initiator lost=N missed=N" line (missed: program runs the kernel skipped).
void dump_pass(const char* path, const std::string& id, const TraceCapture& capture, const RepetitionRun& rep) {
  std::FILE* f = std::fopen(path, "a");
  if (f == nullptr) return;
  std::fprintf(f, "P %s %d lost=%llu missed=%llu\n", id.c_str(), rep.initiator_tid,
               static_cast<unsigned long long>(capture.lost), static_cast<unsigned long long>(capture.missed));
  for (const ctxbench_trace_event& e : capture.events)
    std::fprintf(f, "E %llu %u %u %d %d %lld\n", e.ts_ns, e.kind, e.cpu, e.tid, e.other, e.arg);
  for (std::size_t i = 0; i + 1 < rep.op_windows.size(); i += 2)
    std::fprintf(f, "W %llu %llu\n", static_cast<unsigned long long>(rep.op_windows[i]),
                 static_cast<unsigned long long>(rep.op_windows[i + 1]));
  std::fclose(f);
}

// Reported ops per traced window (ProbeInfo::explain_ops_per_window).
std::uint64_t ops_per_window(const ProbeInfo& info) {
  return info.explain_ops_per_window > 0 ? info.explain_ops_per_window : std::max<std::uint64_t>(info.inner_ops, 1);
}

}  // namespace

std::uint64_t traced_ops_after_loss(std::uint64_t ops, std::uint64_t kept, std::uint64_t lost) {
  if (kept + lost == 0) return 0;
  // The ops whose events the buffer held, less a fifth: the events per op vary from pass to pass.
  const double held = static_cast<double>(ops) * static_cast<double>(kept) / static_cast<double>(kept + lost);
  const auto fewer = static_cast<std::uint64_t>(0.8 * held);
  return fewer >= kMinOpsAfterLoss && fewer < ops ? fewer : 0;
}

ExplainPass::ExplainPass(bool quick, double tail_quantile)
    : traced_ops_(quick ? kQuickTracedOps : kTracedOps), tail_quantile_(tail_quantile) {
  tracer_ = KernelTracer::open(unavailable_);
}

void ExplainPass::explain(const HostRequest& timed, const ProbeInfo& info, Record& record) {
  if (!info.explainable) {
    if (!info.explain_why_not.empty())
      record.explain = explanation_not_run(
          ExplainStatus::Skipped, info.explain_why_not_key.empty() ? "not_explainable" : info.explain_why_not_key,
          "not explained: " + info.explain_why_not);
    return;
  }
  if (!tracer_) {
    record.explain = explanation_not_run(ExplainStatus::Skipped, "tracer_unavailable", unavailable_);
    return;
  }
  if (record.status != RunStatus::Ok) {
    record.explain = explanation_not_run(ExplainStatus::Skipped, "record_not_ok",
                                         "the record has no figures to explain (" + status_name(record.status) + ")");
    return;
  }
  HostRequest traced = timed;
  traced.settings.traced_ops = traced_ops_for(traced_ops_, record.stats.p50, static_cast<double>(ops_per_window(info)));
  ProbeRun run;
  TraceCapture capture;
  // A pass that filled the ring buffer (ops with ~10^4 events each: a PostgreSQL backend forked per query) runs
  // once more with as many ops as the buffer held; a second loss is reported as lost_events.
  for (int pass = 0; pass < 2; ++pass) {
    {
      ArmedTracer armed(*tracer_, cpus_of(timed.placement), info.explain_from_first_op,
                        info.explain_model == ProbeInfo::ExplainModel::TimerWakeup);
      run = run_in_measuring_process(traced, find_in_table);
      capture = armed.finish();
    }
    if (run.status != RunStatus::Ok || capture.lost == 0 || !capture.attach_error.empty()) break;
    const std::uint64_t fewer = traced_ops_after_loss(traced.settings.traced_ops, capture.events.size(), capture.lost);
    if (fewer == 0) break;
    traced.settings.traced_ops = fewer;
  }
  if (run.status != RunStatus::Ok || run.repetitions.size() != 1) {
    record.explain = explanation_not_run(
        ExplainStatus::Failed, "traced_pass_failed",
        "the traced pass did not run: " + (run.reason.empty() ? status_name(run.status) : run.reason));
    return;
  }
  if (!capture.attach_error.empty()) {
    record.explain = explanation_not_run(ExplainStatus::Failed, "attach_failed", capture.attach_error);
    return;
  }
  const RepetitionRun& rep = run.repetitions.front();
  if (const char* dump = std::getenv("CTXBENCH_EXPLAIN_DUMP")) dump_pass(dump, record.id(), capture, rep);
  Explanation x = info.explain_model == ProbeInfo::ExplainModel::TimerWakeup
                      ? explain_timer_pass(std::move(capture.events), capture.lost, rep.op_windows, rep.initiator_tid,
                                           capture.names, tail_quantile_)
                      : explain_pass(std::move(capture.events), capture.lost, rep.op_windows, rep.initiator_tid,
                                     ops_per_window(info), capture.names, tail_quantile_,
                                     info.explain_measured_tasks_only ? rep.measured_tids : std::vector<int>{},
                                     info.explain_other_side);
  x.untraced_median_ns = record.stats.p50;
  record.explain = std::move(x);
}

}  // namespace ctxbench
