// The aarch64 machine record over the ARM fixture trees (tests/fixtures/machine/README.md: altra, graviton_vm,
// rk3588): the MIDR names (analysis/arm_midr.hpp), the kinds of core (analysis/arm_cpu.hpp), capacities,
// clusters, caches, idle states, clocksource, and what `ctxbench doctor --root` prints for each.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include "analysis/arm_cpu.hpp"
#include "analysis/arm_midr.hpp"
#include "analysis/doctor.hpp"
#include "analysis/machine.hpp"
#include "engine/machine_files.hpp"

namespace ctxbench {
namespace {

std::string fixture(const std::string& name) {
  return std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/machine/" + name;
}

MachineInfo load(const std::string& name) { return parse_machine(read_machine_files(fixture(name))); }

std::vector<int> iota(int from, int to) {
  std::vector<int> out;
  for (int c = from; c <= to; ++c) out.push_back(c);
  return out;
}

TEST(ArmMidr, NamesFromTheKernelsTable) {
  EXPECT_EQ(arm_implementer_name(0x41), "ARM");
  EXPECT_EQ(arm_implementer_name(0xc0), "Ampere");
  EXPECT_EQ(arm_implementer_name(0x61), "Apple");
  EXPECT_EQ(arm_implementer_name(0x99), "");
  EXPECT_EQ(arm_part_name(0x41, 0xd0c), "Neoverse-N1");
  EXPECT_EQ(arm_part_name(0x41, 0xd40), "Neoverse-V1");
  EXPECT_EQ(arm_part_name(0x41, 0xd49), "Neoverse-N2");
  EXPECT_EQ(arm_part_name(0x41, 0xd4f), "Neoverse-V2");
  EXPECT_EQ(arm_part_name(0x41, 0xd05), "Cortex-A55");
  EXPECT_EQ(arm_part_name(0x41, 0xd0b), "Cortex-A76");
  EXPECT_EQ(arm_part_name(0x41, 0xd80), "Cortex-A520");
  EXPECT_EQ(arm_part_name(0xc0, 0xac3), "AmpereOne");
  EXPECT_EQ(arm_part_name(0xc0, 0xac4), "AmpereOne-A");
  EXPECT_EQ(arm_part_name(0x46, 0x001), "A64FX");
  EXPECT_EQ(arm_part_name(0x48, 0xd01), "TSV110");
  EXPECT_EQ(arm_part_name(0x61, 0x023), "M1-Firestorm");
  // Part numbers belong to their implementer: 0xd49 is Neoverse-N2 at Arm and Cobalt 100 at Microsoft.
  EXPECT_EQ(arm_part_name(0x6d, 0xd49), "Azure-Cobalt-100");
  EXPECT_EQ(arm_part_name(0xc0, 0xd0c), "");
}

TEST(ArmCpu, TypesFromCpuinfoBlocks) {
  const std::vector<CpuinfoBlock> blocks = {
      {{"processor", "1"},
       {"CPU implementer", "0x41"},
       {"CPU part", "0xd0b"},
       {"CPU variant", "0x4"},
       {"CPU revision", "0"},
       {"CPU architecture", "8"}},
      {{"processor", "0"},
       {"CPU implementer", "0x41"},
       {"CPU part", "0xd05"},
       {"CPU variant", "0x2"},
       {"CPU revision", "0"},
       {"CPU architecture", "8"}},
      {{"processor", "2"},
       {"CPU implementer", "0x99"},
       {"CPU part", "0x123"},
       {"CPU variant", "0x0"},
       {"CPU revision", "7"}},
      {{"processor", "3"}, {"CPU implementer", "garbage"}, {"CPU part", "0xd05"}},  // unreadable: left out
      {{"processor", "4"}, {"vendor_id", "GenuineIntel"}},                          // x86: no MIDR
  };
  const std::vector<CpuType> t = arm_cpu_types(blocks);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].name, "Cortex-A55");
  EXPECT_EQ(t[0].cpus, (std::vector<int>{0}));
  EXPECT_EQ(cpu_type_full_name(t[0]), "ARM Cortex-A55 r2p0");
  EXPECT_EQ(t[1].name, "Cortex-A76");
  EXPECT_EQ(t[2].vendor, "");
  EXPECT_EQ(cpu_type_label(t[2]), "0x99/0x123");
  EXPECT_EQ(cpu_type_full_name(t[2]), "0x99/0x123 r0p7");
  const nlohmann::json j = cpu_type_to_json(t[2]);
  EXPECT_EQ(j.at("implementer"), "0x99");
  EXPECT_EQ(j.at("part"), "0x123");
  EXPECT_EQ(j.at("variant"), "0x0");
  EXPECT_EQ(j.at("revision"), 7);
  EXPECT_FALSE(j.contains("name"));
  EXPECT_FALSE(j.contains("architecture"));
  EXPECT_TRUE(arm_cpu_types({{{"processor", "0"}, {"vendor_id", "AuthenticAMD"}}}).empty());
}

