// The `machine` block (README.md, "What the JSON holds"): what the numbers were measured on.
//
// Split in two so tests can use a fixture tree: read_machine_files() (engine/machine_files.hpp, does the
// I/O) reads a fixed list of /proc and /sys files under a root directory into a FileSnapshot;
// parse_machine() (pure) turns a snapshot into MachineInfo. machine_to_json() renders it.
#pragma once

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/emulation.hpp"
#include "analysis/truth.hpp"

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

// One cpuidle state of cpu0 (sys/devices/system/cpu/cpu0/cpuidle/stateN): what a wake-up of an idle CPU pays.
struct IdleState {
  std::string name;                     // "WFI", "cpu-sleep", "C1", "haltpoll"...
  std::optional<long long> latency_us;  // exit latency
  std::optional<bool> disabled;         // "disable" is 1
};

// Where one logical CPU sits, for naming the relation of two pinned tasks (cpu_relation).
struct CpuTopology {
  int cpu = -1;
  std::optional<int> package, core_id, node;
  std::vector<int> thread_siblings;  // thread_siblings_list, the CPU itself included
  std::vector<int> llc_cpus;         // shared_cpu_list of the CPU's highest-level cache
  std::optional<int> capacity;       // cpuN/cpu_capacity (1024 = the machine's biggest core), where exposed
  std::string core_type;             // "core" or "atom" on Intel hybrid CPUs (sys/devices/cpu_<type>/cpus); on
                                     // aarch64 the part name of the CPU's MIDR ("Cortex-A55"), where known
  std::optional<int> cluster_id;     // topology/cluster_id (big.LITTLE clusters, the L2/L3 groups of a server)
  std::vector<int> cluster_cpus;     // topology/cluster_cpus_list
};

// One kind of core of an aarch64 machine: the CPUs whose /proc/cpuinfo MIDR fields (CPU implementer, part,
// variant, revision, architecture) are all the same. A big.LITTLE machine has two or three.
struct CpuType {
  int implementer = 0, part = 0, variant = 0, revision = 0;
  std::string architecture;       // "CPU architecture" as printed: "8" on every ARMv8 and later CPU
  std::string vendor, name;       // arm_implementer_name, arm_part_name (analysis/arm_midr.hpp); "" when unknown
  std::vector<int> cpus;          // the processor numbers of cpuinfo, ascending
  std::vector<CacheInfo> caches;  // of its first CPU
};

// One place the microcode revision is looked for, in the order they are read, and what it said
// (docs/contracts.md, `microcode_sources`).
struct MicrocodeSource {
  std::string path;   // "/proc/cpuinfo" or "/sys/devices/system/cpu/cpu0/microcode/version"
  std::string field;  // "microcode" for cpuinfo's line; "" for a file that is the value
  std::string state;  // "found", "no_field" (the file read, no such line) or "absent" (no such file, or empty)
};

