// The result files ctxbench and `ctxbench compare` write (--json): checked before a run, replaced
// atomically so a reader never sees a half file, and — for a running ctxbench — rewritten after a probe
// at a cost that does not grow with the samples already written.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/json_report.hpp"
#include "analysis/machine.hpp"
#include "analysis/record.hpp"
#include "engine/os.hpp"

namespace ctxbench {

// Writes `doc` to `path` through a temp file in the same directory + rename, so a reader never sees a
// half file. Throws std::runtime_error naming the path.
void write_json_atomically(const std::string& path, const nlohmann::json& doc);
// The same for a document `produce` writes to the temp file's descriptor (write_text, or a kernel copy).
void write_file_atomically(const std::string& path, const std::function<void(int fd)>& produce);
// All of `text` to fd, retrying EINTR; throws std::runtime_error.
void write_text(int fd, const std::string& text);
// The directory part of a path ("." for a bare name).
std::string parent_dir(const std::string& path);
// An unnamed file in `dir` (O_TMPFILE), or a named one unlinked at once where the filesystem has none:
// nothing is left behind whatever happens. -1 with errno on failure.
int unnamed_file(const std::string& dir);
// Fails early (std::runtime_error naming the path) when `path` cannot be written: a directory, a missing
// or read-only parent. Leaves nothing behind.
void check_output_path(const std::string& path);

// The --json file of a running ctxbench. Each record is turned into its JSON line once, when it is
// added, and appended to a spool: an unnamed temporary file in the output's directory (O_TMPFILE;
// nothing is left behind whatever happens). A rewrite is the document's head (small) + a kernel copy of
// the spool (copy_file_range) + the derived records + the tail, through write_file_atomically. ctxbench
// keeps no text of the records.
class SpooledResultFile {
 public:
  // Throws std::runtime_error naming the path when the spool cannot be created.
  explicit SpooledResultFile(std::string path);
  // A measured record, in run order.
  void add(const Record& record);
  // Rewrites the file: every added record, then `derived` (recomputed from the measured ones each time).
  void write(const RunMeta& meta, const MachineInfo& machine, const std::vector<Record>& derived) const;

 private:
  std::string path_;
  UniqueFd spool_;
  std::uint64_t spool_bytes_ = 0;
  std::size_t records_ = 0;
  ReportIndex index_;
};

}  // namespace ctxbench
