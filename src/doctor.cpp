#include "src/doctor.hpp"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "analysis/doctor.hpp"
#include "analysis/machine.hpp"
#include "engine/machine_files.hpp"

namespace ctxbench {

int doctor_main(const std::vector<std::string>& args) {
  std::string root = "/";
  bool as_json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--root" && i + 1 < args.size()) {
      root = args[++i];
    } else if (args[i] == "--json") {
      as_json = true;
    } else if (args[i] == "--help" || args[i] == "-h") {
      std::fputs(
          "usage: ctxbench doctor [--root DIR] [--json]\n  what about this machine will move the figures, and the "
          "remedies; exit 0 ready, 1 findings\n  --json: the machine block a run would write (machine and its "
          "findings, docs/contracts.md) instead of the text\n",
          stdout);
      return 0;
    } else {
      std::fprintf(stderr, "ctxbench doctor: unknown option '%s' (see --help)\n", args[i].c_str());
      return 2;
    }
  }
  const FileSnapshot files = read_machine_files(root);
  if (files.empty()) {
    std::fprintf(stderr, "ctxbench doctor: --root %s: no machine file readable there\n", root.c_str());
    return 2;
  }
  const MachineInfo m = parse_machine(files);
  // Steal now: /proc/stat over one second (a fixture tree has no "now").
  std::optional<double> steal_now;
  if (root == "/") {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const MachineInfo later = parse_machine(read_machine_files(root));
    if (auto s = steal_between(m.cpu_times, later.cpu_times)) steal_now = s->fraction;
  }
  const std::vector<Finding> findings = machine_findings(m, files, steal_now, false);
  if (as_json) {
    // The run's own machine block (analysis/json_report.cpp): the same renderer, the same findings.
    nlohmann::json block = machine_to_json(m);
    block["findings"] = findings_to_json(findings);
    std::fputs((nlohmann::json{{"machine", block}}.dump(1) + "\n").c_str(), stdout);
  } else {
    std::fputs((machine_summary(m) + format_findings(findings)).c_str(), stdout);
  }
  return findings.empty() ? 0 : 1;
}

}  // namespace ctxbench
