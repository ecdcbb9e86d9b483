#include "src/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>

#include "src/arg_cursor.hpp"

namespace ctxbench {

namespace {

int parse_int(const std::string& flag, const std::string& text, int low, int high) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end)
    throw UsageError(fmt::format("{}: '{}' is not a whole number", flag, text));
  if (value < low || value > high)
    throw UsageError(fmt::format("{}: {} is out of range [{}, {}]", flag, value, low, high));
  return value;
}

// --explain-tail: a percentage of the traced ops, "1%" or "0.1%", above 0 and at most 50% (the slower half).
double parse_tail_quantile(const std::string& text) {
  const std::string usage = "must be a percentage of the traced ops above 0 and at most 50%, e.g. 1% or 0.1%";
  if (text.size() < 2 || text.back() != '%') throw UsageError(fmt::format("--explain-tail: '{}' {}", text, usage));
  double value = 0;
  const char* end = text.data() + text.size() - 1;
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !(value > 0) || value > 50)
    throw UsageError(fmt::format("--explain-tail: '{}' {}", text, usage));
  return value / 100;
}

std::pair<int, int> parse_cpu_pair(const std::string& text) {
  const auto comma = text.find(',');
  if (comma == std::string::npos)
    throw UsageError(fmt::format("--cpus: '{}' must be two CPU numbers, A,B (e.g. --cpus 0,1)", text));
  const int a = parse_int("--cpus", text.substr(0, comma), 0, 1 << 20);
  const int b = parse_int("--cpus", text.substr(comma + 1), 0, 1 << 20);
  if (a == b) throw UsageError(fmt::format("--cpus: '{}' names one CPU twice; cross-cpu needs two", text));
  return {a, b};
}

// The items of a comma list, empty ones kept (so "a,,b" and "a," can be refused by the caller).
std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

// "1us,50us", "500ns", "2ms" or plain nanoseconds; each 0 .. 100 ms, no repeats.
std::vector<std::uint64_t> parse_work_list(const std::string& text) {
  std::vector<std::uint64_t> out;
  for (const std::string& item : split_commas(text)) {
    std::size_t digits = 0;
    while (digits < item.size() && std::isdigit(static_cast<unsigned char>(item[digits])) != 0) ++digits;
    const std::string unit = item.substr(digits);
    const std::uint64_t scale = unit.empty() || unit == "ns" ? 1 : unit == "us" ? 1000 : unit == "ms" ? 1'000'000 : 0;
    if (digits == 0 || digits > 9 || scale == 0)
      throw UsageError(
          fmt::format("--server-work: '{}' is not a duration (e.g. 1us, 500ns, 2ms; a plain number is ns)", item));
    const std::uint64_t ns = std::stoull(item.substr(0, digits)) * scale;
    if (ns > 100'000'000) throw UsageError(fmt::format("--server-work: '{}' is over the 100 ms limit", item));
    if (std::find(out.begin(), out.end(), ns) != out.end())
      throw UsageError(fmt::format("--server-work: '{}' is given twice", item));
    out.push_back(ns);
  }
  return out;
}

// Connection counts 1 .. 65536, no repeats.
std::vector<int> parse_connection_list(const std::string& text) {
  std::vector<int> out;
  for (const std::string& item : split_commas(text)) {
    const int c = parse_int("--server-connections", item, 1, 65536);
    if (std::find(out.begin(), out.end(), c) != out.end())
      throw UsageError(fmt::format("--server-connections: {} is given twice", c));
    out.push_back(c);
  }
  return out;
}

std::vector<PlacementKind> parse_placements(const std::string& text) {
  std::vector<PlacementKind> out;
  for (const std::string& word : split_commas(text)) {
    PlacementKind kind;
    if (word == "same" || word == "same-cpu")
      kind = PlacementKind::SameCpu;
    else if (word == "cross" || word == "cross-cpu")
      kind = PlacementKind::CrossCpu;
    else if (word == "unpinned")
      kind = PlacementKind::Unpinned;
    else
      throw UsageError(fmt::format("--placement: '{}' is not one of same, cross, unpinned", word));
    if (std::find(out.begin(), out.end(), kind) == out.end()) out.push_back(kind);
  }
  return out;
}

}  // namespace

