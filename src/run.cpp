#include "src/run.hpp"

#include "engine/probe_host.hpp"
#include "engine/watchdog.hpp"
#include "probes/registry.hpp"
#include "src/interleave.hpp"
#include "src/result_sink.hpp"
#include "src/run_context.hpp"

namespace ctxbench {

RunOutcome run_plan(const Options& o, const std::vector<std::string>& argv, const std::vector<PlannedRun>& plan,
                    const ProbeTableConfig& table) {
  // Before anything slow: a Ctrl-C during start-up still ends in an "interrupted" JSON and exit 130.
  install_stop_handlers();
  RunContext run(o, argv, table);
  // Interleaving (src/interleave.hpp): round k runs repetition k of every probe. A record is made once
  // its last round is in, so the file and the progress lines follow the rounds.
  RoundScheduler rounds(plan, run.settings(), o.interleave);
  ResultSink sink(o.json_path, rounds.interleaved(), static_cast<int>(plan.size()), run.meta(), run.machine());
  // The rounds before a record's last keep their samples in the sink's spool, not in memory.
  rounds.spool_into(sink.sample_spool());
  auto record_if_finished = [&](std::size_t i, bool interrupted) {
    if (!rounds.finished(i, interrupted)) return;
    const std::optional<ProbeRun> merged = rounds.take(i);
    Record record = run.record_of(plan[i], merged ? &*merged : nullptr);
    // --explain: the traced pass follows the record's last timed round (never on an interrupted run).
    if (merged && !interrupted) run.explain(plan[i], record);
    sink.add(std::move(record));
  };
  try {
    for (int round = 0; round < rounds.rounds(); ++round) {
      for (std::size_t i = 0; i < plan.size(); ++i) {
        if (!rounds.due(i, round)) continue;
        if (plan[i].skip_reason.empty())
          rounds.add(i, run_in_measuring_process(run.request_of(plan[i], rounds.per_round()), find_in_table));
        record_if_finished(i, false);
      }
      sink.round_done(round, rounds.rounds());
    }
    run.meta().complete = true;
  } catch (const Interrupted&) {
    run.interrupted();
    // Records of the rounds that finished: fewer repetitions than asked, which their statistics show.
    for (std::size_t i = 0; i < plan.size(); ++i) record_if_finished(i, true);
  }
  const SharedCauses shared = sink.shared_causes();
  run.close(sink.measured(), shared);
  RunOutcome out;
  out.records = sink.finish(shared);
  out.meta = run.take_meta();
  out.machine = run.take_machine();
  out.file_incomplete = sink.file_incomplete();
  out.spool_failed = sink.spool_failed();
  sink.print(out.meta, out.machine, out.records);
  return out;
}

}  // namespace ctxbench
