#include "analysis/emulation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace ctxbench {
namespace {

using Json = nlohmann::json;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string get(const FileSnapshot& f, const std::string& key) {
  const auto it = f.find(key);
  return it == f.end() ? std::string() : trim(it->second);
}

// The first value of each "key : value" line of /proc/cpuinfo (every CPU repeats the same keys).
std::map<std::string, std::string> first_values(const std::string& cpuinfo) {
  std::map<std::string, std::string> out;
  std::istringstream in(cpuinfo);
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    out.emplace(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string cpu_arch_from_cpuinfo(const std::string& cpuinfo) {
  const auto v = first_values(cpuinfo);
  const auto value = [&v](const std::string& key) {
    const auto it = v.find(key);
    return it == v.end() ? std::string() : it->second;
  };
  // s390x also has a vendor_id line, so it is told apart before x86.
  if (starts_with(value("vendor_id"), "IBM/S390")) return "s390x";
  // x86: "flags" with "lm" (long mode) is a 64-bit CPU.
  if (v.count("flags") || v.count("vendor_id")) {
    const std::string flags = " " + value("flags") + " ";
    return flags.find(" lm ") != std::string::npos ? "x86_64" : "i686";
  }
  // Arm: "CPU implementer"/"CPU architecture" (8 = ARMv8 or later, which a 64-bit kernel runs on).
  if (v.count("CPU implementer") || v.count("CPU architecture")) {
    const std::string a = value("CPU architecture");
    return a == "7" || a == "6" || a == "5TEJ" ? "arm" : "aarch64";
  }
  if (starts_with(value("isa"), "rv64")) return "riscv64";
  if (starts_with(value("isa"), "rv32")) return "riscv32";
  const std::string platform = value("platform");
  if (starts_with(value("cpu"), "POWER") || platform == "PowerNV" || platform == "pSeries") return "ppc64";
  return "";
}

std::string arch_family(const std::string& arch) {
  if (arch == "x86_64" || arch == "amd64" || arch == "x86" ||
      (arch.size() == 4 && arch[0] == 'i' && arch.substr(2) == "86"))
    return "x86";
  if (arch == "aarch64" || arch == "arm64" || starts_with(arch, "arm")) return "arm";
  if (starts_with(arch, "riscv")) return "riscv";
  if (starts_with(arch, "ppc") || starts_with(arch, "powerpc")) return "power";
  if (starts_with(arch, "s390")) return "s390";
  return arch;
}

Emulation detect_emulation(const FileSnapshot& f) {
  Emulation e;
  e.binary_arch = get(f, "ctxbench/binary_arch");
  e.kernel_arch = get(f, "uname/machine");
  e.cpu_arch = cpu_arch_from_cpuinfo(get(f, "proc/cpuinfo"));
  // Sign 1: the CPU /proc/cpuinfo describes cannot run this binary natively. qemu-user passes the host's
  // /proc/cpuinfo through while it answers uname with the emulated architecture, so the binary's own
  // architecture (fixed at compile time) is compared, not uname's.
  const bool mismatch =
      !e.binary_arch.empty() && !e.cpu_arch.empty() && arch_family(e.binary_arch) != arch_family(e.cpu_arch);
  if (mismatch) e.reason_kinds.push_back("cpu_arch_mismatch");
  // Sign 2: a user-mode emulator answers /proc/self/exe with the emulated program, but the kernel's own
  // link of the thread (/proc/thread-self/exe, a path qemu-user does not rewrite) names the program the
  // kernel really runs: the emulator. Natively both name the same file. This holds whichever way the
  // emulator was started (binfmt_misc, or `qemu-aarch64 ./ctxbench` on any machine).
  const std::string reported = get(f, "readlink/proc/self/exe");
  const std::string real = get(f, "readlink/proc/thread-self/exe");
  if (!reported.empty() && !real.empty() && reported != real) {
    e.interpreter = real;
    const bool qemu = base_name(real).find("qemu") != std::string::npos;
    e.reason_kinds.push_back(qemu ? "qemu_interpreter" : "exe_interpreter");
    e.emulator = qemu ? "qemu-user" : base_name(real);
  }
  // Sign 3: with the architectures apart, an enabled qemu binfmt_misc entry for the binary's architecture
  // is what ran it (it also names the emulator when sign 2 could not be read). Alone it proves nothing: the
  // entry may exist on a machine that runs this binary natively.
  const std::string binfmt = get(f, "proc/sys/fs/binfmt_misc/qemu-" + e.binary_arch);
  if (mismatch && starts_with(binfmt, "enabled")) {
    e.reason_kinds.push_back("binfmt_qemu");
    if (e.emulator.empty()) e.emulator = "qemu-user";
  }
  e.emulated = !e.reason_kinds.empty();
  if (e.emulated && e.emulator.empty()) e.emulator = "unknown";
  return e;
}

Json emulation_to_json(const Emulation& e) {
  Json j{{"emulated", e.emulated}};
  for (const auto& [key, value] : {std::pair{"emulator", &e.emulator}, std::pair{"binary_arch", &e.binary_arch},
                                   std::pair{"kernel_arch", &e.kernel_arch}, std::pair{"cpu_arch", &e.cpu_arch},
                                   std::pair{"interpreter", &e.interpreter}})
    if (!value->empty()) j[key] = *value;
  if (!e.reason_kinds.empty()) j["reason_kinds"] = e.reason_kinds;
  return j;
}

Emulation emulation_of_machine(const Json& machine) {
  Emulation e;
  if (!machine.is_object() || !machine.contains("emulated") || !machine["emulated"].is_object()) return e;
  const Json& j = machine["emulated"];
  e.emulated = j.contains("emulated") && j["emulated"].is_boolean() && j["emulated"].get<bool>();
  const auto text = [&j](const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  e.emulator = text("emulator");
  e.binary_arch = text("binary_arch");
  e.kernel_arch = text("kernel_arch");
  e.cpu_arch = text("cpu_arch");
  e.interpreter = text("interpreter");
  if (j.contains("reason_kinds") && j["reason_kinds"].is_array())
    for (const Json& k : j["reason_kinds"])
      if (k.is_string()) e.reason_kinds.push_back(k.get<std::string>());
  return e;
}

std::optional<std::string> emulation_mix_error(const std::vector<EmulationOrigin>& origins,
                                               const std::string& command) {
  std::vector<std::string> emulated, native;
  for (const EmulationOrigin& o : origins) {
    if (o.emulation.emulated)
      emulated.push_back(fmt::format("{} ({} {} on {})", o.name, o.emulation.emulator, o.emulation.binary_arch,
                                     o.emulation.cpu_arch.empty() ? "an unknown CPU" : o.emulation.cpu_arch));
    else
      native.push_back(o.name);
  }
  if (emulated.empty() || native.empty()) return std::nullopt;
  return fmt::format(
      "emulated and native runs mixed: emulated: {}; native: {}. An emulator's figures are not its architecture's "
      "figures (docs/METHODOLOGY.md, \"Emulated runs\"); {} them anyway with --allow-emulated",
      join(emulated), join(native), command);
}

std::string emulation_summary(const Emulation& e) {
  if (!e.emulated) return "";
  const std::string arch = e.binary_arch.empty() ? "this" : e.binary_arch;
  return fmt::format("EMULATED: {} ctxbench run by {} on {} ({}): figures of the emulator, not of {}", arch, e.emulator,
                     e.cpu_arch.empty() ? "a CPU of another architecture" : e.cpu_arch + " hardware",
                     join(e.reason_kinds), e.binary_arch.empty() ? "the architecture" : e.binary_arch);
}

}  // namespace ctxbench