// libstdc++'s regex compiler recurses once per term and per group: a 100 000-character or deeply
// nested pattern overflows the stack (found by hand while fuzzing the CLI). No probe id is longer than
// ~60 characters, so 1024 leaves every sensible filter possible.
constexpr std::size_t kMaxRegexChars = 1024;

void check_regex(const std::string& flag, const std::string& text) {
  if (text.size() > kMaxRegexChars)
    throw UsageError(fmt::format("{}: the regular expression is {} characters long; at most {} are accepted", flag,
                                 text.size(), kMaxRegexChars));
  // Found by fuzz/options_fuzz.cpp: a back-reference or repeat count with many digits ('\\666...6')
  // overflows an int inside libstdc++'s regex compiler (UB, UBSan aborts). No probe id needs one.
  std::size_t digits = 0;
  for (char c : text) {
    digits = (c >= '0' && c <= '9') ? digits + 1 : 0;
    if (digits > 6)
      throw UsageError(fmt::format("{}: numbers in the regular expression are limited to 6 digits", flag));
  }
  try {
    std::regex re(text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw UsageError(fmt::format("{}: '{}' is not a valid regular expression ({})", flag, text, e.what()));
  }
}

std::string usage_text() {
  return R"(usage: ctxbench [options]
       ctxbench --list

Measures what Linux charges for context switches, process and thread creation, and IPC on this
machine. Prints a table on stdout, progress on stderr.

options:
  --json FILE           write the results as JSON (Google Benchmark compatible + ctxbench fields);
                        FILE '-' writes JSON to stdout and the table to stderr
  --filter REGEX        run only probes whose id (probe/placement, e.g. ctxswitch.pipe.process/same-cpu)
                        matches REGEX (ECMAScript syntax, partial match)
  --list                list the probes with their family, suites and what one op is, then exit
                        (every probe, or those of --suite and --filter when given)
  --suite NAME          run the probes of suite NAME: default (a representative subset, under a minute
                        on a 2-vCPU machine; what a run takes without --suite, --quick included) or full
                        (every probe), or one family's (ipc, shm, ctxswitch, process, thread, wakeup, bw,
                        server, db: real PostgreSQL/PgBouncer/MariaDB servers); composes with --filter
  --quick               smoke run: 3 repetitions with short samples (seconds, not a minute); the server
                        suite at 1, 4 and 16 connections and the db suite at 4 (--server-connections
                        overrides the server's)
  --repetitions N       repetitions per probe and placement, each with fresh partner tasks (default 10)
  --pm-qos              hold /dev/cpu_dma_latency at 0 for the run (cyclictest's default): no CPU enters
                        an idle state with an exit latency; root only, else skipped with the reason
  --no-interleave       run each probe's repetitions back to back (default: round k runs repetition k of
                        every probe, so a host state lasting seconds hits all probes alike)
  --timeout SECONDS     a probe (one placement, all repetitions) still running after this long fails
                        with the reason, its tasks killed and reaped, and the run goes on
                        (default: 60, or 2 s per repetition when that is more; 0: no limit)
  --cpus A,B            CPUs for pinned placements: same-cpu uses A, cross-cpu uses A and B
                        (default: the first two CPUs of the affinity mask)
  --placement LIST      comma-separated subset of same,cross,unpinned (default: all three)
  --explain             after the timed repetitions of each two-task, creation or timer probe, a separate
                        traced pass (BPF: the kernel's scheduler, system-call and IPI events of the probe's own
                        tasks) splits its op into phases: "where the time went" under the row and in the
                        JSON. Needs root or CAP_BPF+CAP_PERFMON; otherwise skipped with the reason.
  --explain-tail Q      the slowest Q of the traced ops (default 1%; e.g. 0.1%) against the median ones:
                        which phases grew and the named causes (preempting task, interrupt, softirq,
                        page fault, migration)
  --keep-awake          one SCHED_IDLE busy-loop per CPU a probe uses, so no CPU enters an idle state:
                        cross-cpu figures then exclude the idle exit (record ids end in /keep-awake).
                        Without it, the cross-cpu pipe and futex ping-pongs run both ways
  --server-work LIST    CPU work per request of the server.* sweep, e.g. 1us,50us (the default), 500ns, 2ms
  --server-connections LIST
                        concurrent connections of the server.* sweep, e.g. 1,8,64 (default 1,4,16,64,256,
                        1024 in the server suite, 4096 in full); counts beyond the fd limit are skipped
  --label NAME          a name for this machine/configuration, stored in the JSON
  --context K=V         extra key/value stored in the JSON context (repeatable)
  --help                this text
  --version             version and git revision

Google Benchmark aliases: --benchmark_out=FILE --benchmark_out_format=json --benchmark_filter=REGEX
--benchmark_repetitions=N

exit status: 0 all probes ok or skipped, 1 a probe failed, 2 bad usage, 130/143 interrupted.
)";
}

