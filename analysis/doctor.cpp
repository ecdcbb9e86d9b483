#include "analysis/doctor.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "analysis/arm_cpu.hpp"

namespace ctxbench {
namespace {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

bool has_word(const std::string& cmdline, const std::string& key) {
  std::size_t at = 0;
  while ((at = cmdline.find(key, at)) != std::string::npos) {
    if (at == 0 || cmdline[at - 1] == ' ') return true;
    at += key.size();
  }
  return false;
}

// cpu0's enabled idle states with a non-zero exit latency: "haltpoll idle (1 us)".
std::vector<std::string> deep_idle_states(const FileSnapshot& files) {
  const std::string dir = "sys/devices/system/cpu/cpu0/cpuidle/";
  std::vector<std::string> out;
  for (const auto& [path, content] : files) {
    if (path.rfind(dir, 0) != 0 || path.size() < 5 || path.compare(path.size() - 5, 5, "/name") != 0) continue;
    const std::string state = path.substr(0, path.size() - 5);
    auto it = files.find(state + "/latency");
    auto off = files.find(state + "/disable");
    if (it == files.end() || (off != files.end() && trimmed(off->second) == "1")) continue;
    const long latency = std::strtol(it->second.c_str(), nullptr, 10);
    if (latency > 0) out.push_back(fmt::format("{} ({} us)", trimmed(content), latency));
  }
  return out;
}

// "0-3,8" for ascending CPUs.
std::string ranges(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out += j > i ? fmt::format("{}{}-{}", out.empty() ? "" : ",", cpus[i], cpus[j])
                 : fmt::format("{}{}", out.empty() ? "" : ",", cpus[i]);
    i = j + 1;
  }
  return out;
}

// "capacity 1024: 0-3; capacity 400: 4-11; core: 0-3; atom: 4-11", or "" when every CPU is alike.
std::string asymmetry(const MachineInfo& m) {
  std::map<int, std::vector<int>, std::greater<>> by_capacity;
  std::map<std::string, std::vector<int>> by_type;
  for (const CpuTopology& t : m.topology) {
    if (t.capacity) by_capacity[*t.capacity].push_back(t.cpu);
    if (!t.core_type.empty()) by_type[t.core_type].push_back(t.cpu);
  }
  std::string out;
  if (by_capacity.size() > 1)
    for (const auto& [capacity, cpus] : by_capacity)
      out += fmt::format("{}capacity {}: {}", out.empty() ? "" : "; ", capacity, ranges(cpus));
  if (by_type.size() > 1)
    for (const auto& [type, cpus] : by_type)
      out += fmt::format("{}{}: {}", out.empty() ? "" : "; ", type, ranges(cpus));
  return out;
}

void scheduler_findings(const MachineInfo& m, std::vector<Finding>& out) {
  if (m.scheduler == "sched_ext")
    out.push_back({"scheduler",
                   fmt::format("a sched_ext BPF scheduler{} decides where and when tasks run, not the kernel's "
                               "own: wake-up placement and hand-off figures follow its policy",
                               m.sched_ext_ops.empty() ? "" : " (" + m.sched_ext_ops + ")"),
                   "stop the BPF scheduler to measure the kernel's own; compare only runs under the same "
                   "scheduler (machine.scheduler, machine.sched_ext_ops)"});
  if (m.sched_autogroup.value_or(false))
    out.push_back({"autogroup",
                   "sched_autogroup is on: each session's tasks share one group's CPU time, so a busy task "
                   "in another terminal weighs as much as all of ctxbench's tasks together",
                   "sysctl kernel.sched_autogroup_enabled=0 (or boot with noautogroup)"});
  if (const std::string a = asymmetry(m); !a.empty())
    out.push_back({"core types",
                   fmt::format("the CPUs are not alike ({}): a pinned figure depends on which kind its CPUs are", a),
                   "pick --cpus of one kind and compare only runs pinned to the same kind"});
}

}  // namespace

