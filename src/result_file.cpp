#include "src/result_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace ctxbench {

using nlohmann::json;

namespace {

std::string parent_dir(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

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

void write_json_atomically(const std::string& path, const json& doc) {
  // Invalid UTF-8 in a user string (--label, argv, a file name) becomes U+FFFD instead of an exception
  // after the whole run: the file must always be valid JSON.
  const std::string text = doc.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
  write_file_atomically(path, [&](const std::function<void(const std::string&)>& write) { write(text); });
}

void write_file_atomically(const std::string& path,
                           const std::function<void(const std::function<void(const std::string&)>&)>& produce) {
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw std::runtime_error(fmt::format("--json {}: cannot create a temp file ({})", path, errno_text()));
  auto write_chunk = [&](const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error(fmt::format("--json {}: write failed ({})", path, errno_text()));
      done += static_cast<std::size_t>(n);
    }
  };
  try {
    produce(write_chunk);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  // mkstemp creates 0600; results are not secret, make them readable like any other output file.
  ::fchmod(fd, 0644);
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("--json {}: cannot replace the file ({})", path, why));
  }
}

}  // namespace ctxbench
