// Readable names for the numbers an aarch64 kernel prints in /proc/cpuinfo instead of a model name: the MIDR
// implementer ("CPU implementer : 0x41") and part number ("CPU part : 0xd0c").
#pragma once

#include <string>

namespace ctxbench {

// "ARM", "Ampere", "Apple", ...; "" for an implementer not in the table.
std::string arm_implementer_name(int implementer);
// "Neoverse-N1", "Cortex-A55", "A64FX", ...; "" for a part not in the table (part numbers are per implementer).
std::string arm_part_name(int implementer, int part);

}  // namespace ctxbench
