// The `machine` block of DESIGN.md §5: what the numbers were measured on.
//
// Split in two so tests can use a fixture tree: read_machine_files() (probes/machine_files.hpp, does the
// I/O) reads a fixed list of /proc and /sys files under a root directory into a FileSnapshot;
// parse_machine() (pure) turns a snapshot into MachineInfo. machine_to_json() renders it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ctxbench {

// path relative to root ("proc/cpuinfo", "sys/devices/system/cpu/online") -> file content.
// Missing/unreadable files are absent. Directory listings a parser needs are stored under
// "<dir>/" with one entry name per line (e.g. "sys/devices/system/cpu/vulnerabilities/").
using FileSnapshot = std::map<std::string, std::string>;

struct CacheInfo {
  int level = 0;
  std::string type;  // Data, Instruction, Unified
  long long size_bytes = 0;
  std::string shared_cpu_list;
};

struct MachineInfo {
  std::string cpu_model, cpu_vendor;
  std::optional<int> cpu_family, cpu_model_number, cpu_stepping;
  std::string microcode;
  int logical_cpus = 0;                 // from sys/devices/system/cpu/online (or cpuinfo count)
  std::vector<int> affinity;            // Cpus_allowed_list of proc/self/status
  std::optional<int> cores;             // distinct (package, core_id) pairs
  std::optional<int> threads_per_core;
  std::string smt;                      // sys/devices/system/cpu/smt/control ("on", "off", "notsupported"...)
  std::optional<int> numa_nodes;
  std::vector<CacheInfo> caches;        // cpu0's caches
  std::string kernel_release, kernel_version, kernel_cmdline;
  std::string governor, scaling_driver; // cpu0 cpufreq; empty when absent
  std::optional<double> cpu_mhz;        // cpuinfo "cpu MHz" of the first CPU
  std::string boost;                    // cpufreq/boost or intel_pstate/no_turbo, rendered "on"/"off"; empty if unknown
  std::string clocksource;
  bool hypervisor_flag = false;         // "hypervisor" in cpuinfo flags
  std::string virtualization;           // sys/class/dmi/id/sys_vendor or product_name when hypervisor; "none" otherwise
  std::string cgroup_cpu_max;           // sys/fs/cgroup/cpu.max
  std::string thp;                      // the [selected] value of transparent_hugepage/enabled
  std::map<std::string, std::string> mitigations;  // vulnerabilities/<name> -> content
  std::optional<int> aslr;              // proc/sys/kernel/randomize_va_space
  std::optional<double> loadavg_1m, loadavg_5m, loadavg_15m;
  std::string hostname;                 // proc/sys/kernel/hostname
};

MachineInfo parse_machine(const FileSnapshot& files);
// Parses a Linux CPU list ("0-3,8,10-11") into ascending CPUs; throws std::invalid_argument on bad text.
std::vector<int> parse_cpu_list(const std::string& text);
nlohmann::json machine_to_json(const MachineInfo& m);

}  // namespace ctxbench
