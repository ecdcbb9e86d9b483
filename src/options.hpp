// Command-line options of `ctxbench` (docs/inputs.md): a pure parser, so every bad input is unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/probe.hpp"

namespace ctxbench {

struct Options {
  std::optional<std::string> json_path;  // "-" for stdout
  std::optional<std::string> filter;     // ECMAScript regex over "probe/placement" ids
  // --suite NAME: "default" (what a run takes when not given), "full" (every probe) or another named
  // suite a probe lists. --list without --suite shows every probe.
  std::optional<std::string> suite;
  bool list = false;
  bool quick = false;
  bool help = false;
  bool version = false;
  std::optional<int> repetitions;
  std::optional<int> timeout_s;             // --timeout SECONDS per probe and placement; 0 disables the watchdog
  std::optional<std::pair<int, int>> cpus;  // --cpus A,B: two different CPUs (same-cpu uses A)
  std::vector<PlacementKind> placements = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  std::string label;
  // --keep-awake: a SCHED_IDLE spinner on each CPU every probe uses. Without it, the headline cross-cpu
  // ping-pongs (pipe, futex) run a second time with spinners so the table shows the idle-exit share.
  bool keep_awake = false;
  // --explain: after each explainable record's timed repetitions, a separate traced pass splits its op
  // into the kernel's phases (docs/METHODOLOGY.md, "Where the time went").
  bool explain = false;
  // --explain-tail Q: the slowest fraction of the traced ops the tail explains (docs/inputs.md).
  double explain_tail = 0.01;
  // Repetitions interleaved across probes (src/interleave.hpp); --no-interleave runs each probe's
  // repetitions back to back in one measuring process.
  bool interleave = true;
  // --pm-qos: hold /dev/cpu_dma_latency at 0 for the run (engine/pm_qos.hpp).
  bool pm_qos = false;
  std::vector<std::pair<std::string, std::string>> context;  // --context K=V
  // --server-work LIST (ns) and --server-connections LIST: the server.* sweep points; empty = defaults.
  std::vector<std::uint64_t> server_work_ns;
  std::vector<int> server_connections;
};

// Thrown for bad usage; what() names the flag and the problem. main prints it and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws UsageError naming `flag` when `text` is not an ECMAScript regex ctxbench accepts (at most 1024
// characters, numbers of at most 6 digits, valid syntax). --filter of ctxbench and of `ctxbench history`.
void check_regex(const std::string& flag, const std::string& text);

// Parses argv[1..]. Accepts "--flag VALUE" and "--flag=VALUE", and Google Benchmark's aliases
// --benchmark_out=FILE, --benchmark_out_format=json, --benchmark_filter=REGEX,
// --benchmark_repetitions=N so compare.py can drive ctxbench. Validates the regex here.
Options parse_options(const std::vector<std::string>& args);

std::string usage_text();

}  // namespace ctxbench