TEST(ArmMachine, AltraServer) {
  const MachineInfo m = load("altra");
  EXPECT_EQ(m.cpu_model, "ARM Neoverse-N1");
  EXPECT_EQ(m.cpu_vendor, "ARM");
  EXPECT_FALSE(m.cpu_family);
  EXPECT_EQ(m.logical_cpus, 80);
  EXPECT_EQ(m.cores, 80);
  EXPECT_EQ(m.threads_per_core, 1);
  EXPECT_EQ(m.smt, "notsupported");
  EXPECT_EQ(m.numa_nodes, 1);
  ASSERT_EQ(m.cpu_types.size(), 1u);
  const CpuType& t = m.cpu_types[0];
  EXPECT_EQ(t.implementer, 0x41);
  EXPECT_EQ(t.part, 0xd0c);
  EXPECT_EQ(t.variant, 3);
  EXPECT_EQ(t.revision, 1);
  EXPECT_EQ(t.architecture, "8");
  EXPECT_EQ(t.cpus, iota(0, 79));
  ASSERT_EQ(t.caches.size(), 3u);
  EXPECT_EQ(t.caches[2].level, 2);
  EXPECT_EQ(t.caches[2].size_bytes, 1 << 20);
  EXPECT_EQ(t.caches[2].shared_cpu_list, "0");
  ASSERT_EQ(m.topology.size(), 80u);
  EXPECT_EQ(m.topology[79].capacity, 1024);
  EXPECT_EQ(m.topology[79].core_type, "Neoverse-N1");
  EXPECT_EQ(m.topology[37].cluster_id, 18);
  EXPECT_EQ(m.topology[37].cluster_cpus, (std::vector<int>{36, 37}));
  EXPECT_EQ(m.topology[37].llc_cpus, (std::vector<int>{37}));  // private L2; the SLC is not in sysfs
  EXPECT_EQ(cpu_relation(m, 36, 37), "other-llc");
  EXPECT_EQ(m.clocksource, "arch_sys_counter");
  EXPECT_EQ(m.cpuidle_driver, "acpi_idle");
  ASSERT_EQ(m.idle_states.size(), 2u);
  EXPECT_EQ(m.idle_states[1].name, "C1");
  EXPECT_EQ(m.idle_states[1].latency_us, 40);
  EXPECT_EQ(m.idle_states[1].disabled, false);
  EXPECT_EQ(m.cpuidle_governor, "menu");
  EXPECT_EQ(m.scaling_driver, "cppc_cpufreq");
  EXPECT_FALSE(m.hypervisor_flag);
  EXPECT_EQ(m.virtualization, "");  // a DMI that names no virtual platform: unknown, not "none"
  EXPECT_FALSE(m.pcid);             // x86 only
  EXPECT_EQ(m.scheduler, "eevdf");
  EXPECT_EQ(m.mitigations.at("spectre_v2"), "Mitigation: CSV2, BHB");
  EXPECT_FALSE(m.emulation.emulated);

  const nlohmann::json j = machine_to_json(m);
  EXPECT_EQ(j.at("cpu_model"), "ARM Neoverse-N1");
  ASSERT_EQ(j.at("cpu_types").size(), 1u);
  const nlohmann::json& jt = j.at("cpu_types")[0];
  EXPECT_EQ(jt.at("implementer"), "0x41");
  EXPECT_EQ(jt.at("part"), "0xd0c");
  EXPECT_EQ(jt.at("variant"), "0x3");
  EXPECT_EQ(jt.at("revision"), 1);
  EXPECT_EQ(jt.at("architecture"), "8");
  EXPECT_EQ(jt.at("vendor"), "ARM");
  EXPECT_EQ(jt.at("name"), "Neoverse-N1");
  EXPECT_EQ(jt.at("cpus").size(), 80u);
  EXPECT_EQ(jt.at("caches")[0].at("size_bytes"), 65536);
  EXPECT_EQ(j.at("topology")[1].at("cluster_id"), 0);
  EXPECT_EQ(j.at("topology")[1].at("cluster_cpus"), (std::vector<int>{0, 1}));
  EXPECT_EQ(j.at("clocksource"), "arch_sys_counter");
}

