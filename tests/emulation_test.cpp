// Emulated runs (analysis/emulation.hpp; docs/METHODOLOGY.md, "Emulated runs"): the decision on literal
// machine snapshots and on the fixture tree of an aarch64 ctxbench under qemu-user on the kvm2 guest
// (tests/fixtures/machine/qemu_aarch64), the JSON block, the refusal to mix, and what doctor and the
// result files say. Runs in the normal x86 pass: nothing here needs an emulator.
#include "analysis/emulation.hpp"

#include <gtest/gtest.h>

#include <string>

#include "analysis/doctor.hpp"
#include "analysis/machine.hpp"
#include "engine/machine_files.hpp"

namespace ctxbench {
namespace {

std::string fixture(const std::string& name) {
  return std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/machine/" + name;
}

constexpr const char* kX86Cpuinfo =
    "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel name\t: AMD EPYC\n"
    "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse "
    "sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl hypervisor\n\n";
// A Neoverse-N1 server's (Ampere Altra, Graviton2): numbers, no model name.
constexpr const char* kArmCpuinfo =
    "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp "
    "asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\nCPU implementer\t: 0x41\nCPU architecture: 8\n"
    "CPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n\n";

constexpr const char* kBinfmtEnabled =
    "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\noffset 0\n"
    "magic 7f454c460201010000000000000000000200b700\n";

FileSnapshot snapshot(const std::string& binary, const std::string& uname, const std::string& cpuinfo,
                      const std::string& self_exe, const std::string& thread_exe) {
  FileSnapshot f;
  f["ctxbench/binary_arch"] = binary + "\n";
  f["uname/machine"] = uname + "\n";
  f["proc/cpuinfo"] = cpuinfo;
  f["readlink/proc/self/exe"] = self_exe;
  f["readlink/proc/thread-self/exe"] = thread_exe;
  return f;
}

TEST(Emulation, CpuArchFromCpuinfo) {
  EXPECT_EQ(cpu_arch_from_cpuinfo(kX86Cpuinfo), "x86_64");
  EXPECT_EQ(cpu_arch_from_cpuinfo("processor : 0\nvendor_id : GenuineIntel\nflags : fpu vme pse\n"), "i686");
  EXPECT_EQ(cpu_arch_from_cpuinfo(kArmCpuinfo), "aarch64");
  EXPECT_EQ(cpu_arch_from_cpuinfo("processor : 0\nCPU architecture: 7\nCPU implementer : 0x41\n"), "arm");
  EXPECT_EQ(cpu_arch_from_cpuinfo("processor : 0\nhart : 0\nisa : rv64imafdc\nmmu : sv39\n"), "riscv64");
  EXPECT_EQ(cpu_arch_from_cpuinfo("vendor_id : IBM/S390\n# processors : 4\n"), "s390x");
  EXPECT_EQ(cpu_arch_from_cpuinfo("processor : 0\ncpu : POWER9 (architected), altivec supported\n"), "ppc64");
  EXPECT_EQ(cpu_arch_from_cpuinfo(""), "");
  EXPECT_EQ(cpu_arch_from_cpuinfo("processor : 0\nsomething : else\n"), "");
}

TEST(Emulation, ArchFamilies) {
  EXPECT_EQ(arch_family("x86_64"), arch_family("i686"));
  EXPECT_EQ(arch_family("x86_64"), arch_family("amd64"));
  EXPECT_EQ(arch_family("aarch64"), arch_family("arm64"));
  EXPECT_EQ(arch_family("aarch64"), arch_family("armv7l"));
  EXPECT_NE(arch_family("aarch64"), arch_family("x86_64"));
  EXPECT_EQ(arch_family("riscv64"), "riscv");
  EXPECT_EQ(arch_family("mips64"), "mips64");
}

TEST(Emulation, NativeX86IsNotEmulated) {
  const Emulation e = detect_emulation(snapshot("x86_64", "x86_64", kX86Cpuinfo, "/b/ctxbench", "/b/ctxbench"));
  EXPECT_FALSE(e.emulated);
  EXPECT_EQ(e.emulator, "");
  EXPECT_EQ(e.cpu_arch, "x86_64");
  EXPECT_TRUE(e.reason_kinds.empty());
}

TEST(Emulation, NativeAarch64WithAQemuEntryIsNotEmulated) {
  // A qemu-aarch64 binfmt entry proves nothing when the CPU runs the binary itself.
  FileSnapshot f = snapshot("aarch64", "aarch64", kArmCpuinfo, "/b/ctxbench", "/b/ctxbench");
  f["proc/sys/fs/binfmt_misc/qemu-aarch64"] = kBinfmtEnabled;
  const Emulation e = detect_emulation(f);
  EXPECT_FALSE(e.emulated);
  EXPECT_EQ(e.cpu_arch, "aarch64");
}

TEST(Emulation, QemuUserThroughBinfmtOnX86ShowsEverySign) {
  FileSnapshot f = snapshot("aarch64", "aarch64", kX86Cpuinfo, "/b/ctxbench", "/usr/bin/qemu-aarch64-static");
  f["proc/sys/fs/binfmt_misc/qemu-aarch64"] = kBinfmtEnabled;
  const Emulation e = detect_emulation(f);
  EXPECT_TRUE(e.emulated);
  EXPECT_EQ(e.emulator, "qemu-user");
  EXPECT_EQ(e.binary_arch, "aarch64");
  EXPECT_EQ(e.kernel_arch, "aarch64");
  EXPECT_EQ(e.cpu_arch, "x86_64");
  EXPECT_EQ(e.interpreter, "/usr/bin/qemu-aarch64-static");
  EXPECT_EQ(e.reason_kinds, (std::vector<std::string>{"cpu_arch_mismatch", "qemu_interpreter", "binfmt_qemu"}));
}

TEST(Emulation, ArchMismatchAloneIsAnUnknownEmulator) {
  const Emulation e = detect_emulation(snapshot("aarch64", "aarch64", kX86Cpuinfo, "", ""));
  EXPECT_TRUE(e.emulated);
  EXPECT_EQ(e.emulator, "unknown");
  EXPECT_EQ(e.reason_kinds, std::vector<std::string>{"cpu_arch_mismatch"});
}

TEST(Emulation, DisabledBinfmtEntryIsNoSign) {
  FileSnapshot f = snapshot("aarch64", "aarch64", kX86Cpuinfo, "", "");
  f["proc/sys/fs/binfmt_misc/qemu-aarch64"] = "disabled\ninterpreter /usr/bin/qemu-aarch64-static\n";
  EXPECT_EQ(detect_emulation(f).reason_kinds, std::vector<std::string>{"cpu_arch_mismatch"});
}

TEST(Emulation, QemuOnItsOwnArchitectureIsSeenByTheInterpreterAlone) {
  // `qemu-aarch64 ./ctxbench` on an Arm machine: same architecture, still an emulator's figures.
  const Emulation e =
      detect_emulation(snapshot("aarch64", "aarch64", kArmCpuinfo, "/b/ctxbench", "/usr/bin/qemu-aarch64"));
  EXPECT_TRUE(e.emulated);
  EXPECT_EQ(e.emulator, "qemu-user");
  EXPECT_EQ(e.reason_kinds, std::vector<std::string>{"qemu_interpreter"});
}

TEST(Emulation, AnotherInterpreterIsNamedByItsFile) {
  const Emulation e =
      detect_emulation(snapshot("x86_64", "x86_64", kArmCpuinfo, "/b/ctxbench", "/usr/bin/FEXInterpreter"));
  EXPECT_TRUE(e.emulated);
  EXPECT_EQ(e.emulator, "FEXInterpreter");
  EXPECT_EQ(e.reason_kinds, (std::vector<std::string>{"cpu_arch_mismatch", "exe_interpreter"}));
}

TEST(Emulation, FixtureTreeOfQemuOnKvm2) {
  const FileSnapshot files = read_machine_files(fixture("qemu_aarch64"));
  const MachineInfo m = parse_machine(files);
  EXPECT_TRUE(m.emulation.emulated);
  EXPECT_EQ(m.emulation.emulator, "qemu-user");
  const nlohmann::json j = machine_to_json(m)["emulated"];
  EXPECT_EQ(j["emulated"], true);
  EXPECT_EQ(j["emulator"], "qemu-user");
  EXPECT_EQ(j["binary_arch"], "aarch64");
  EXPECT_EQ(j["cpu_arch"], "x86_64");
  EXPECT_EQ(j["reason_kinds"], nlohmann::json({"cpu_arch_mismatch", "qemu_interpreter", "binfmt_qemu"}));
  // doctor names it first.
  const std::vector<Finding> f = machine_findings(m, files, std::nullopt, false);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].topic, "emulated");
  EXPECT_NE(f[0].finding.find("qemu-user"), std::string::npos) << f[0].finding;
  EXPECT_NE(emulation_summary(m.emulation).find("EMULATED"), std::string::npos);
}

