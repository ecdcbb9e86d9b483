// The pieces the JSON document (analysis/json_report.hpp) is made of, one file per job: Google Benchmark's
// context and rows (json_benchmark.cpp), a result record (json_record.cpp), its --explain block
// (json_explain.cpp), and the streamed document with the `ctxbench` block (json_report.cpp). Internal to
// analysis/ (the history document, analysis/history_report.cpp, uses put as well).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "analysis/explain.hpp"
#include "analysis/json_report.hpp"
#include "analysis/warning.hpp"

namespace ctxbench {

// Sets obj[key] only for finite values: the contract forbids NaN/Infinity, and a missing key is the
// honest way to say "not known".
void put(nlohmann::json& obj, const char* key, double value);
void put(nlohmann::json& obj, const char* key, const std::optional<double>& value);

std::string dump_compact(const nlohmann::json& j);

// Google Benchmark's `context` block.
nlohmann::json context_block(const RunMeta& meta, const MachineInfo& machine);
// docs/contracts.md, "explain": the --explain breakdown of one record.
nlohmann::json explain_json(const Explanation& x);
// {kind, text, figure?, remedy?}
nlohmann::json warning_json(const Warning& w);
nlohmann::json warnings_json(const std::vector<Warning>& warnings);

}  // namespace ctxbench
