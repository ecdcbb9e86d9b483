// Whether this run's figures came from an emulator (docs/METHODOLOGY.md, "Emulated runs"): an aarch64
// ctxbench run by qemu-user on an x86-64 machine measures qemu translating aarch64 code on an x86 CPU, not
// aarch64. Pure: the signs are read into the machine snapshot by engine/machine_files.cpp; this decides.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ctxbench {

// Same alias as analysis/machine.hpp: relative path -> content.
using FileSnapshot = std::map<std::string, std::string>;

struct Emulation {
  bool emulated = false;
  std::string emulator;     // "qemu-user", another interpreter's file name, or "unknown"; empty when native
  std::string binary_arch;  // what this ctxbench was compiled for ("aarch64", "x86_64", ...)
  std::string kernel_arch;  // uname's machine as the process sees it (qemu-user reports the emulated one)
  std::string cpu_arch;     // the architecture /proc/cpuinfo describes; empty when it cannot be told
  std::string interpreter;  // the program the kernel really runs, when it is not the one the process reports
  // Which signs were seen, stable snake_case keys: cpu_arch_mismatch, qemu_interpreter, exe_interpreter,
  // binfmt_qemu.
  std::vector<std::string> reason_kinds;
};

// "x86_64", "i686", "aarch64", "arm", "riscv64", "ppc64", "s390x" from /proc/cpuinfo's keys; "" when unknown.
std::string cpu_arch_from_cpuinfo(const std::string& cpuinfo);
// Architectures one CPU runs natively map to one family: "x86" (x86_64, i686, amd64), "arm" (aarch64,
// arm64, armv7l), "riscv", "power", "s390"; anything else is its own family.
std::string arch_family(const std::string& arch);

// From the snapshot's pseudo files (engine/machine_files.cpp): "ctxbench/binary_arch", "uname/machine",
// "readlink/proc/self/exe", "readlink/proc/thread-self/exe", and "proc/cpuinfo" and
// "proc/sys/fs/binfmt_misc/qemu-<binary_arch>".
Emulation detect_emulation(const FileSnapshot& files);

// machine.emulated: {"emulated": bool, then each non-empty field} (docs/contracts.md).
nlohmann::json emulation_to_json(const Emulation& e);
// A result file's machine block -> its emulation; a file without machine.emulated (older ctxbench, every
// one a native run) reads as native.
Emulation emulation_of_machine(const nlohmann::json& machine);

// One file of a set that must not mix emulated and native runs.
struct EmulationOrigin {
  std::string name;  // a path, or a store's name
  Emulation emulation;
};
// nullopt when every origin is emulated or every one is native; else the message that refuses the mix,
// naming each side's files and the flag that allows it (`command`: "compare", "history add", ...).
std::optional<std::string> emulation_mix_error(const std::vector<EmulationOrigin>& origins, const std::string& command);
// One line for the top of the console output and for doctor: what ran on what, and what emulated it.
std::string emulation_summary(const Emulation& e);

}  // namespace ctxbench
