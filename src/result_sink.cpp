#include "src/result_sink.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "analysis/console_report.hpp"
#include "analysis/derived.hpp"
#include "engine/os.hpp"
#include "engine/watchdog.hpp"

namespace ctxbench {

namespace {

// Tests only (a build with CTXBENCH_TEST_PROBES): CTXBENCH_TEST_SPOOL_BYTES=N makes the sample spool fail
// with ENOSPC once it would hold more than N bytes, as a full disk does.
SampleSpool::Writer test_spool_writer() {
#ifdef CTXBENCH_HAS_TEST_PROBES
  const char* v = std::getenv("CTXBENCH_TEST_SPOOL_BYTES");
  if (v == nullptr || *v == '\0') return {};
  const std::uint64_t limit = std::strtoull(v, nullptr, 10);
  return [limit](int fd, const void* data, std::size_t n, off_t offset) {
    if (static_cast<std::uint64_t>(offset) + n > limit) return ENOSPC;
    return ::pwrite(fd, data, n, offset) == static_cast<ssize_t>(n) ? 0 : EIO;
  };
#else
  return {};
#endif
}

}  // namespace

void ResultSink::check_target(const std::optional<std::string>& json_path) {
  if (json_path && *json_path != "-") check_output_path(*json_path);
}

ResultSink::ResultSink(const std::optional<std::string>& json_path, bool hold, int planned, RunMeta& meta,
                       const MachineInfo& machine, SampleSpool::Writer spool_writer)
    : path_(json_path),
      json_to_stdout_(json_path && *json_path == "-"),
      hold_(hold),
      planned_(planned),
      meta_(meta),
      machine_(machine) {
  if (path_ && !json_to_stdout_) file_.emplace(*path_);
  if (file_ && hold_) {
    if (!spool_writer) spool_writer = test_spool_writer();
    spool_.emplace(
        parent_dir(*path_),
        [](const std::string& why) {
          std::fprintf(stderr,
                       "ctxbench: %s; the samples it could not take stay in memory (nothing measured is lost), "
                       "the run goes on; it ends with exit status 4 (3 when the file cannot be written either)\n",
                       why.c_str());
        },
        std::move(spool_writer));
  }
  // An emulated run is said before anything else, on the progress stream, and again above the table.
  if (machine.emulation.emulated) std::fprintf(stderr, "%s\n", emulation_summary(machine.emulation).c_str());
}

void ResultSink::add(Record record) {
  std::fputs(format_progress(record, ++done_, planned_).c_str(), stderr);
  if (hold_) {
    // Out of memory until it is filed, unless a derivation needs the samples (file() keeps them too).
    std::optional<SampleSpool::Span> span;
    if (spool_ && !feeds_derivation(record)) span = spool_->put(record.samples);
    if (span) std::vector<double>().swap(record.samples);
    held_samples_.push_back(span);
    measured_.push_back(std::move(record));
    return;
  }
  file(record);
  measured_.push_back(std::move(record));
  save_if_cheap();
}

void ResultSink::round_done(int round, int rounds) {
  if (!hold_ || round + 1 >= rounds) return;
  std::fprintf(stderr, "round %d/%d of interleaved repetitions done\n", round + 1, rounds);
  // No record is filed before the last round, but the file says a run is under way (and a file that
  // cannot be written is found now, not at the end).
  save_if_cheap();
}

SharedCauses ResultSink::shared_causes() const { return hold_ ? find_shared_causes(measured_) : SharedCauses{}; }

std::vector<Record> ResultSink::finish(const SharedCauses& shared) {
  std::vector<Record> records = with_derived(std::move(measured_));
  measured_.clear();
  drop_shared_warnings(records, shared);  // measured and derived alike, before any of them is filed
  std::vector<Record> derived;
  std::size_t k = 0;  // with_derived keeps the measured records in run order
  for (Record& r : records) {
    if (r.derived) {
      derived.push_back(r);
      continue;
    }
    if (!hold_) continue;
    const std::optional<SampleSpool::Span> span = k < held_samples_.size() ? held_samples_[k] : std::nullopt;
    ++k;
    if (span && !file_failed_) {
      try {
        r.samples = spool_->get_vector<double>(*span);
      } catch (const std::exception& e) {
        failed(e);  // the file cannot be whole again: what is on disk stays its last whole rewrite
      }
    }
    file(r);
  }
  held_samples_.clear();
  save(derived);  // the final file: complete or interrupted, with the end-of-run facts
  return records;
}

void ResultSink::print(const RunMeta& meta, const MachineInfo& machine, const std::vector<Record>& records) const {
  std::FILE* table_out = json_to_stdout_ ? stderr : stdout;
  // Machine-level problems first, once, with their remedies; then the table with each row's own warnings.
  if (machine.emulation.emulated) std::fprintf(table_out, "%s\n", emulation_summary(machine.emulation).c_str());
  for (const Warning& w : meta.warnings) std::fprintf(table_out, "warning: %s\n", console_text(w).c_str());
  std::fputs(format_table(records).c_str(), table_out);
  if (json_to_stdout_) {
    std::vector<const Record*> all;
    for (const Record& r : records) all.push_back(&r);
    write_report([](const std::string& chunk) { std::fwrite(chunk.data(), 1, chunk.size(), stdout); }, meta, machine,
                 all);
  }
  // The table first, whole: the closing message must never land inside one of its lines.
  std::fflush(table_out);
  if (!file_) return;
  if (file_failed_)
    std::fprintf(stderr, "ctxbench: %s is incomplete: it could not be written (see above); exit status 3\n",
                 path_->c_str());
  else
    std::fprintf(stderr, "ctxbench: results written to %s\n", path_->c_str());
}

// Into the spool: the file holds the samples from here on. The table and the derived records need only
// the statistics, except where a derivation transforms them sample by sample, so a full-catalogue run
// keeps megabytes, not every sample as 8-byte doubles.
void ResultSink::file(Record& record) {
  if (!file_) return;
  if (!file_failed_) {
    try {
      file_->add(record);
    } catch (const std::exception& e) {
      failed(e);
    }
  }
  if (!feeds_derivation(record)) std::vector<double>().swap(record.samples);
}

void ResultSink::save(const std::vector<Record>& derived) {
  meta_.peak_rss_kib = peak_resident_kib();
  if (!file_ || file_failed_) return;
  // Signals wait until the file is renamed: the second-signal exit must not leave a temp file behind.
  const StopSignalsBlocked quiet;
  try {
    file_->write(meta_, machine_, derived);
  } catch (const std::exception& e) {
    failed(e);
  }
}

// The file is rewritten after a probe unless the last rewrite cost more than a tenth of the time since:
// a full-catalogue file grows to tens of MB, and rewriting it after each of ~500 records made the run
// quadratic (868 s, mostly JSON). A crash then loses at most ~10x one rewrite of work.
void ResultSink::save_if_cheap() {
  const Clock::time_point start = Clock::now();
  if (start - last_save_end_ < 10 * last_save_cost_) return;
  save(hold_ ? std::vector<Record>{} : derive_records(measured_));
  last_save_end_ = Clock::now();
  last_save_cost_ = last_save_end_ - start;
}

// The first failure is the last write: a spool that missed a record, or a directory that is gone, cannot
// give a whole file again. What is on disk stays the last complete rewrite (it says "complete": false).
void ResultSink::failed(const std::exception& e) {
  file_failed_ = true;
  std::fprintf(stderr,
               "ctxbench: %s; nothing more is written to it (what is on disk, if anything, is its last whole "
               "rewrite), the run goes on and the table still goes to stdout; exit status 3\n",
               e.what());
}

}  // namespace ctxbench