std::vector<Finding> machine_findings(const MachineInfo& m, const FileSnapshot& files, std::optional<double> steal_now,
                                      bool pm_qos_held) {
  std::vector<Finding> out;
  // First: under an emulator no other finding matters (docs/METHODOLOGY.md, "Emulated runs").
  if (m.emulation.emulated)
    out.push_back(
        {"emulated",
         fmt::format("{} ({}): the figures measure the emulator translating {} code on {}", m.emulation.emulator,
                     fmt::join(m.emulation.reason_kinds, ", "),
                     m.emulation.binary_arch.empty() ? "this" : m.emulation.binary_arch,
                     m.emulation.cpu_arch.empty() ? "another CPU" : m.emulation.cpu_arch + " hardware"),
         "run the native build on a real " +
             (m.emulation.binary_arch.empty() ? std::string("machine") : m.emulation.binary_arch + " machine") +
             "; use this run only to check that ctxbench works"});
  if (!m.governor.empty() && m.governor != "performance")
    out.push_back({"governor",
                   fmt::format("the cpufreq governor is {}: the clock rises and falls with load", m.governor),
                   "cpupower frequency-set -g performance"});
  if (m.boost == "on")
    out.push_back(
        {"boost", "turbo/boost is on: the clock depends on temperature and on the other cores' load",
         "echo 0 > /sys/devices/system/cpu/cpufreq/boost (intel_pstate: echo 1 > .../intel_pstate/no_turbo)"});
  if (m.smt == "on" || m.threads_per_core.value_or(1) > 1)
    out.push_back({"SMT", "SMT is on: a task on a sibling thread slows a pinned probe",
                   "pick --cpus whose siblings stay idle, or echo off > /sys/devices/system/cpu/smt/control"});
  if (!m.kernel_cmdline.empty() && !has_word(m.kernel_cmdline, "isolcpus=") &&
      !has_word(m.kernel_cmdline, "nohz_full="))
    out.push_back({"isolation",
                   "no CPU is isolated (no isolcpus= or nohz_full= on the kernel command line): other "
                   "tasks and the scheduler tick share the measured CPUs",
                   "boot with isolcpus=2,3 nohz_full=2,3 (for example) and run with --cpus 2,3"});
  const std::vector<std::string> idle = deep_idle_states(files);
  if (!idle.empty() && !pm_qos_held) {
    std::string list;
    for (const std::string& s : idle) list += (list.empty() ? "" : ", ") + s;
    out.push_back({"idle states",
                   fmt::format("CPUs may enter idle states with an exit latency ({}{}): a cross-CPU wake-up pays the "
                               "exit",
                               m.cpuidle_driver.empty() ? "" : "driver " + m.cpuidle_driver + ": ", list),
                   "run with --pm-qos (root: holds /dev/cpu_dma_latency at 0), or --keep-awake to measure without"});
  }
  if (m.thp == "always")
    out.push_back({"THP", "transparent huge pages are 'always': fork and page-fault costs vary with khugepaged",
                   "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled"});
  std::size_t mitigated = 0;
  for (const auto& [name, state] : m.mitigations)
    if (state.rfind("Mitigation", 0) == 0) ++mitigated;
  if (mitigated > 0)
    out.push_back({"mitigations",
                   fmt::format("{} CPU vulnerability mitigations are active: system calls and switches "
                               "cost more than without them",
                               mitigated),
                   "compare only runs with the same mitigations (machine.mitigations in the JSON)"});
  if (m.loadavg_1m && *m.loadavg_1m >= 0.3)
    out.push_back({"load", fmt::format("the 1-minute load average is {:.2f}: other tasks are running", *m.loadavg_1m),
                   "stop other work and wait until uptime shows a load under 0.3"});
  if (steal_now && *steal_now > 0.02)
    out.push_back({"steal", fmt::format("{:.1f}% of CPU time was stolen by the host just now", *steal_now * 100),
                   "run when the host is quieter, or on dedicated host CPUs"});
  scheduler_findings(m, out);
  if (m.hypervisor_flag || (!m.virtualization.empty() && m.virtualization != "none"))
    out.push_back(
        {"virtualization",
         fmt::format("a virtual machine{}: the host schedules the vCPUs, so its load moves the figures",
                     m.virtualization.empty() || m.virtualization == "none" ? "" : " (" + m.virtualization + ")"),
         "ask for dedicated, pinned host CPUs; compare with the rerun column of each record"});
  return out;
}

std::string machine_summary(const MachineInfo& m) {
  std::string head = m.cpu_types.size() == 1 || m.cpu_model.empty() ? "" : m.cpu_model;
  if (m.logical_cpus > 0) head += fmt::format("{}{} logical CPUs", head.empty() ? "" : "; ", m.logical_cpus);
  if (!m.clocksource.empty()) head += fmt::format("{}clocksource {}", head.empty() ? "" : "; ", m.clocksource);
  if (!m.cpuidle_driver.empty()) head += fmt::format("{}cpuidle {}", head.empty() ? "" : "; ", m.cpuidle_driver);
  std::string out;
  for (const CpuType& t : m.cpu_types) {
    std::set<int, std::greater<>> capacities;
    for (const CpuTopology& c : m.topology)
      if (c.capacity && std::binary_search(t.cpus.begin(), t.cpus.end(), c.cpu)) capacities.insert(*c.capacity);
    const nlohmann::json j = cpu_type_to_json(t);
    out +=
        fmt::format("{}{} ({}/{}{}): CPUs {}\n", m.cpu_types.size() == 1 ? "machine: " : "  ", cpu_type_full_name(t),
                    j.at("implementer").get<std::string>(), j.at("part").get<std::string>(),
                    capacities.empty() ? "" : fmt::format(", capacity {}", fmt::join(capacities, "/")), ranges(t.cpus));
  }
  if (m.cpu_types.empty()) return head.empty() ? "" : "machine: " + head + "\n";
  if (m.cpu_types.size() == 1) return out + (head.empty() ? "" : "  " + head + "\n");
  return "machine: " + head + "\n" + out;
}

std::string format_findings(const std::vector<Finding>& findings) {
  if (findings.empty()) return "ready: nothing found that moves the figures\n";
  std::string out;
  for (const Finding& f : findings) out += fmt::format("{}: {}\n    remedy: {}\n", f.topic, f.finding, f.remedy);
  out += fmt::format("{} finding{}; ctxbench doctor changes nothing by itself\n", findings.size(),
                     findings.size() == 1 ? "" : "s");
  return out;
}

nlohmann::json findings_to_json(const std::vector<Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const Finding& f : findings) out.push_back({{"topic", f.topic}, {"finding", f.finding}, {"remedy", f.remedy}});
  return out;
}

}  // namespace ctxbench
