// What a run sets up once before its first probe and closes after its last: the settings, the run's
// metadata, the machine snapshot, the --pm-qos hold and the --explain tracer. The run loop (src/run.cpp)
// asks it for each planned run's request and record.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/json_report.hpp"
#include "analysis/machine.hpp"
#include "analysis/record.hpp"
#include "analysis/shared_causes.hpp"
#include "engine/machine_files.hpp"
#include "engine/pm_qos.hpp"
#include "engine/probe_host.hpp"
#include "engine/run_result.hpp"
#include "engine/runner.hpp"
#include "probes/registry.hpp"
#include "src/explain_pass.hpp"
#include "src/options.hpp"
#include "src/plan.hpp"

namespace ctxbench {

class RunContext {
 public:
  // Reads the machine, measures the timer, loads the tracer (--explain) and holds PM QoS (--pm-qos);
  // what cannot be had becomes a run warning, never an error.
  RunContext(const Options& options, const std::vector<std::string>& argv, const ProbeTableConfig& table);
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  const RunnerSettings& settings() const { return settings_; }
  RunMeta& meta() { return meta_; }
  const MachineInfo& machine() const { return machine_; }

  // What a measuring process is asked to run for `planned`, with `settings` (one round's or the whole).
  HostRequest request_of(const PlannedRun& planned, const RunnerSettings& settings) const;
  // The record of `planned` from its merged rounds (nullptr: skipped before running).
  Record record_of(const PlannedRun& planned, const ProbeRun* run) const;
  // --explain: the traced pass after the record's last timed round (a no-op without --explain).
  void explain(const PlannedRun& planned, Record& record);
  // A stop signal ended the run.
  void interrupted();
  // The end-of-run facts (end time, load, steal over the run, the machine's findings) and the run
  // warnings the measured records and their shared causes give.
  void close(const std::vector<Record>& measured, const SharedCauses& shared);
  // The meta and machine block, moved out once the run is closed.
  RunMeta take_meta() { return std::move(meta_); }
  MachineInfo take_machine() { return std::move(machine_); }

 private:
  RunnerSettings settings_;
  ProbeTableConfig table_;
  RunMeta meta_;
  FileSnapshot machine_files_;
  MachineInfo machine_;
  std::optional<ExplainPass> explain_;
  std::optional<PmQosHold> pm_qos_;
};

}  // namespace ctxbench
