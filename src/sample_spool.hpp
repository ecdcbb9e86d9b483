// Samples a running ctxbench must keep until a record can be filed, kept out of its heap. Interleaved
// repetitions (src/interleave.hpp) make every record wait for the last round, and the result sink holds the
// finished records until the causes they share are known (src/result_sink.hpp): without a spool every
// sample of the run sat in memory at the end (`ctxbench.peak_rss_kib` grew with the catalogue). The spool
// is one unnamed file (O_TMPFILE) in the --json file's directory, written and read with pwrite/pread (no
// mapping: the bytes are in the page cache, not in ctxbench's resident set); nothing is left behind.
// A write that fails (a full disk) loses nothing: the caller keeps that data in memory, as without a
// spool, and the failure is handed to `on_failure` once, at once; later writes are not tried.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/os.hpp"

namespace ctxbench {

class SampleSpool {
 public:
  struct Span {
    std::uint64_t offset = 0, bytes = 0;
  };
  // Writes all `n` bytes at `offset` of fd: 0, or the errno of the failure (tests pass one that fails).
  using Writer = std::function<int(int fd, const void* data, std::size_t n, off_t offset)>;
  // Throws std::runtime_error naming `dir` when the file cannot be created. `on_failure` gets the first
  // failed write's message (naming `dir` and the system's reason).
  SampleSpool(const std::string& dir, std::function<void(const std::string&)> on_failure, Writer writer = {});

  // Appends `bytes`; nullopt when they were not written (this write failed, or an earlier one did): the
  // caller keeps them.
  std::optional<Span> put(const void* data, std::size_t bytes);
  // Reads a span back into `out` (span.bytes long). Throws std::runtime_error naming `dir`.
  void get(const Span& span, void* out) const;
  bool failed() const { return failed_; }

  template <typename T>
  std::optional<Span> put(const std::vector<T>& values) {
    return put(values.data(), values.size() * sizeof(T));
  }
  template <typename T>
  std::vector<T> get_vector(const Span& span) const {
    std::vector<T> values(static_cast<std::size_t>(span.bytes / sizeof(T)));
    get(span, values.data());
    return values;
  }

 private:
  std::string dir_;
  UniqueFd fd_;
  std::uint64_t end_ = 0;
  bool failed_ = false;
  std::function<void(const std::string&)> on_failure_;
  Writer writer_;
};

}  // namespace ctxbench
