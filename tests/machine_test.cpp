// read_machine_files() + parse_machine() over fixture trees (tests/fixtures/machine/README.md), the CPU
// list parser, cpu_relation and the JSON rendering.
#include "analysis/machine.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/machine_files.hpp"

namespace ctxbench {
namespace {

std::string fixture(const std::string& name) {
  return std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/machine/" + name;
}

MachineInfo load(const std::string& name) { return parse_machine(read_machine_files(fixture(name))); }

// Walks a JSON value: no null anywhere, every number finite.
void expect_no_null_or_nan(const nlohmann::json& j, const std::string& where = "machine") {
  EXPECT_FALSE(j.is_null()) << where;
  if (j.is_number_float()) {
    EXPECT_TRUE(std::isfinite(j.get<double>())) << where;
  }
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) expect_no_null_or_nan(v, where + "." + k);
  }
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      expect_no_null_or_nan(j[i], where + "[" + std::to_string(i) + "]");
    }
  }
}

TEST(MachineFiles, ReadsFilesAndListings) {
  const FileSnapshot f = read_machine_files(fixture("kvm2"));
  EXPECT_EQ(f.at("sys/devices/system/cpu/online"), "0-1\n");
  EXPECT_NE(f.at("sys/devices/system/cpu/vulnerabilities/").find("spectre_v2\n"), std::string::npos);
  EXPECT_EQ(f.at("sys/devices/system/cpu/cpu0/cache/"), "index0\nindex1\nindex2\nindex3\n");
  EXPECT_EQ(f.at("sys/devices/system/node/"), "node0\n");
  EXPECT_EQ(f.at("sys/devices/system/cpu/cpu1/cache/index3/shared_cpu_list"), "0-1\n");
  EXPECT_EQ(f.count("sys/class/dmi/id/sys_vendor"), 0u);  // absent on this guest
}

TEST(MachineFiles, MissingRootGivesEmptySnapshot) {
  EXPECT_TRUE(read_machine_files(fixture("does-not-exist")).empty());
}

