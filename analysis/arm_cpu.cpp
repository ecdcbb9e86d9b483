#include "analysis/arm_cpu.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>
#include <string_view>
#include <tuple>

#include "analysis/arm_midr.hpp"

namespace ctxbench {
namespace {

std::string field(const CpuinfoBlock& b, const char* key) {
  const auto it = b.find(key);
  return it == b.end() ? std::string() : it->second;
}

// "0x41" (hex, as the kernel prints implementer, variant and part) or "1" (decimal, the revision).
std::optional<int> number(std::string_view s, int base) {
  if (base == 16) {
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
    s.remove_prefix(2);
  }
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string hex(int v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", digits, static_cast<unsigned>(v));
  return buf;
}

}  // namespace

std::vector<CpuType> arm_cpu_types(const std::vector<CpuinfoBlock>& blocks) {
  std::vector<CpuType> out;
  std::map<std::tuple<int, int, int, int, std::string>, std::size_t> index;  // MIDR fields -> out[i]
  for (const CpuinfoBlock& b : blocks) {
    const auto cpu = number(field(b, "processor"), 10);
    const auto implementer = number(field(b, "CPU implementer"), 16);
    const auto part = number(field(b, "CPU part"), 16);
    if (!cpu || !implementer || !part) continue;
    CpuType t;
    t.implementer = *implementer;
    t.part = *part;
    t.variant = number(field(b, "CPU variant"), 16).value_or(0);
    t.revision = number(field(b, "CPU revision"), 10).value_or(0);
    t.architecture = field(b, "CPU architecture");
    const auto [it, added] =
        index.try_emplace({t.implementer, t.part, t.variant, t.revision, t.architecture}, out.size());
    if (added) {
      t.vendor = arm_implementer_name(t.implementer);
      t.name = arm_part_name(t.implementer, t.part);
      out.push_back(std::move(t));
    }
    out[it->second].cpus.push_back(*cpu);
  }
  for (CpuType& t : out) std::sort(t.cpus.begin(), t.cpus.end());
  std::sort(out.begin(), out.end(), [](const CpuType& a, const CpuType& b) { return a.cpus < b.cpus; });
  return out;
}

std::string cpu_type_label(const CpuType& t) {
  return t.name.empty() ? hex(t.implementer, 2) + "/" + hex(t.part, 3) : t.name;
}

nlohmann::json cpu_type_to_json(const CpuType& t) {
  nlohmann::json j{{"implementer", hex(t.implementer, 2)},
                   {"part", hex(t.part, 3)},
                   {"variant", hex(t.variant, 1)},
                   {"revision", t.revision},
                   {"cpus", t.cpus}};
  if (!t.architecture.empty()) j["architecture"] = t.architecture;
  if (!t.vendor.empty()) j["vendor"] = t.vendor;
  if (!t.name.empty()) j["name"] = t.name;
  return j;
}

std::string cpu_type_full_name(const CpuType& t) {
  return (t.vendor.empty() ? "" : t.vendor + " ") + cpu_type_label(t) + " r" + std::to_string(t.variant) + "p" +
         std::to_string(t.revision);
}

}  // namespace ctxbench
