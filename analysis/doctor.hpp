// `ctxbench doctor` (README.md, "Is this machine ready?"): what about this machine will move the figures,
// and what to do about it, one finding per line, like pyperf's `system show`. Pure: the machine files are
// read by engine/machine_files.cpp and the load and steal sampled by src/doctor.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/machine.hpp"

namespace ctxbench {

struct Finding {
  std::string topic;    // "governor", "idle states", ...
  std::string finding;  // what is the case here
  std::string remedy;   // what to do about it
};

// What the machine state says. `files` holds what parse_machine read (the idle states come from it);
// `steal_now` is the steal share of CPU time over a short window, when measured; `pm_qos_held`: ctxbench
// holds /dev/cpu_dma_latency at 0 for the run (--pm-qos), so idle states are no finding.
std::vector<Finding> machine_findings(const MachineInfo& m, const FileSnapshot& files, std::optional<double> steal_now,
                                      bool pm_qos_held);

// What the machine is, above the findings: the CPU model (on aarch64 one line per kind of core: its MIDR name,
// numbers, cpu_capacity and CPUs), the logical CPUs, the clocksource and the cpuidle driver.
std::string machine_summary(const MachineInfo& m);
std::string format_findings(const std::vector<Finding>& findings);
nlohmann::json findings_to_json(const std::vector<Finding>& findings);

}  // namespace ctxbench