TEST(ArmMachine, GravitonLikeVm) {
  const MachineInfo m = load("graviton_vm");
  EXPECT_EQ(m.cpu_model, "ARM Neoverse-V1");
  EXPECT_EQ(m.logical_cpus, 4);
  EXPECT_EQ(m.cores, 4);
  ASSERT_EQ(m.cpu_types.size(), 1u);
  EXPECT_EQ(m.cpu_types[0].part, 0xd40);
  EXPECT_EQ(cpu_type_full_name(m.cpu_types[0]), "ARM Neoverse-V1 r1p1");
  ASSERT_EQ(m.cpu_types[0].caches.size(), 4u);
  EXPECT_EQ(m.cpu_types[0].caches[3].size_bytes, 32LL << 20);
  EXPECT_EQ(m.topology[2].llc_cpus, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(cpu_relation(m, 0, 3), "same-llc");
  EXPECT_FALSE(m.topology[0].capacity);  // not exposed in this guest
  EXPECT_FALSE(m.topology[0].cluster_id);
  EXPECT_FALSE(m.hypervisor_flag);  // aarch64 cpuinfo has no such flag
  EXPECT_EQ(m.virtualization, "QEMU");
  EXPECT_EQ(m.cpuidle_driver, "none");
  EXPECT_TRUE(m.idle_states.empty());
  EXPECT_FALSE(machine_to_json(m).contains("idle_states"));
  EXPECT_EQ(m.clocksource, "arch_sys_counter");
  EXPECT_EQ(m.scheduler, "cfs");
  const nlohmann::json j = machine_to_json(m);
  EXPECT_EQ(j.at("virtualization"), "QEMU");
  EXPECT_FALSE(j.at("topology")[0].contains("cpu_capacity"));
  EXPECT_FALSE(j.at("topology")[0].contains("cluster_id"));
}

TEST(ArmMachine, BigLittleBoard) {
  const MachineInfo m = load("rk3588");
  EXPECT_EQ(m.cpu_model, "ARM Cortex-A55 + ARM Cortex-A76");
  EXPECT_EQ(m.cpu_vendor, "ARM");
  EXPECT_EQ(m.logical_cpus, 8);
  EXPECT_EQ(m.cores, 8);  // core_id repeats across clusters (0-3, 0-1, 0-1): the cluster tells them apart
  ASSERT_EQ(m.cpu_types.size(), 2u);
  EXPECT_EQ(cpu_type_full_name(m.cpu_types[0]), "ARM Cortex-A55 r2p0");
  EXPECT_EQ(m.cpu_types[0].cpus, iota(0, 3));
  EXPECT_EQ(cpu_type_full_name(m.cpu_types[1]), "ARM Cortex-A76 r4p0");
  EXPECT_EQ(m.cpu_types[1].cpus, iota(4, 7));
  // Each kind's own caches: the little cores' L2 is 128K, the big ones' 512K; both share the 3M L3.
  ASSERT_EQ(m.cpu_types[0].caches.size(), 4u);
  ASSERT_EQ(m.cpu_types[1].caches.size(), 4u);
  EXPECT_EQ(m.cpu_types[0].caches[2].size_bytes, 128 << 10);
  EXPECT_EQ(m.cpu_types[1].caches[2].size_bytes, 512 << 10);
  EXPECT_EQ(m.cpu_types[1].caches[3].shared_cpu_list, "0-7");
  EXPECT_EQ(m.topology[0].capacity, 414);
  EXPECT_EQ(m.topology[0].core_type, "Cortex-A55");
  EXPECT_EQ(m.topology[5].capacity, 1024);
  EXPECT_EQ(m.topology[5].core_type, "Cortex-A76");
  EXPECT_EQ(m.topology[5].cluster_id, 1);
  EXPECT_EQ(m.topology[6].cluster_id, 2);
  EXPECT_EQ(m.topology[6].cluster_cpus, (std::vector<int>{6, 7}));
  EXPECT_EQ(m.topology[2].cluster_cpus, iota(0, 3));
  EXPECT_EQ(cpu_relation(m, 0, 7), "same-llc");
  EXPECT_EQ(m.cpuidle_driver, "psci_idle");
  EXPECT_EQ(m.governor, "schedutil");
  EXPECT_EQ(m.virtualization, "");  // no DMI on a device-tree board
  const nlohmann::json j = machine_to_json(m);
  ASSERT_EQ(j.at("cpu_types").size(), 2u);
  EXPECT_EQ(j.at("cpu_types")[1].at("name"), "Cortex-A76");
  EXPECT_EQ(j.at("cpu_types")[1].at("variant"), "0x4");
  EXPECT_EQ(j.at("topology")[3].at("cpu_capacity"), 414);
  EXPECT_EQ(j.at("topology")[4].at("core_type"), "Cortex-A76");
  ASSERT_EQ(j.at("idle_states").size(), 2u);
  EXPECT_EQ(j.at("idle_states")[0], (nlohmann::json{{"name", "WFI"}, {"latency_us", 1}, {"disabled", false}}));
  EXPECT_EQ(j.at("idle_states")[1].at("name"), "cpu-sleep");
  EXPECT_EQ(j.at("idle_states")[1].at("latency_us"), 370);
}

bool has(const std::vector<Finding>& findings, const std::string& topic, const std::string& part = "") {
  for (const Finding& f : findings)
    if (f.topic == topic && f.finding.find(part) != std::string::npos) return true;
  return false;
}

std::vector<Finding> findings_of(const std::string& name) {
  const FileSnapshot files = read_machine_files(fixture(name));
  return machine_findings(parse_machine(files), files, std::nullopt, false);
}

TEST(ArmDoctor, FindingsOfTheArmTrees) {
  const std::vector<Finding> board = findings_of("rk3588");
  EXPECT_TRUE(has(board, "core types", "capacity 1024: 4-7; capacity 414: 0-3; Cortex-A55: 0-3; Cortex-A76: 4-7"))
      << format_findings(board);
  EXPECT_TRUE(has(board, "idle states", "driver psci_idle: WFI (1 us), cpu-sleep (370 us)")) << format_findings(board);
  EXPECT_TRUE(has(board, "governor", "schedutil")) << format_findings(board);
  EXPECT_FALSE(has(board, "virtualization")) << format_findings(board);
  const std::vector<Finding> server = findings_of("altra");
  EXPECT_FALSE(has(server, "core types")) << format_findings(server);
  EXPECT_TRUE(has(server, "idle states", "driver acpi_idle: WFI (1 us), C1 (40 us)")) << format_findings(server);
  EXPECT_FALSE(has(server, "SMT")) << format_findings(server);
  const std::vector<Finding> vm = findings_of("graviton_vm");
  EXPECT_TRUE(has(vm, "virtualization", "a virtual machine (QEMU)")) << format_findings(vm);
  EXPECT_FALSE(has(vm, "idle states")) << format_findings(vm);
}

TEST(ArmDoctor, SummaryNamesEachKindOfCore) {
  EXPECT_EQ(machine_summary(load("rk3588")),
            "machine: ARM Cortex-A55 + ARM Cortex-A76; 8 logical CPUs; clocksource arch_sys_counter; cpuidle "
            "psci_idle\n"
            "  ARM Cortex-A55 r2p0 (0x41/0xd05, capacity 414): CPUs 0-3\n"
            "  ARM Cortex-A76 r4p0 (0x41/0xd0b, capacity 1024): CPUs 4-7\n");
  EXPECT_EQ(machine_summary(load("altra")),
            "machine: ARM Neoverse-N1 r3p1 (0x41/0xd0c, capacity 1024): CPUs 0-79\n"
            "  80 logical CPUs; clocksource arch_sys_counter; cpuidle acpi_idle\n");
  EXPECT_EQ(machine_summary(load("graviton_vm")),
            "machine: ARM Neoverse-V1 r1p1 (0x41/0xd40): CPUs 0-3\n"
            "  4 logical CPUs; clocksource arch_sys_counter; cpuidle none\n");
  EXPECT_EQ(machine_summary(load("kvm2")), "machine: AMD EPYC; 2 logical CPUs; clocksource tsc; cpuidle haltpoll\n");
  EXPECT_EQ(machine_summary(MachineInfo{}), "");
}

// The command prints the same summary and findings for a --root tree.
std::string doctor_output(const std::string& root, const std::string& extra = "") {
  const std::string cmd = std::string(CTXBENCH_BINARY) + " doctor --root " + root + extra + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  std::array<char, 4096> buf{};
  while (pipe && std::fgets(buf.data(), static_cast<int>(buf.size()), pipe.get())) out += buf.data();
  return out;
}

TEST(ArmDoctor, CommandOnTheBoardTree) {
  const std::string out = doctor_output(fixture("rk3588"));
  EXPECT_NE(out.find("  ARM Cortex-A76 r4p0 (0x41/0xd0b, capacity 1024): CPUs 4-7\n"), std::string::npos) << out;
  EXPECT_NE(out.find("core types: the CPUs are not alike (capacity 1024: 4-7; capacity 414: 0-3"), std::string::npos)
      << out;
}

// --json: the machine block a run on that machine would write, from the same renderer.
TEST(ArmDoctor, JsonIsTheRunsMachineBlock) {
  const nlohmann::json doc = nlohmann::json::parse(doctor_output(fixture("rk3588"), " --json"));
  const nlohmann::json& m = doc.at("machine");
  nlohmann::json expected = machine_to_json(load("rk3588"));
  expected["findings"] = m.at("findings");
  EXPECT_EQ(m, expected);
  ASSERT_EQ(m.at("cpu_types").size(), 2u);
  EXPECT_EQ(m["cpu_types"][0]["name"], "Cortex-A55");
  EXPECT_EQ(m["cpu_types"][1]["name"], "Cortex-A76");
  EXPECT_EQ(m["clocksource"], "arch_sys_counter");
  EXPECT_FALSE(m.at("findings").empty());
}

}  // namespace
}  // namespace ctxbench
