// The numbers are the Linux kernel's (arch/arm64/include/asm/cputype.h, ARM_CPU_IMP_* and *_CPU_PART_*), except
// Neoverse-E1 (0xd4a), which the kernel does not list: Arm's Neoverse E1 reference manual (MIDR_EL1.PartNum).
#include "analysis/arm_midr.hpp"

#include <algorithm>
#include <iterator>

namespace ctxbench {
namespace {

struct Implementer {
  int id;
  const char* name;
};
constexpr Implementer kImplementers[] = {
    {0x41, "ARM"}, {0x42, "Broadcom"}, {0x43, "Cavium"}, {0x46, "Fujitsu"},   {0x48, "HiSilicon"}, {0x4e, "NVIDIA"},
    {0x50, "APM"}, {0x51, "Qualcomm"}, {0x61, "Apple"},  {0x6d, "Microsoft"}, {0xc0, "Ampere"},
};

struct Part {
  int implementer, part;
  const char* name;
};
constexpr Part kParts[] = {
    {0x41, 0xd03, "Cortex-A53"},
    {0x41, 0xd04, "Cortex-A35"},
    {0x41, 0xd05, "Cortex-A55"},
    {0x41, 0xd06, "Cortex-A65"},
    {0x41, 0xd07, "Cortex-A57"},
    {0x41, 0xd08, "Cortex-A72"},
    {0x41, 0xd09, "Cortex-A73"},
    {0x41, 0xd0a, "Cortex-A75"},
    {0x41, 0xd0b, "Cortex-A76"},
    {0x41, 0xd0c, "Neoverse-N1"},
    {0x41, 0xd0d, "Cortex-A77"},
    {0x41, 0xd0e, "Cortex-A76AE"},
    {0x41, 0xd40, "Neoverse-V1"},
    {0x41, 0xd41, "Cortex-A78"},
    {0x41, 0xd42, "Cortex-A78AE"},
    {0x41, 0xd44, "Cortex-X1"},
    {0x41, 0xd46, "Cortex-A510"},
    {0x41, 0xd47, "Cortex-A710"},
    {0x41, 0xd48, "Cortex-X2"},
    {0x41, 0xd49, "Neoverse-N2"},
    {0x41, 0xd4a, "Neoverse-E1"},
    {0x41, 0xd4b, "Cortex-A78C"},
    {0x41, 0xd4c, "Cortex-X1C"},
    {0x41, 0xd4d, "Cortex-A715"},
    {0x41, 0xd4e, "Cortex-X3"},
    {0x41, 0xd4f, "Neoverse-V2"},
    {0x41, 0xd80, "Cortex-A520"},
    {0x41, 0xd81, "Cortex-A720"},
    {0x41, 0xd82, "Cortex-X4"},
    {0x41, 0xd83, "Neoverse-V3AE"},
    {0x41, 0xd84, "Neoverse-V3"},
    {0x41, 0xd85, "Cortex-X925"},
    {0x41, 0xd87, "Cortex-A725"},
    {0x41, 0xd89, "Cortex-A720AE"},
    {0x41, 0xd8b, "C1-Pro"},
    {0x41, 0xd8e, "Neoverse-N3"},
    {0x42, 0x100, "Brahma-B53"},
    {0x42, 0x516, "Vulcan"},
    {0x43, 0x0a1, "ThunderX"},
    {0x43, 0x0a2, "ThunderX-81XX"},
    {0x43, 0x0a3, "ThunderX-83XX"},
    {0x43, 0x0af, "ThunderX2"},
    {0x43, 0x0b1, "OcteonTX2-98XX"},
    {0x43, 0x0b2, "OcteonTX2-96XX"},
    {0x43, 0x0b3, "OcteonTX2-95XX"},
    {0x43, 0x0b4, "OcteonTX2-95XXN"},
    {0x43, 0x0b5, "OcteonTX2-95XXMM"},
    {0x43, 0x0b6, "OcteonTX2-95XXO"},
    {0x46, 0x001, "A64FX"},
    {0x48, 0xd01, "TSV110"},
    {0x48, 0xd02, "HIP09"},
    {0x48, 0xd06, "HIP12"},
    {0x4e, 0x003, "Denver"},
    {0x4e, 0x004, "Carmel"},
    {0x4e, 0x010, "Olympus"},
    {0x50, 0x000, "X-Gene"},
    // 0x800 is also Falkor V1 (told apart by the variant); Kryo 2XX Gold is the common one.
    {0x51, 0x001, "Oryon-X1"},
    {0x51, 0x200, "Kryo"},
    {0x51, 0x800, "Kryo-2XX-Gold"},
    {0x51, 0x801, "Kryo-2XX-Silver"},
    {0x51, 0x802, "Kryo-3XX-Gold"},
    {0x51, 0x803, "Kryo-3XX-Silver"},
    {0x51, 0x804, "Kryo-4XX-Gold"},
    {0x51, 0x805, "Kryo-4XX-Silver"},
    {0x51, 0xc00, "Falkor"},
    {0x61, 0x022, "M1-Icestorm"},
    {0x61, 0x023, "M1-Firestorm"},
    {0x61, 0x024, "M1-Pro-Icestorm"},
    {0x61, 0x025, "M1-Pro-Firestorm"},
    {0x61, 0x028, "M1-Max-Icestorm"},
    {0x61, 0x029, "M1-Max-Firestorm"},
    {0x61, 0x032, "M2-Blizzard"},
    {0x61, 0x033, "M2-Avalanche"},
    {0x61, 0x034, "M2-Pro-Blizzard"},
    {0x61, 0x035, "M2-Pro-Avalanche"},
    {0x61, 0x038, "M2-Max-Blizzard"},
    {0x61, 0x039, "M2-Max-Avalanche"},
    {0x6d, 0xd49, "Azure-Cobalt-100"},
    {0xc0, 0xac3, "AmpereOne"},
    {0xc0, 0xac4, "AmpereOne-A"},
};

}  // namespace

std::string arm_implementer_name(int implementer) {
  const auto it = std::find_if(std::begin(kImplementers), std::end(kImplementers),
                               [implementer](const Implementer& i) { return i.id == implementer; });
  return it == std::end(kImplementers) ? std::string() : it->name;
}

std::string arm_part_name(int implementer, int part) {
  const auto it = std::find_if(std::begin(kParts), std::end(kParts), [implementer, part](const Part& p) {
    return p.implementer == implementer && p.part == part;
  });
  return it == std::end(kParts) ? std::string() : it->name;
}

}  // namespace ctxbench
