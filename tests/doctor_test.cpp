// ctxbench doctor (analysis/doctor.hpp) on the fixture machine trees (tests/fixtures/machine/README.md) and
// on hand-made machine states: each finding appears exactly when its condition holds.
#include "analysis/doctor.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/machine_files.hpp"

namespace ctxbench {
namespace {

std::string fixture(const std::string& name) {
  return std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/machine/" + name;
}

bool has(const std::vector<Finding>& findings, const std::string& topic, const std::string& part = "") {
  for (const Finding& f : findings)
    if (f.topic == topic && f.finding.find(part) != std::string::npos && !f.remedy.empty()) return true;
  return false;
}

std::vector<Finding> of_tree(const std::string& name, bool pm_qos_held = false) {
  const FileSnapshot files = read_machine_files(fixture(name));
  return machine_findings(parse_machine(files), files, std::nullopt, pm_qos_held);
}

TEST(Doctor, KvmGuestNamesIdleExitsVirtualizationAndMitigations) {
  const std::vector<Finding> f = of_tree("kvm2");
  EXPECT_TRUE(has(f, "idle states", "haltpoll idle (1 us)")) << format_findings(f);
  EXPECT_TRUE(has(f, "virtualization")) << format_findings(f);
  EXPECT_TRUE(has(f, "isolation")) << format_findings(f);  // its cmdline has neither isolcpus nor nohz_full
  EXPECT_TRUE(has(f, "mitigations")) << format_findings(f);
  EXPECT_FALSE(has(f, "governor")) << format_findings(f);  // no cpufreq in the guest
  EXPECT_FALSE(has(f, "SMT")) << format_findings(f);
  // Holding PM QoS at 0 (--pm-qos) is the remedy: the idle finding goes.
  EXPECT_FALSE(has(of_tree("kvm2", true), "idle states"));
}

TEST(Doctor, SmtLaptopNamesSmtBoostAndThp) {
  const std::vector<Finding> f = of_tree("smt4");
  EXPECT_TRUE(has(f, "SMT")) << format_findings(f);
  EXPECT_TRUE(has(f, "boost")) << format_findings(f);
  EXPECT_TRUE(has(f, "THP", "always")) << format_findings(f);
  EXPECT_FALSE(has(f, "governor")) << format_findings(f);   // performance
  EXPECT_FALSE(has(f, "isolation")) << format_findings(f);  // no proc/cmdline in the tree: unknown, no finding
}

TEST(Doctor, SchedExtAndHybridMachinesNameTheSchedulerAndCoreTypes) {
  const std::vector<Finding> scx = of_tree("scx");
  EXPECT_TRUE(has(scx, "scheduler", "sched_ext BPF scheduler (lavd)")) << format_findings(scx);
  EXPECT_FALSE(has(scx, "autogroup")) << format_findings(scx);  // off there
  EXPECT_FALSE(has(scx, "core types")) << format_findings(scx);
  const std::vector<Finding> hybrid = of_tree("hybrid");
  EXPECT_TRUE(has(hybrid, "core types", "capacity 1024: 0-3; capacity 592: 4-11; atom: 4-11; core: 0-3"))
      << format_findings(hybrid);
  EXPECT_TRUE(has(hybrid, "autogroup")) << format_findings(hybrid);
  EXPECT_FALSE(has(hybrid, "scheduler")) << format_findings(hybrid);
  // Capacities all alike (this VM: 1024 on both vCPUs) are no finding.
  MachineInfo alike;
  alike.topology = {{0, {}, {}, {}, {}, {}, 1024, "", {}, {}}, {1, {}, {}, {}, {}, {}, 1024, "", {}, {}}};
  EXPECT_FALSE(has(machine_findings(alike, {}, std::nullopt, false), "core types"));
}

TEST(Doctor, HandMadeStates) {
  MachineInfo m;
  EXPECT_TRUE(machine_findings(m, {}, std::nullopt, false).empty());
  EXPECT_NE(format_findings({}).find("ready"), std::string::npos);
  m.governor = "powersave";
  m.kernel_cmdline = "ro quiet isolcpus=1 nohz_full=1";
  m.loadavg_1m = 0.1;
  std::vector<Finding> f = machine_findings(m, {}, 0.05, false);
  EXPECT_TRUE(has(f, "governor", "powersave"));
  EXPECT_TRUE(has(f, "steal", "5.0%"));
  EXPECT_FALSE(has(f, "isolation"));
  EXPECT_FALSE(has(f, "load"));
  m.loadavg_1m = 1.5;
  f = machine_findings(m, {}, 0.001, false);
  EXPECT_TRUE(has(f, "load", "1.50"));
  EXPECT_FALSE(has(f, "steal"));
  const nlohmann::json j = findings_to_json(f);
  ASSERT_EQ(j.size(), f.size());
  EXPECT_EQ(j[0]["topic"], f[0].topic);
}

int exit_code(const std::string& args) {
  const std::string cmd = std::string(CTXBENCH_BINARY) + " doctor " + args + " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Doctor, ExitStatusOfTheCommand) {
  EXPECT_EQ(exit_code("--root " + fixture("kvm2")), 1);  // findings
  EXPECT_EQ(exit_code("--root /nonexistent-ctxbench-root"), 2);
  EXPECT_EQ(exit_code("--bogus"), 2);
  EXPECT_EQ(exit_code("--help"), 0);
}

}  // namespace
}  // namespace ctxbench