struct MachineInfo {
  std::string cpu_model, cpu_vendor;
  std::optional<int> cpu_family, cpu_model_number, cpu_stepping;
  std::string microcode;                           // the first source of microcode_sources that has it
  std::vector<MicrocodeSource> microcode_sources;  // every source read, in order
  int logical_cpus = 0;                            // from sys/devices/system/cpu/online (or cpuinfo count)
  std::vector<int> affinity;                       // Cpus_allowed_list of proc/self/status
  std::optional<int> cores;                        // distinct (package, core_id) pairs
  std::optional<int> threads_per_core;
  std::string smt;  // sys/devices/system/cpu/smt/control ("on", "off", "notsupported"...)
  std::optional<int> numa_nodes;
  std::vector<CacheInfo> caches;   // cpu0's caches
  std::vector<CpuType> cpu_types;  // aarch64 (cpuinfo has "CPU implementer"): each kind of core, by first CPU
  std::string kernel_release, kernel_version, kernel_cmdline;
  std::string governor, scaling_driver;  // cpu0 cpufreq; empty when absent
  std::optional<double> cpu_mhz;         // cpuinfo "cpu MHz" of the first CPU
  std::string boost;                     // cpufreq/boost or intel_pstate/no_turbo as "on"/"off"; "" if unknown
  std::string clocksource;
  bool hypervisor_flag = false;  // "hypervisor" in cpuinfo flags
  // DMI sys_vendor (else product_name) when the hypervisor flag is set, "none" when cpuinfo flags lack it;
  // empty when unknown (a guest without DMI, or no cpuinfo).
  std::string virtualization;
  // cpu.max ("max 100000", "50000 100000") of the process's cgroup v2, else of the root cgroup, else the
  // cgroup v1 cpu.cfs_quota_us/cpu.cfs_period_us rendered the same way.
  std::string cgroup_cpu_max;
  std::string thp;                                 // the [selected] value of transparent_hugepage/enabled
  std::map<std::string, std::string> mitigations;  // vulnerabilities/<name> -> content
  std::optional<int> aslr;                         // proc/sys/kernel/randomize_va_space
  std::optional<double> loadavg_1m, loadavg_5m, loadavg_15m;
  std::string hostname;                          // proc/sys/kernel/hostname
  std::string cpuidle_driver, cpuidle_governor;  // sys/devices/system/cpu/cpuidle; empty when absent
  std::vector<IdleState> idle_states;            // cpu0's cpuidle states, state0 first
  std::vector<CpuTopology> topology;             // one entry per online CPU, ascending
  // What decides the cost of waking an idle CPU (docs/METHODOLOGY.md, "Machine state"): halt polling of the host's KVM
  // module (seen in a guest only when the module is loaded there) and of the guest's cpuidle-haltpoll driver, the
  // hypervisor's CPUID vendor ("KVMKVMKVM"), and the /proc/stat cpu line for steal time.
  std::optional<long long> kvm_halt_poll_ns;           // sys/module/kvm/parameters/halt_poll_ns
  std::map<std::string, std::string> guest_halt_poll;  // sys/module/haltpoll/parameters/<name>
  std::string hypervisor_vendor;                       // cpuid/hypervisor_vendor
  std::optional<CpuTimes> cpu_times;                   // proc/stat when the snapshot was taken
  std::optional<StealOverRun> steal_over_run;          // set by main from two snapshots
  Emulation emulation;                                 // machine.emulated (analysis/emulation.hpp)
  // The scheduler in charge (docs/contracts.md, "The machine record"): a sched_ext BPF scheduler moves hand-off
  // figures by several times. "sched_ext" when sys/kernel/sched_ext/state is "enabled", else the kernel's fair
  // class by its release ("eevdf" from 6.6, "cfs" before); empty when neither is known.
  std::string scheduler;
  std::string sched_ext_state;               // sys/kernel/sched_ext/state; empty on kernels without sched_ext
  std::string sched_ext_ops;                 // sys/kernel/sched_ext/root/ops: the BPF scheduler's name
  std::optional<bool> sched_ext_switch_all;  // sys/kernel/sched_ext/switch_all: every task, not only SCHED_EXT
  std::optional<bool> sched_autogroup;       // proc/sys/kernel/sched_autogroup_enabled
  std::optional<bool> pcid, invpcid;         // x86 cpuinfo flags: TLB entries survive a switch of address space
};

MachineInfo parse_machine(const FileSnapshot& files);
// Parses a Linux CPU list ("0-3,8,10-11") into ascending CPUs; throws std::invalid_argument on bad text.
std::vector<int> parse_cpu_list(const std::string& text);
// proc/loadavg text -> {1 min, 5 min, 15 min}; nullopt when it does not start with three numbers.
std::optional<std::array<double, 3>> parse_loadavg(const std::string& text);
// Relation of two CPUs: "same", "smt-sibling", "same-llc", "other-llc", "other-node", or "unknown" when
// the topology does not say (or a CPU is negative, i.e. unpinned).
std::string cpu_relation(const MachineInfo& m, int a, int b);
// "eevdf" for a release from 6.6 on, "cfs" before, "" when `release` does not start with MAJOR.MINOR.
std::string fair_scheduler_of(const std::string& release);
// snake_case keys; unknown fields (empty strings, absent optionals, empty lists) are left out, never null.
nlohmann::json machine_to_json(const MachineInfo& m);

}  // namespace ctxbench
