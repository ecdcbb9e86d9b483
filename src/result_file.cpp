#include "src/result_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ctxbench {

using nlohmann::json;

namespace {

std::string errno_text() { return std::strerror(errno); }

// Copies bytes [0, n) of `from` to the current end of `to`: in the kernel where it can.
void copy_prefix(int from, int to, std::uint64_t n) {
  loff_t offset = 0;
  while (static_cast<std::uint64_t>(offset) < n) {
    const std::size_t want = static_cast<std::size_t>(n - static_cast<std::uint64_t>(offset));
    const ssize_t done = ::copy_file_range(from, &offset, to, nullptr, want, 0);
    if (done > 0) continue;
    if (done < 0 && errno == EINTR) continue;
    if (done == 0) throw std::runtime_error("spool shorter than written");
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
      throw std::runtime_error(std::string("copy_file_range: ") + std::strerror(errno));
    // No kernel copy here: read and write.
    char buf[1 << 16];
    while (static_cast<std::uint64_t>(offset) < n) {
      const std::size_t chunk =
          std::min<std::size_t>(sizeof buf, static_cast<std::size_t>(n - static_cast<std::uint64_t>(offset)));
      const ssize_t r = ::pread(from, buf, chunk, offset);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) throw std::runtime_error(std::string("read spool: ") + std::strerror(errno));
      write_text(to, std::string(buf, static_cast<std::size_t>(r)));
      offset += r;
    }
  }
}

}  // namespace

std::string parent_dir(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// An unnamed file in `dir` (O_TMPFILE), or a named one unlinked at once where the filesystem has none.
int unnamed_file(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string name = dir + "/.ctxbench-spool.XXXXXX";
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(name.c_str());
  return fd;
}

void check_output_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw std::runtime_error(fmt::format("--json {}: is a directory", path));
  // The file is replaced by rename(): over /dev/null or a FIFO that would swap the device node for a
  // regular file (as root, in /dev). Only regular files, or a new name, are accepted.
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw std::runtime_error(
        fmt::format("--json {}: is not a regular file (use --json - to write JSON to stdout)", path));
  const std::string dir = parent_dir(path);
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error(fmt::format("--json {}: directory {} does not exist", path, dir));
  if (::access(dir.c_str(), W_OK) != 0)
    throw std::runtime_error(fmt::format("--json {}: directory {} is not writable ({})", path, dir, errno_text()));
  if (::access(path.c_str(), F_OK) == 0 && ::access(path.c_str(), W_OK) != 0)
    throw std::runtime_error(fmt::format("--json {}: file is not writable ({})", path, errno_text()));
}

void write_text(int fd, const std::string& text) {
  // The probes' full-write core; signals wait while the file is written (StopSignalsBlocked), so EINTR
  // is always retried.
  const int err = write_full(fd, text.data(), text.size(), always_retry);
  if (err != 0) throw std::runtime_error(std::string("write failed (") + std::strerror(err) + ")");
}

void write_json_atomically(const std::string& path, const json& doc) {
  // Invalid UTF-8 in a user string (--label, argv, a file name) becomes U+FFFD instead of an exception
  // after the whole run: the file must always be valid JSON.
  const std::string text = doc.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
  write_file_atomically(path, [&](int fd) { write_text(fd, text); });
}

void write_file_atomically(const std::string& path, const std::function<void(int fd)>& produce) {
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw std::runtime_error(fmt::format("--json {}: cannot create a temp file ({})", path, errno_text()));
  try {
    produce(fd);
  } catch (const std::exception& e) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("--json {}: {}", path, e.what()));
  }
  // mkstemp creates 0600; results are not secret, make them readable like any other output file.
  ::fchmod(fd, 0644);
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("--json {}: cannot replace the file ({})", path, why));
  }
}

SpooledResultFile::SpooledResultFile(std::string path) : path_(std::move(path)) {
  spool_.reset(unnamed_file(parent_dir(path_)));
  if (!spool_)
    throw std::runtime_error(
        fmt::format("--json {}: cannot create a spool file beside it ({})", path_, std::strerror(errno)));
}

void SpooledResultFile::add(const Record& record) {
  index_.add(record);
  const std::string line = record_line(record, records_ == 0);
  if (::lseek(spool_.get(), 0, SEEK_END) < 0) throw std::runtime_error("--json " + path_ + ": spool seek failed");
  try {
    write_text(spool_.get(), line);
  } catch (const std::exception& e) {
    throw std::runtime_error("--json " + path_ + ": spool " + e.what());
  }
  spool_bytes_ += line.size();
  ++records_;
}

void SpooledResultFile::write(const RunMeta& meta, const MachineInfo& machine,
                              const std::vector<Record>& derived) const {
  ReportIndex index = index_;
  for (const Record& d : derived) index.add(d);
  write_file_atomically(path_, [&](int fd) {
    write_text(fd, report_head(meta, machine, index));
    copy_prefix(spool_.get(), fd, spool_bytes_);
    std::size_t n = records_;
    for (const Record& d : derived) write_text(fd, record_line(d, n++ == 0));
    write_text(fd, kReportTail);
  });
}

}  // namespace ctxbench
