// ctxbench: parse options -> plan -> run -> report -> exit code. The steps live in src/ (options, plan,
// run, report, result files); measurement in probes/, statistics, records and reporters in analysis/.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "analysis/json_report.hpp"
#include "engine/os.hpp"
#include "probes/registry.hpp"
#include "src/compare_main.hpp"
#include "src/doctor.hpp"
#include "src/history_main.hpp"
#include "src/options.hpp"
#include "src/plan.hpp"
#include "src/report.hpp"
#include "src/result_sink.hpp"
#include "src/run.hpp"

namespace {

// CTXBENCH_TEST_PROBES=1 adds the test.* probes (docs/inputs.md): read here, once, and passed on as data.
bool test_probes_asked() {
  const char* value = std::getenv("CTXBENCH_TEST_PROBES");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ctxbench;
  // Captured before anything pins a thread, so unpinned runs get the whole mask back.
  const std::vector<int> allowed = allowed_cpus();
  const std::vector<std::string> args(argv, argv + argc);
  if (args.size() > 1 && args[1] == "compare") return compare_main({args.begin() + 2, args.end()});
  if (args.size() > 1 && args[1] == "doctor") return doctor_main({args.begin() + 2, args.end()});
  if (args.size() > 1 && args[1] == "history") return history_main({args.begin() + 2, args.end()});
  try {
    const Options o = parse_options({args.begin() + 1, args.end()});
    if (o.help) {
      std::fputs(usage_text().c_str(), stdout);
      return 0;
    }
    if (o.version) {
      std::printf("ctxbench %s (%s)\n", tool_version().c_str(), git_revision().c_str());
      return 0;
    }
    const ProbeTableConfig table_config = probe_table_config(o, test_probes_asked());
    const ProbeTable table = build_probe_table(table_config);
    const std::vector<PlannedRun> plan = make_plan(o, table, allowed);
    if (o.list) return list_probes(plan);
    ResultSink::check_target(o.json_path);
    return exit_code(run_plan(o, args, plan, table_config));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ctxbench: %s\n", e.what());
    return 2;
  }
}
