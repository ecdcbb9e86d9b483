// libFuzzer target: the machine-info parser (parse_machine over a /proc + /sys snapshot, and the small
// parsers it uses: parse_cpu_list, parse_loadavg, cpu_relation), plus rendering it as JSON the way the
// report does. The input is split at NUL bytes; chunk i becomes the content of the i-th file name that
// the fixture trees (tests/fixtures/machine/*) contain, so the fuzzer mutates contents, not names.
// With CTXBENCH_FUZZ_SEED_DIR set, LLVMFuzzerInitialize writes the fixtures in that format as seeds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/machine.hpp"
#include "engine/machine_files.hpp"

namespace {

std::vector<std::string> g_keys;

const char* const kFixtures[] = {"kvm2", "smt4"};

std::string fixture_root(const char* name) {
  return std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/machine/" + name;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::set<std::string> keys;
  std::vector<ctxbench::FileSnapshot> snapshots;
  for (const char* f : kFixtures) {
    snapshots.push_back(ctxbench::read_machine_files(fixture_root(f)));
    for (const auto& [k, v] : snapshots.back()) keys.insert(k);
  }
  g_keys.assign(keys.begin(), keys.end());
  if (const char* dir = std::getenv("CTXBENCH_FUZZ_SEED_DIR")) {
    for (std::size_t i = 0; i < snapshots.size(); ++i) {
      std::ofstream out(std::string(dir) + "/" + kFixtures[i], std::ios::binary);
      for (std::size_t k = 0; k < g_keys.size(); ++k) {
        const auto it = snapshots[i].find(g_keys[k]);
        if (it != snapshots[i].end()) out << it->second;
        if (k + 1 < g_keys.size()) out.put('\0');
      }
    }
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ctxbench::FileSnapshot files;
  std::string chunk;
  std::size_t k = 0;
  for (std::size_t i = 0; i <= size && k < g_keys.size(); ++i) {
    if (i == size || data[i] == 0) {
      if (!chunk.empty()) files[g_keys[k]] = chunk;
      chunk.clear();
      ++k;
    } else {
      chunk.push_back(static_cast<char>(data[i]));
    }
  }
  const ctxbench::MachineInfo m = ctxbench::parse_machine(files);
  for (int a : {-1, 0, 1, 3})
    for (int b : {0, 1, 2, 7}) (void)ctxbench::cpu_relation(m, a, b);
  // The report dumps with invalid UTF-8 replaced (src/result_file.cpp); anything else thrown is a bug.
  (void)ctxbench::machine_to_json(m).dump(1, ' ', false, nlohmann::json::error_handler_t::replace);

  const std::string raw(reinterpret_cast<const char*>(data), size);
  try {
    const std::vector<int> cpus = ctxbench::parse_cpu_list(raw);
    for (std::size_t i = 1; i < cpus.size(); ++i)
      if (cpus[i - 1] >= cpus[i]) __builtin_trap();  // promised: ascending, no duplicates
  } catch (const std::invalid_argument&) {
  }
  (void)ctxbench::parse_loadavg(raw);
  return 0;
}
