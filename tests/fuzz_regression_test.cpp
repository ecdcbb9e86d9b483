// Regression tests for inputs found while writing the fuzz targets (fuzz/, scripts/fuzz.sh), by reading the
// parsers they cover; each was confirmed under UBSan / by an exception. Each
// failed (a sanitizer report or an exception) before its fix.
#include <gtest/gtest.h>

#include <string>

#include "analysis/machine.hpp"
#include "engine/machine_files.hpp"

namespace ctxbench {
namespace {

FileSnapshot kvm2() { return read_machine_files(std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/machine/kvm2"); }

// "1000000000000G" passed the 2^40 bound on the number and then overflowed long long when multiplied
// by 2^30 (signed overflow: UBSan aborts). Now the size is refused as unknown.
TEST(FuzzRegression, HugeCacheSizeDoesNotOverflow) {
  FileSnapshot f = kvm2();
  const std::string key = "sys/devices/system/cpu/cpu0/cache/index0/size";
  ASSERT_TRUE(f.count(key));
  f[key] = "1000000000000G\n";
  const MachineInfo m = parse_machine(f);
  for (const CacheInfo& c : m.caches) EXPECT_GE(c.size_bytes, 0);
  f[key] = "1024G\n";  // the largest accepted: 2^40 bytes
  EXPECT_NO_THROW(parse_machine(f));
}

// A CPU model name that is not UTF-8 (firmware strings are bytes) must not make the JSON dump throw.
TEST(FuzzRegression, NonUtf8CpuModelStillRenders) {
  FileSnapshot f = kvm2();
  f["proc/cpuinfo"] = "processor\t: 0\nmodel name\t: \xff\xfe CPU\n\n";
  const MachineInfo m = parse_machine(f);
  const std::string text = machine_to_json(m).dump(1, ' ', false, nlohmann::json::error_handler_t::replace);
  EXPECT_NE(text.find("CPU"), std::string::npos);
}

}  // namespace
}  // namespace ctxbench
