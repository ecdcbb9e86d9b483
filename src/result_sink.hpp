// Where a run's results go, decided here and nowhere else: the --json file rewritten as the run goes, the
// JSON on stdout for --json -, the table on stdout (on stderr when the JSON takes stdout), progress on
// stderr. A file that cannot be written never costs what was measured: the first failure is said on
// stderr at once (the file and the system's reason), the run goes on, the table still reaches its
// target, and the exit status says the file is incomplete (3; docs/inputs.md).
// Held records (interleaved runs) keep their samples in a spool beside the file (src/sample_spool.hpp)
// until they are filed, and so do the rounds before a record's last; a spool that cannot be written
// is said at once, keeps what it could not take in memory (nothing is lost), and ends the run with exit
// status 4 (docs/inputs.md).
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "analysis/json_report.hpp"
#include "analysis/machine.hpp"
#include "analysis/record.hpp"
#include "analysis/shared_causes.hpp"
#include "src/result_file.hpp"
#include "src/sample_spool.hpp"

namespace ctxbench {

class ResultSink {
 public:
  // `json_path`: --json (empty: none, "-": stdout). `hold`: records are filed only once every one is in
  // (interleaved runs: warnings whose cause many records share move to the top first). `meta` and
  // `machine` are the run's, read at each rewrite. Throws std::runtime_error naming the file when its
  // spool or its sample spool cannot be created (before anything runs). `spool_writer`: tests only (a
  // writer that fails).
  ResultSink(const std::optional<std::string>& json_path, bool hold, int planned, RunMeta& meta,
             const MachineInfo& machine, SampleSpool::Writer spool_writer = {});
  // Before anything runs: throws std::runtime_error naming the file when --json FILE cannot be written.
  static void check_target(const std::optional<std::string>& json_path);
  // A finished record: its progress line, and into the file (unless held).
  void add(Record record);
  // A round of interleaved repetitions is in.
  void round_done(int round, int rounds);
  // The measured records so far, in run order.
  const std::vector<Record>& measured() const { return measured_; }
  // The causes many records share (only decided for held records: filed ones cannot change).
  SharedCauses shared_causes() const;
  // The end: every record with the derived ones in report order, the shared causes' row warnings
  // dropped, the final file written.
  std::vector<Record> finish(const SharedCauses& shared);
  // Run warnings, the table, and the JSON when it goes to stdout; then where the file stands.
  void print(const RunMeta& meta, const MachineInfo& machine, const std::vector<Record>& records) const;
  // The file was asked for and misses results: the run ends with exit status 3.
  bool file_incomplete() const { return file_failed_; }
  // Where the rounds before a record's last keep their samples (src/interleave.hpp): null when records
  // are not held or no --json FILE is written (the samples are needed in memory then).
  SampleSpool* sample_spool() { return spool_ ? &*spool_ : nullptr; }
  // The sample spool could not be written: samples stayed in memory (exit status 4).
  bool spool_failed() const { return spool_ && spool_->failed(); }

 private:
  void file(Record& record);
  void save(const std::vector<Record>& derived);
  void save_if_cheap();
  void failed(const std::exception& e);

  std::optional<std::string> path_;
  bool json_to_stdout_ = false;
  bool hold_;
  int planned_;
  int done_ = 0;
  RunMeta& meta_;
  const MachineInfo& machine_;
  std::optional<SpooledResultFile> file_;
  bool file_failed_ = false;
  std::vector<Record> measured_;
  std::optional<SampleSpool> spool_;
  // measured_[k]'s samples while held, when the spool took them.
  std::vector<std::optional<SampleSpool::Span>> held_samples_;
  using Clock = std::chrono::steady_clock;
  Clock::duration last_save_cost_{};
  Clock::time_point last_save_end_ = Clock::now();
};

}  // namespace ctxbench
