#include "src/sample_spool.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "src/result_file.hpp"

namespace ctxbench {

SampleSpool::SampleSpool(const std::string& dir, std::function<void(const std::string&)> on_failure, Writer writer)
    : dir_(dir), on_failure_(std::move(on_failure)), writer_(std::move(writer)) {
  // The spool only appends (and reads with pread, which leaves the position alone), so the file's position
  // is always `end_`: the project's full-write core serves, retrying EINTR as a positioned write did.
  if (!writer_)
    writer_ = [](int fd, const void* data, std::size_t n, off_t) { return write_full(fd, data, n, always_retry); };
  fd_.reset(unnamed_file(dir_));
  if (!fd_)
    throw std::runtime_error(fmt::format("cannot create the sample spool in {} ({})", dir_, std::strerror(errno)));
}

std::optional<SampleSpool::Span> SampleSpool::put(const void* data, std::size_t bytes) {
  if (failed_) return std::nullopt;
  const Span span{end_, bytes};
  if (bytes == 0) return span;
  const int err = writer_(fd_.get(), data, bytes, static_cast<off_t>(end_));
  if (err != 0) {
    failed_ = true;
    if (on_failure_) on_failure_(fmt::format("cannot spool samples in {} ({})", dir_, std::strerror(err)));
    return std::nullopt;
  }
  end_ += bytes;
  return span;
}

void SampleSpool::get(const Span& span, void* out) const {
  char* p = static_cast<char*>(out);
  std::uint64_t done = 0;
  while (done < span.bytes) {
    const ssize_t r = ::pread(fd_.get(), p + done, static_cast<std::size_t>(span.bytes - done),
                              static_cast<off_t>(span.offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0)
      throw std::runtime_error(fmt::format("cannot read samples back from the spool in {} ({})", dir_,
                                           r < 0 ? std::strerror(errno) : "file shorter than written"));
    done += static_cast<std::uint64_t>(r);
  }
}

}  // namespace ctxbench