TEST(Emulation, NativeFixtureTreesAreNotEmulated) {
  for (const char* name : {"kvm2", "smt4"}) {
    const MachineInfo m = parse_machine(read_machine_files(fixture(name)));
    EXPECT_FALSE(m.emulation.emulated) << name;
    EXPECT_EQ(machine_to_json(m)["emulated"], nlohmann::json({{"emulated", false}, {"cpu_arch", "x86_64"}})) << name;
    EXPECT_EQ(emulation_summary(m.emulation), "") << name;
  }
}

TEST(Emulation, JsonRoundTripAndOlderFilesReadAsNative) {
  FileSnapshot f = snapshot("aarch64", "aarch64", kX86Cpuinfo, "/b/ctxbench", "/usr/bin/qemu-aarch64-static");
  const Emulation e = detect_emulation(f);
  const Emulation back = emulation_of_machine({{"emulated", emulation_to_json(e)}});
  EXPECT_TRUE(back.emulated);
  EXPECT_EQ(back.emulator, e.emulator);
  EXPECT_EQ(back.cpu_arch, e.cpu_arch);
  EXPECT_EQ(back.interpreter, e.interpreter);
  EXPECT_EQ(back.reason_kinds, e.reason_kinds);
  EXPECT_FALSE(emulation_of_machine({{"cpu_model", "AMD EPYC"}}).emulated);
  EXPECT_FALSE(emulation_of_machine(nlohmann::json::object()).emulated);
  EXPECT_FALSE(emulation_of_machine({{"emulated", true}}).emulated);  // not the object: not this schema's field
}

TEST(Emulation, MixOfEmulatedAndNativeIsRefusedNamingBothSides) {
  Emulation qemu;
  qemu.emulated = true;
  qemu.emulator = "qemu-user";
  qemu.binary_arch = "aarch64";
  qemu.cpu_arch = "x86_64";
  EXPECT_FALSE(emulation_mix_error({{"a.json", {}}, {"b.json", {}}}, "compare"));
  EXPECT_FALSE(emulation_mix_error({{"a.json", qemu}, {"b.json", qemu}}, "compare"));
  EXPECT_FALSE(emulation_mix_error({}, "compare"));
  const auto error = emulation_mix_error({{"native.json", {}}, {"arm.json", qemu}}, "compare");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("emulated: arm.json (qemu-user aarch64 on x86_64)"), std::string::npos) << *error;
  EXPECT_NE(error->find("native: native.json"), std::string::npos) << *error;
  EXPECT_NE(error->find("--allow-emulated"), std::string::npos) << *error;
}

}  // namespace
}  // namespace ctxbench
