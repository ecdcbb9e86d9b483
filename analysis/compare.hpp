// `ctxbench compare BASE.json NEW.json [MORE.json...]`: result files side by side, per probe+placement
// verdicts, machine differences, and the exit code of a CI gate. Pure functions over parsed files; the
// file reads happen in src/compare_main.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "analysis/compare_stats.hpp"

namespace ctxbench {

// Bad input file: what() names the file and the problem. Exit 2.
class CompareInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ProbeSeries {
  std::string id, probe, unit;
  std::vector<double> repetition_medians;
  std::vector<double> samples;
  // The record's rerun_ratio_95, or the same model over its repetition medians for files written before
  // it (analysis/rerun_model.hpp).
  std::optional<RerunInterval> rerun;
};

struct ResultFile {
  std::string path;
  std::string label;  // machine.label, else hostname, else the path
  nlohmann::json machine;
  std::vector<ProbeSeries> series;  // status ok only, file order
  std::vector<std::string> not_ok;  // ids present but skipped or failed
};

// Validates a parsed file (ctxbench.schema_version == kSchemaVersion, results[] of records) and extracts
// its ok records. Throws CompareInputError naming `path`.
ResultFile load_result_file(const std::string& path, const std::string& text);

struct MachineDifference {
  std::string field;
  std::vector<std::string> values;  // one per file
};
// Fields that matter for comparing timings (CPU model, kernel, virtualization, governor, SMT, CPUs,
// clocksource, boost) whose values are not all equal.
std::vector<MachineDifference> machine_differences(const std::vector<ResultFile>& files);

struct ComparedProbe {
  std::string id;
  ComparisonStats stats;
};
struct Comparison {
  const ResultFile* base = nullptr;
  const ResultFile* other = nullptr;
  std::vector<ComparedProbe> rows;  // base file order
  std::vector<std::string> only_in_base, only_in_other;
  int regressions() const;
};
Comparison compare_files(const ResultFile& base, const ResultFile& other, const CompareSettings& settings);

// Throws CompareInputError when no comparison has a probe in common (names both files).
void require_common_probes(const std::vector<Comparison>& comparisons);

// Two files: the verdict table. More: a matrix of ratios against the first file.
std::string format_comparisons(const std::vector<ResultFile>& files, const std::vector<Comparison>& comparisons,
                               const CompareSettings& settings);
nlohmann::json comparisons_to_json(const std::vector<ResultFile>& files, const std::vector<Comparison>& comparisons,
                                   const CompareSettings& settings);

}  // namespace ctxbench
