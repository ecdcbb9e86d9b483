// The result files ctxbench and `ctxbench compare` write (--json): checked before a run, replaced
// atomically so a reader never sees a half file.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace ctxbench {

// Writes `doc` to `path` through a temp file in the same directory + rename, so a reader never sees a
// half file. Throws std::runtime_error naming the path.
void write_json_atomically(const std::string& path, const nlohmann::json& doc);
// The same for a document produced in chunks: `produce` calls its argument with each chunk.
void write_file_atomically(const std::string& path,
                           const std::function<void(const std::function<void(const std::string&)>&)>& produce);
// Fails early (std::runtime_error naming the path) when `path` cannot be written: a directory, a missing
// or read-only parent. Leaves nothing behind.
void check_output_path(const std::string& path);

}  // namespace ctxbench