TEST(Machine, Kvm2Guest) {
  const MachineInfo m = load("kvm2");
  EXPECT_EQ(m.cpu_model, "AMD EPYC");
  EXPECT_EQ(m.cpu_vendor, "AuthenticAMD");
  EXPECT_EQ(m.cpu_family, 25);
  EXPECT_EQ(m.cpu_model_number, 17);
  EXPECT_EQ(m.cpu_stepping, 1);
  EXPECT_EQ(m.microcode, "0x1000065");
  ASSERT_TRUE(m.cpu_mhz);
  EXPECT_DOUBLE_EQ(*m.cpu_mhz, 2596.138);
  EXPECT_EQ(m.logical_cpus, 2);
  EXPECT_EQ(m.affinity, (std::vector<int>{0, 1}));
  EXPECT_EQ(m.cores, 2);
  EXPECT_EQ(m.threads_per_core, 1);
  EXPECT_EQ(m.smt, "notsupported");
  EXPECT_EQ(m.numa_nodes, 1);
  EXPECT_EQ(m.kernel_release, "6.18.44-fc-v595");
  EXPECT_EQ(m.kernel_version, "#1 SMP PREEMPT_DYNAMIC @0");
  EXPECT_EQ(m.kernel_cmdline.rfind("mitigations=auto,no_guest_host,no_guest_guest ", 0), 0u);
  EXPECT_EQ(m.hostname, "vm");
  EXPECT_EQ(m.clocksource, "tsc");
  EXPECT_TRUE(m.hypervisor_flag);
  EXPECT_EQ(m.virtualization, "");  // guest without DMI: vendor unknown, not "none"
  EXPECT_EQ(m.governor, "");        // no cpufreq in this guest
  EXPECT_EQ(m.scaling_driver, "");
  EXPECT_EQ(m.boost, "");
  EXPECT_EQ(m.cgroup_cpu_max, "max 100000");  // cgroup v1 quota -1, period 100000
  EXPECT_EQ(m.thp, "madvise");
  EXPECT_EQ(m.aslr, 2);
  EXPECT_EQ(m.mitigations.size(), 19u);
  EXPECT_EQ(m.mitigations.at("meltdown"), "Not affected");
  EXPECT_EQ(m.mitigations.at("spec_store_bypass"), "Vulnerable");
  EXPECT_EQ(m.loadavg_1m, 0.31);
  EXPECT_EQ(m.loadavg_5m, 0.18);
  EXPECT_EQ(m.loadavg_15m, 0.10);
  EXPECT_EQ(m.cpuidle_driver, "haltpoll");
  EXPECT_EQ(m.cpuidle_governor, "haltpoll");

  ASSERT_EQ(m.caches.size(), 4u);
  EXPECT_EQ(m.caches[0].level, 1);
  EXPECT_EQ(m.caches[0].type, "Data");
  EXPECT_EQ(m.caches[0].size_bytes, 32 * 1024);
  EXPECT_EQ(m.caches[0].shared_cpu_list, "0");
  EXPECT_EQ(m.caches[1].type, "Instruction");
  EXPECT_EQ(m.caches[2].size_bytes, 1024 * 1024);
  EXPECT_EQ(m.caches[3].level, 3);
  EXPECT_EQ(m.caches[3].type, "Unified");
  EXPECT_EQ(m.caches[3].size_bytes, 32LL * 1024 * 1024);
  EXPECT_EQ(m.caches[3].shared_cpu_list, "0-1");

  ASSERT_EQ(m.topology.size(), 2u);
  EXPECT_EQ(m.topology[1].cpu, 1);
  EXPECT_EQ(m.topology[1].core_id, 1);
  EXPECT_EQ(m.topology[1].package, 0);
  EXPECT_EQ(m.topology[1].node, 0);
  EXPECT_EQ(m.topology[1].thread_siblings, (std::vector<int>{1}));
  EXPECT_EQ(m.topology[1].llc_cpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(cpu_relation(m, 0, 1), "same-llc");
  EXPECT_EQ(cpu_relation(m, 1, 1), "same");
  EXPECT_EQ(cpu_relation(m, 0, 7), "unknown");
  EXPECT_EQ(cpu_relation(m, -1, 0), "unknown");
}

TEST(Machine, Smt4Laptop) {
  const MachineInfo m = load("smt4");
  EXPECT_EQ(m.cpu_model, "Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz");
  EXPECT_EQ(m.cpu_vendor, "GenuineIntel");
  EXPECT_EQ(m.logical_cpus, 4);
  EXPECT_EQ(m.affinity, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(m.cores, 2);
  EXPECT_EQ(m.threads_per_core, 2);
  EXPECT_EQ(m.smt, "on");
  EXPECT_EQ(m.numa_nodes, 1);
  EXPECT_EQ(m.governor, "performance");
  EXPECT_EQ(m.scaling_driver, "intel_pstate");
  EXPECT_EQ(m.boost, "on");  // no_turbo = 0
  EXPECT_FALSE(m.hypervisor_flag);
  EXPECT_EQ(m.virtualization, "none");
  EXPECT_EQ(m.cgroup_cpu_max, "200000 100000");  // the process's own cgroup v2
  EXPECT_EQ(m.thp, "always");
  EXPECT_EQ(m.mitigations.size(), 4u);
  EXPECT_EQ(m.cpuidle_driver, "intel_idle");
  EXPECT_EQ(m.cpuidle_governor, "menu");  // from current_governor_ro
  EXPECT_EQ(m.kernel_cmdline, "");        // proc/cmdline left out of this fixture
  ASSERT_EQ(m.caches.size(), 4u);
  EXPECT_EQ(m.caches[2].size_bytes, 256 * 1024);
  EXPECT_EQ(m.caches[2].shared_cpu_list, "0,2");
  EXPECT_EQ(m.caches[3].size_bytes, 3072 * 1024);

  ASSERT_EQ(m.topology.size(), 4u);
  EXPECT_EQ(m.topology[2].thread_siblings, (std::vector<int>{0, 2}));
  EXPECT_EQ(m.topology[2].llc_cpus, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(cpu_relation(m, 0, 2), "smt-sibling");
  EXPECT_EQ(cpu_relation(m, 3, 1), "smt-sibling");
  EXPECT_EQ(cpu_relation(m, 0, 1), "same-llc");
  EXPECT_EQ(cpu_relation(m, 2, 3), "same-llc");
  EXPECT_EQ(cpu_relation(m, 2, 2), "same");
}

TEST(Machine, SchedExtMachine) {
  const MachineInfo m = load("scx");
  EXPECT_EQ(m.scheduler, "sched_ext");
  EXPECT_EQ(m.sched_ext_state, "enabled");
  EXPECT_EQ(m.sched_ext_ops, "lavd");
  EXPECT_EQ(m.sched_ext_switch_all, true);
  EXPECT_EQ(m.sched_autogroup, false);
  EXPECT_EQ(m.pcid, true);
  EXPECT_EQ(m.invpcid, true);
  EXPECT_EQ(m.microcode, "0xa201205");
  const nlohmann::json j = machine_to_json(m);
  EXPECT_EQ(j.at("scheduler"), "sched_ext");
  EXPECT_EQ(j.at("sched_ext_ops"), "lavd");
  EXPECT_EQ(j.at("sched_autogroup_enabled"), false);
  EXPECT_FALSE(j.at("topology")[0].contains("cpu_capacity"));  // not exposed on this machine
}

TEST(Machine, HybridMachine) {
  const MachineInfo m = load("hybrid");
  EXPECT_EQ(m.scheduler, "eevdf");  // 6.16, no sched_ext directory
  EXPECT_TRUE(m.sched_ext_state.empty());
  EXPECT_EQ(m.sched_autogroup, true);
  ASSERT_EQ(m.topology.size(), 12u);
  EXPECT_EQ(m.topology[3].capacity, 1024);
  EXPECT_EQ(m.topology[3].core_type, "core");
  EXPECT_EQ(m.topology[4].capacity, 592);
  EXPECT_EQ(m.topology[11].core_type, "atom");
  const nlohmann::json j = machine_to_json(m);
  expect_no_null_or_nan(j);
  EXPECT_EQ(j.at("topology")[5].at("cpu_capacity"), 592);
  EXPECT_EQ(j.at("topology")[5].at("core_type"), "atom");
  EXPECT_FALSE(j.contains("sched_ext_state"));
}

TEST(Machine, SchedulerStates) {
  const auto scheduler = [](const std::string& state, const std::string& switch_all) {
    FileSnapshot f{{"proc/sys/kernel/osrelease", "6.12.1\n"}, {"sys/kernel/sched_ext/state", state}};
    if (!switch_all.empty()) f["sys/kernel/sched_ext/switch_all"] = switch_all;
    return parse_machine(f).scheduler;
  };
  EXPECT_EQ(scheduler("enabled\n", ""), "sched_ext");
  EXPECT_EQ(scheduler("enabled\n", "0\n"), "eevdf");  // partial: only SCHED_EXT tasks, ours stay fair
  EXPECT_EQ(scheduler("disabled\n", "1\n"), "eevdf");
  EXPECT_EQ(fair_scheduler_of("6.6.0"), "eevdf");
  EXPECT_EQ(fair_scheduler_of("6.5.13-generic"), "cfs");
  EXPECT_EQ(fair_scheduler_of("5.15.0-91-generic"), "cfs");
  EXPECT_EQ(fair_scheduler_of("10.0"), "eevdf");
  EXPECT_EQ(fair_scheduler_of("6"), "");
  EXPECT_EQ(fair_scheduler_of("x.y"), "");
  EXPECT_EQ(parse_machine({}).scheduler, "");
  // x86 only: no "flags" line (arm64 says "Features"), no answer.
  const MachineInfo arm = parse_machine({{"proc/cpuinfo", "processor\t: 0\nFeatures\t: fp asimd\n"}});
  EXPECT_FALSE(arm.pcid);
  EXPECT_EQ(load("kvm2").pcid, true);
}

TEST(Machine, RelationAcrossLlcsAndNodes) {
  MachineInfo m;
  m.topology = {{0, 0, 0, 0, {0}, {0, 1}, {}, {}, {}, {}},
                {1, 0, 1, 0, {1}, {0, 1}, {}, {}, {}, {}},
                {2, 0, 2, 0, {2}, {2, 3}, {}, {}, {}, {}},
                {3, 1, 0, 1, {3}, {2, 3}, {}, {}, {}, {}}};
  EXPECT_EQ(cpu_relation(m, 0, 1), "same-llc");
  EXPECT_EQ(cpu_relation(m, 0, 2), "other-llc");
  EXPECT_EQ(cpu_relation(m, 0, 3), "other-node");
  m.topology[2].llc_cpus.clear();
  EXPECT_EQ(cpu_relation(m, 0, 2), "unknown");  // same node, cache sharing not known
}

TEST(Machine, EmptySnapshotGivesAbsentFields) {
  const MachineInfo m = parse_machine({});
  EXPECT_EQ(m.logical_cpus, 0);
  EXPECT_TRUE(m.cpu_model.empty());
  EXPECT_FALSE(m.cpu_family);
  EXPECT_FALSE(m.cores);
  EXPECT_FALSE(m.numa_nodes);
  EXPECT_FALSE(m.aslr);
  EXPECT_FALSE(m.loadavg_1m);
  EXPECT_TRUE(m.virtualization.empty());
  EXPECT_TRUE(m.caches.empty());
  EXPECT_TRUE(m.topology.empty());
  EXPECT_EQ(cpu_relation(m, 0, 1), "unknown");
  const nlohmann::json j = machine_to_json(m);
  expect_no_null_or_nan(j);
  EXPECT_FALSE(j.contains("cpu_model"));
  EXPECT_FALSE(j.contains("logical_cpus"));
  EXPECT_FALSE(j.contains("loadavg_1m"));
}

// microcode_sources (docs/contracts.md): where the revision was looked for and what each source said, so a
// record without `microcode` says so as data.
std::vector<std::pair<std::string, std::string>> microcode_states(const nlohmann::json& machine) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : machine.at("microcode_sources")) out.emplace_back(s.at("path"), s.at("state"));
  return out;
}

const std::string kMicrocodeSysfs = "/sys/devices/system/cpu/cpu0/microcode/version";

TEST(Machine, MicrocodeAbsentIsStatedWithItsSources) {
  // This Firecracker guest's real cpuinfo (2026-12-06): an x86 `flags` line, no `microcode` line, and no
  // microcode directory in sysfs.
  const nlohmann::json j = machine_to_json(load("fc_nomicrocode"));
  expect_no_null_or_nan(j);
  EXPECT_EQ(j.at("cpu_model"), "AMD EPYC");
  EXPECT_FALSE(j.contains("microcode"));
  EXPECT_EQ(microcode_states(j), (std::vector<std::pair<std::string, std::string>>{{"/proc/cpuinfo", "no_field"},
                                                                                   {kMicrocodeSysfs, "absent"}}));
  EXPECT_EQ(j.at("microcode_sources")[0].at("field"), "microcode");
  EXPECT_FALSE(j.at("microcode_sources")[1].contains("field"));  // the file is the value
}

TEST(Machine, MicrocodeFromCpuinfoFirstThenSysfs) {
  // smt4: both say 0xf4; cpuinfo's line is the one used.
  const nlohmann::json smt = machine_to_json(load("smt4"));
  EXPECT_EQ(smt.at("microcode"), "0xf4");
  EXPECT_EQ(microcode_states(smt),
            (std::vector<std::pair<std::string, std::string>>{{"/proc/cpuinfo", "found"}, {kMicrocodeSysfs, "found"}}));
  // kvm2: cpuinfo only.
  EXPECT_EQ(
      microcode_states(machine_to_json(load("kvm2"))),
      (std::vector<std::pair<std::string, std::string>>{{"/proc/cpuinfo", "found"}, {kMicrocodeSysfs, "absent"}}));
  // cpuinfo without the line, sysfs with it: sysfs's value.
  const MachineInfo m = parse_machine({{"proc/cpuinfo", "processor\t: 0\nflags\t: fpu\n"},
                                       {"sys/devices/system/cpu/cpu0/microcode/version", "0x8301055\n"}});
  EXPECT_EQ(m.microcode, "0x8301055");
  EXPECT_EQ(microcode_states(machine_to_json(m)), (std::vector<std::pair<std::string, std::string>>{
                                                      {"/proc/cpuinfo", "no_field"}, {kMicrocodeSysfs, "found"}}));
  // Nothing read at all: both absent, still stated.
  EXPECT_EQ(
      microcode_states(machine_to_json(parse_machine({}))),
      (std::vector<std::pair<std::string, std::string>>{{"/proc/cpuinfo", "absent"}, {kMicrocodeSysfs, "absent"}}));
}

TEST(Machine, GarbageFilesAreIgnored) {
  const FileSnapshot f{{"proc/cpuinfo", "no colon here\n\n\n"},
                       {"sys/devices/system/cpu/online", "a-b\n"},
                       {"proc/self/status", "Cpus_allowed_list:\t3-1\n"},
                       {"proc/loadavg", "nan 1 2\n"},
                       {"proc/sys/kernel/randomize_va_space", "two\n"},
                       {"sys/devices/system/cpu/cpu0/cache/", "index0\nuevent\n"},
                       {"sys/devices/system/cpu/cpu0/cache/index0/level", "1\n"},
                       {"sys/devices/system/cpu/cpu0/cache/index0/size", "lots\n"},
                       {"sys/kernel/mm/transparent_hugepage/enabled", "]never[\n"}};
  const MachineInfo m = parse_machine(f);
  EXPECT_EQ(m.logical_cpus, 0);
  EXPECT_TRUE(m.affinity.empty());
  EXPECT_FALSE(m.loadavg_1m);
  EXPECT_FALSE(m.aslr);
  EXPECT_TRUE(m.caches.empty());
  EXPECT_TRUE(m.thp.empty());
  expect_no_null_or_nan(machine_to_json(m));
}

TEST(Machine, ParseCpuListGood) {
  EXPECT_EQ(parse_cpu_list("0"), (std::vector<int>{0}));
  EXPECT_EQ(parse_cpu_list("0-3"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_cpu_list("0-1,8,10-11\n"), (std::vector<int>{0, 1, 8, 10, 11}));
  EXPECT_EQ(parse_cpu_list("3,1,2-2"), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(parse_cpu_list("1,1"), (std::vector<int>{1}));
}

TEST(Machine, ParseCpuListBad) {
  for (const char* bad : {"", "\n", "a-b", "3-1", "1,,2", "1,", ",1", "-1", "1-", "1-2-3", "x", "0x1", "1 2",
                          "99999999999", "0-100000"}) {
    EXPECT_THROW(parse_cpu_list(bad), std::invalid_argument) << '"' << bad << '"';
  }
}

TEST(Machine, ParseLoadavg) {
  const auto l = parse_loadavg("0.07 0.14 0.07 2/85 3483\n");
  ASSERT_TRUE(l);
  EXPECT_DOUBLE_EQ((*l)[0], 0.07);
  EXPECT_DOUBLE_EQ((*l)[1], 0.14);
  EXPECT_DOUBLE_EQ((*l)[2], 0.07);
  EXPECT_FALSE(parse_loadavg(""));
  EXPECT_FALSE(parse_loadavg("0.1 0.2"));
  EXPECT_FALSE(parse_loadavg("inf 0.1 0.2"));
}

TEST(Machine, JsonHasSnakeCaseKeysAndNoNull) {
  for (const char* name : {"kvm2", "smt4"}) {
    const nlohmann::json j = machine_to_json(load(name));
    expect_no_null_or_nan(j);
    for (const auto& [k, v] : j.items()) {
      for (char c : k) {
        EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << k;
      }
    }
    EXPECT_TRUE(j.at("logical_cpus").is_number_integer());
    EXPECT_TRUE(j.at("caches").is_array());
    EXPECT_TRUE(j.at("mitigations").is_object());
    EXPECT_TRUE(j.at("topology").is_array());
  }
  const nlohmann::json kvm = machine_to_json(load("kvm2"));
  EXPECT_EQ(kvm.at("cpu_model"), "AMD EPYC");
  EXPECT_EQ(kvm.at("hypervisor_flag"), true);
  EXPECT_FALSE(kvm.contains("governor"));
  EXPECT_FALSE(kvm.contains("virtualization"));
  EXPECT_EQ(kvm.at("topology")[0].at("llc_cpus"), nlohmann::json::array({0, 1}));
  const nlohmann::json smt = machine_to_json(load("smt4"));
  EXPECT_EQ(smt.at("boost"), "on");
  EXPECT_EQ(smt.at("virtualization"), "none");
  EXPECT_FALSE(smt.contains("kernel_cmdline"));
}

}  // namespace
}  // namespace ctxbench
