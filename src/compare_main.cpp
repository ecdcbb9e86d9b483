// The I/O half of `ctxbench compare`: read the files, report, write --json. The statistics and the
// formatting are pure functions in analysis/compare.*.
#include "src/compare_main.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "analysis/compare.hpp"
#include "analysis/emulation.hpp"
#include "analysis/json_report.hpp"
#include "src/compare_options.hpp"
#include "src/result_file.hpp"

namespace ctxbench {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CompareInputError(fmt::format("{}: cannot read ({})", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw CompareInputError(fmt::format("{}: read failed", path));
  return text.str();
}

}  // namespace

int compare_main(const std::vector<std::string>& args) {
  try {
    const CompareArgs a = parse_compare_args(args);
    if (a.help) {
      std::fputs(compare_usage_text().c_str(), stdout);
      return 0;
    }
    if (a.json_path) check_output_path(*a.json_path);
    std::vector<ResultFile> files;
    files.reserve(a.files.size());  // comparisons point into it
    for (const std::string& path : a.files) files.push_back(load_result_file(path, read_file(path)));
    if (!a.allow_emulated) {
      std::vector<EmulationOrigin> origins;
      for (const ResultFile& f : files) origins.push_back({f.path, emulation_of_machine(f.machine)});
      if (const auto error = emulation_mix_error(origins, "compare")) throw CompareInputError(*error);
    }
    std::vector<Comparison> comparisons;
    for (std::size_t i = 1; i < files.size(); ++i) comparisons.push_back(compare_files(files[0], files[i], a.settings));
    require_common_probes(comparisons);
    std::fputs(format_comparisons(files, comparisons, a.settings).c_str(), stdout);
    if (a.json_path) write_json_atomically(*a.json_path, comparisons_to_json(files, comparisons, a.settings));
    for (const Comparison& c : comparisons)
      if (c.regressions() > 0) return 1;
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ctxbench compare: %s\n", e.what());
    return 2;
  }
}

}  // namespace ctxbench
