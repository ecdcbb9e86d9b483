// The I/O half of `ctxbench history`: read files, open the store, write output. The store's SQL is in
// src/store/, the series analysis and the formatting are pure functions in analysis/history_*.
#include "src/history_main.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>

#include "analysis/history_confirm.hpp"
#include "analysis/history_input.hpp"
#include "analysis/history_report.hpp"
#include "analysis/pair_distance.hpp"
#include "src/history_options.hpp"
#include "src/options.hpp"
#include "src/result_file.hpp"
#include "src/store/history_store.hpp"
#include "src/store/schema.hpp"

namespace ctxbench {
namespace {

std::string read_input(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw HistoryInputError(fmt::format("{}: cannot read ({})", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw HistoryInputError(fmt::format("{}: read failed", path));
  return text.str();
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Tests only (a build with CTXBENCH_TEST_PROBES): CTXBENCH_TEST_STALL_INGEST=1 stops `history add` inside
// its first transaction, after the last record and before the commit, so a test can kill it there.
void stall_if_asked() {
#ifdef CTXBENCH_HAS_TEST_PROBES
  const char* v = std::getenv("CTXBENCH_TEST_STALL_INGEST");
  if (v == nullptr || std::string(v) != "1") return;
  std::fputs("history add: stalled before commit (CTXBENCH_TEST_STALL_INGEST)\n", stderr);
  for (;;) ::pause();
#endif
}

std::function<bool(const std::string&)> record_filter(const HistoryArgs& a) {
  if (!a.filter) return {};
  auto re = std::make_shared<std::regex>(*a.filter, std::regex::ECMAScript);
  return [re](const std::string& id) { return std::regex_search(id, *re); };
}

store::HistoryQuery query_of(const HistoryArgs& a) { return {a.machine, a.since}; }

// The store's series, each cross-CPU point judged on its repetitions at the usual CPU distance
// (analysis/pair_distance.hpp): what show, export --json and check all read.
History load(store::Connection& c, const store::HistoryQuery& q, const std::function<bool(const std::string&)>& keep) {
  return on_usual_pair_distance(store::load_history(c, q, keep));
}

ChangePointOptions change_options(const HistoryArgs& a) {
  ChangePointOptions o;
  if (a.window) o.window = *a.window;
  if (a.max_p_value) o.max_p_value = *a.max_p_value;
  if (a.false_discovery_rate) o.false_discovery_rate = *a.false_discovery_rate;
  if (a.min_change) o.min_magnitude = *a.min_change;
  return o;
}

// Emulated and native runs in one store, or an emulated run checked against native ones (or the reverse):
// refused before anything is written, unless --allow-emulated (docs/METHODOLOGY.md, "Emulated runs").
// The files alone are checked before the store is opened (a refused `add` creates no store file).
void refuse_emulation_mix(const HistoryArgs& a, const std::vector<RunInput>& inputs, store::Connection* c,
                          const std::string& verb) {
  if (a.allow_emulated) return;
  std::vector<EmulationOrigin> origins;
  for (const RunInput& in : inputs) origins.push_back({in.run.source, in.emulation});
  if (c != nullptr)
    for (EmulationOrigin& o : store::stored_emulation(*c)) origins.push_back(std::move(o));
  if (const auto error = emulation_mix_error(origins, "history " + verb)) throw HistoryInputError(*error);
}

int run_add(const HistoryArgs& a) {
  // Every file is read and checked before the store is touched: one bad file, nothing written.
  std::vector<RunInput> inputs;
  for (const std::string& path : a.files) inputs.push_back(read_run_file(path, read_input(path)));
  refuse_emulation_mix(a, inputs, nullptr, "add");
  auto c = store::open_store(a.store, true);
  store::prepare_schema(*c, true);
  refuse_emulation_mix(a, inputs, c.get(), "add");
  const std::string now = utc_now();
  int added = 0;
  for (const RunInput& in : inputs) {
    const bool fresh = store::add_run(*c, in, now, stall_if_asked);
    added += fresh ? 1 : 0;
    std::printf("%s %s: run %s, machine %s, %zu records\n", fresh ? "added" : "already stored", in.run.source.c_str(),
                in.run.run_id.substr(0, 12).c_str(), in.machine.fingerprint.c_str(), in.records.size());
  }
  std::printf("%d of %zu files added to %s\n", added, inputs.size(), c->name().c_str());
  return 0;
}

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& values) {
  std::string line;
  for (std::size_t i = 0; i < values.size(); ++i) line.append(i ? "," : "").append(csv_field(values[i]));
  return line + "\n";
}

// Writes what `produce` writes (to a descriptor) to --out atomically, or to stdout.
void emit(const HistoryArgs& a, const std::function<void(int fd)>& produce) {
  if (a.out && *a.out != "-")
    write_file_atomically(*a.out, produce);
  else
    produce(STDOUT_FILENO);
}

int run_export(const HistoryArgs& a) {
  if (a.out && *a.out != "-") check_output_path(*a.out);
  auto c = store::open_store(a.store, false);
  store::prepare_schema(*c, false);
  if (a.csv) {
    emit(a, [&](int fd) {
      std::string buffer;
      auto flush = [&](bool force) {
        if (force || buffer.size() > (1 << 16)) {
          write_text(fd, buffer);
          buffer.clear();
        }
      };
      store::export_rows(
          *c, query_of(a), record_filter(a), [&](const std::vector<std::string>& h) { buffer += csv_line(h); },
          [&](const std::vector<std::string>& row) {
            buffer += csv_line(row);
            flush(false);
          });
      flush(true);
    });
    return 0;
  }
  const History h = load(*c, query_of(a), record_filter(a));
  const std::string text = history_to_json(h, analyse_history(h, change_options(a))).dump() + "\n";
  emit(a, [&](int fd) { write_text(fd, text); });
  return 0;
}

int run_show(const HistoryArgs& a) {
  auto c = store::open_store(a.store, false);
  store::prepare_schema(*c, false);
  const History h = load(*c, query_of(a), record_filter(a));
  const HistoryAnalysis analysis = analyse_history(h, change_options(a));
  const std::string text = a.json ? history_to_json(h, analysis).dump() + "\n" : format_history(h, analysis);
  std::fputs(text.c_str(), stdout);
  return 0;
}

// `check`'s files: runs of one build on one machine (a run and its reruns), each a different run.
std::vector<RunInput> read_runs_of_one_machine(const std::vector<std::string>& files) {
  std::vector<RunInput> runs;
  for (const std::string& file : files) {
    runs.push_back(read_run_file(file, read_input(file)));
    const RunInput& first = runs.front();
    if (runs.back().machine.fingerprint != first.machine.fingerprint)
      throw HistoryInputError(
          fmt::format("{}: machine {} is not {}'s ({}): the runs checked together must be one "
                      "machine's",
                      file, runs.back().machine.fingerprint, first.run.source, first.machine.fingerprint));
    for (std::size_t i = 0; i + 1 < runs.size(); ++i)
      if (runs[i].run.run_id == runs.back().run.run_id)
        throw HistoryInputError(
            fmt::format("{}: the same run as {}: a rerun is a new run of the build", file, runs[i].run.source));
  }
  return runs;
}

int run_check(const HistoryArgs& a) {
  const std::vector<RunInput> runs = read_runs_of_one_machine(a.files);
  auto c = store::open_store(a.store, false);
  store::prepare_schema(*c, false);
  refuse_emulation_mix(a, runs, c.get(), "check");
  // The runs' machine only; the runs themselves, if they were added already, are left out of its history.
  store::HistoryQuery q;
  q.machine = runs.front().machine.fingerprint;
  const History h = load(*c, q, {});
  HistoryGateOptions options;
  options.threshold = a.threshold;
  if (a.min_history) options.min_history = *a.min_history;
  if (a.window) options.window = *a.window;
  if (a.max_p_value) options.max_p_value = *a.max_p_value;
  if (a.false_discovery_rate) options.false_discovery_rate = *a.false_discovery_rate;
  const HistoryCheck check =
      check_runs_against_history(h, runs, options, change_options(a), a.confirm.value_or(kDefaultConfirmRuns));
  const RunInput& newest = runs.back();
  const std::string text = a.json ? history_check_to_json(newest, check, options).dump() + "\n"
                                  : format_history_check(newest, check, options);
  std::fputs(text.c_str(), stdout);
  if (check.regressions() > 0) return 1;
  return check.unconfirmed_regressions() > 0 ? 3 : 0;
}

}  // namespace

int history_main(const std::vector<std::string>& args) {
  try {
    const HistoryArgs a = parse_history_args(args);
    if (a.help) {
      std::fputs(history_usage_text().c_str(), stdout);
      return 0;
    }
    switch (a.command) {
      case HistoryCommand::Add:
        return run_add(a);
      case HistoryCommand::Show:
        return run_show(a);
      case HistoryCommand::Check:
        return run_check(a);
      case HistoryCommand::Export:
        return run_export(a);
    }
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ctxbench history: %s\n", e.what());
    return 2;
  }
}

}  // namespace ctxbench
