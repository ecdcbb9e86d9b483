// libFuzzer target: the command-line parser. The input is split at NUL bytes into argv[1..]; any
// outcome but Options or UsageError (another exception, a crash, a sanitizer report, a hang) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "src/options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.emplace_back();
    } else {
      args.back().push_back(static_cast<char>(data[i]));
    }
  }
  try {
    const ctxbench::Options o = ctxbench::parse_options(args);
    // What main() relies on after a successful parse.
    if (o.repetitions && (*o.repetitions < 1 || *o.repetitions > 1000)) __builtin_trap();
    if (o.timeout_s && (*o.timeout_s < 0 || *o.timeout_s > 86400)) __builtin_trap();
    if (o.cpus && (o.cpus->first < 0 || o.cpus->second < 0 || o.cpus->first == o.cpus->second)) __builtin_trap();
    if (o.json_path && o.json_path->empty()) __builtin_trap();
    if (o.placements.empty()) __builtin_trap();
  } catch (const ctxbench::UsageError&) {
    // bad usage, reported to the user: the expected outcome for most inputs
  }
  return 0;
}
