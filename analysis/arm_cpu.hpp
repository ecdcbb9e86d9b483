// The kinds of core of an aarch64 machine from the MIDR fields /proc/cpuinfo prints per processor
// (docs/contracts.md, "The machine record").
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/machine.hpp"

namespace ctxbench {

// proc/cpuinfo as one key -> value map per processor block (analysis/machine.cpp splits the text).
using CpuinfoBlock = std::map<std::string, std::string>;

// One CpuType per distinct (implementer, part, variant, revision, architecture), ordered by first CPU, with the
// names of analysis/arm_midr.hpp; empty when no block has a readable "CPU implementer" and "CPU part" (x86).
// Caches are left empty: they come from sysfs, not cpuinfo.
std::vector<CpuType> arm_cpu_types(const std::vector<CpuinfoBlock>& blocks);
// "Neoverse-N1" when the part is known, else "0x41/0xd0c" (implementer/part as the kernel prints them).
std::string cpu_type_label(const CpuType& t);
// implementer, part, variant as the kernel prints them ("0x41", "0xd0c", "0x3"), revision, architecture, vendor,
// name (absent when unknown), cpus; machine_to_json adds the caches.
nlohmann::json cpu_type_to_json(const CpuType& t);
// "ARM Neoverse-N1 r3p1": vendor, label and the variant/revision as Arm writes them.
std::string cpu_type_full_name(const CpuType& t);

}  // namespace ctxbench
