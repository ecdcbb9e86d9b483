// The --json file of a running ctxbench: rewritten atomically after a probe so an interrupted or
// crashed run keeps what it measured, at a cost that does not grow with the samples already written.
//
// Each record is turned into its JSON line once, when it is added, and appended to a spool: an unnamed
// temporary file in the output's directory (O_TMPFILE; nothing is left behind whatever happens). A
// rewrite is the document's head (small) + a kernel copy of the spool (copy_file_range) + the derived
// records + the tail, into a temp file renamed over the output. ctxbench keeps no text of the records.
#pragma once

#include <string>
#include <vector>

#include "analysis/json_report.hpp"
#include "analysis/machine.hpp"
#include "analysis/record.hpp"
#include "probes/os.hpp"

namespace ctxbench {

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