Options parse_options(const std::vector<std::string>& args) {
  Options o;
  bool tail_given = false;
  ArgCursor arg(args, 0);
  while (arg.next()) {
    const std::string flag = arg.flag();
    auto value = [&] { return arg.value(); };
    auto no_value = [&] { arg.no_value(); };

    if (flag == "--json" || flag == "--benchmark_out") {
      const std::string v = value();
      if (v.empty()) throw UsageError(fmt::format("{} needs a file name", flag));
      o.json_path = v;
    } else if (flag == "--benchmark_out_format") {
      const std::string v = value();
      if (v != "json") throw UsageError(fmt::format("{}: only 'json' is supported, not '{}'", flag, v));
    } else if (flag == "--filter" || flag == "--benchmark_filter") {
      const std::string v = value();
      check_regex(flag, v);
      o.filter = v;
    } else if (flag == "--suite") {
      const std::string v = value();
      if (v.empty()) throw UsageError("--suite needs a suite name (default, full; see --list)");
      o.suite = v;
    } else if (flag == "--repetitions" || flag == "--benchmark_repetitions") {
      o.repetitions = parse_int(flag, value(), 1, 1000);
    } else if (flag == "--timeout") {
      o.timeout_s = parse_int(flag, value(), 0, 86400);
    } else if (flag == "--cpus") {
      o.cpus = parse_cpu_pair(value());
    } else if (flag == "--placement") {
      o.placements = parse_placements(value());
    } else if (flag == "--server-work") {
      o.server_work_ns = parse_work_list(value());
    } else if (flag == "--server-connections") {
      o.server_connections = parse_connection_list(value());
    } else if (flag == "--label") {
      o.label = value();
    } else if (flag == "--context") {
      const std::string v = value();
      const auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError(fmt::format("--context: '{}' must be KEY=VALUE", v));
      o.context.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (flag == "--list") {
      no_value();
      o.list = true;
    } else if (flag == "--keep-awake") {
      no_value();
      o.keep_awake = true;
    } else if (flag == "--explain") {
      no_value();
      o.explain = true;
    } else if (flag == "--explain-tail") {
      o.explain_tail = parse_tail_quantile(value());
      tail_given = true;
    } else if (flag == "--pm-qos") {
      no_value();
      o.pm_qos = true;
    } else if (flag == "--no-interleave") {
      no_value();
      o.interleave = false;
    } else if (flag == "--quick") {
      no_value();
      o.quick = true;
    } else if (flag == "--help" || flag == "-h") {
      no_value();
      o.help = true;
    } else if (flag == "--version") {
      no_value();
      o.version = true;
    } else {
      throw UsageError(fmt::format("unknown option '{}' (see --help)", arg.raw()));
    }
  }
  if (tail_given && !o.explain)
    throw UsageError("--explain-tail needs --explain (it chooses which ops' tail is explained)");
  return o;
}

}  // namespace ctxbench
