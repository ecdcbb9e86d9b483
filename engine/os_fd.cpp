// Owned file descriptors, pipes and the EINTR-safe full read/write cores (os.hpp). Everything here either returns,
// throws ProbeError/ProbeSkip/Interrupted, or — in a forked child and in the signal handler — only calls
// async-signal-safe functions and _exits.
#include "engine/os.hpp"
#include "engine/os_internal.hpp"

namespace ctxbench {

using namespace os_detail;

// ---------------------------------------------------------------- file descriptors

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) reset(o.release());
  return *this;
}

void UniqueFd::reset(int fd) {
  // Never retry close() on EINTR: on Linux the fd is released either way.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  Pipe p;
  p.read_end.reset(fds[0]);
  p.write_end.reset(fds[1]);
  return p;
}

int write_full(int fd, const void* buf, std::size_t len, RetryEintr retry_eintr) noexcept {
  const char* p = static_cast<const char*>(buf);
  while (len > 0) {
    const ssize_t n = ::write(fd, p, len);
    if (n > 0) {
      p += n;
      len -= static_cast<std::size_t>(n);
      continue;
    }
    const int err = n < 0 ? errno : EIO;
    if (err == EINTR && retry_eintr()) continue;
    return err;
  }
  return 0;
}

int read_full(int fd, void* buf, std::size_t len, RetryEintr retry_eintr) noexcept {
  char* p = static_cast<char*>(buf);
  while (len > 0) {
    const ssize_t n = ::read(fd, p, len);
    if (n > 0) {
      p += n;
      len -= static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) return kEndOfFile;
    if (errno == EINTR && retry_eintr()) continue;
    return errno;
  }
  return 0;
}

namespace {
bool no_interrupt_pending() { return !interrupt_pending(); }
}  // namespace

void write_all(int fd, const void* buf, std::size_t len) {
  const int err = write_full(fd, buf, len, no_interrupt_pending);
  if (err == 0) return;
  // Ctrl-C also reaches the children in our process group; their death is then part of the stop.
  throw_if_stopped();
  if (err == EPIPE) throw ProbeError("partner closed the pipe (write: EPIPE)");
  throw_errno("write", err);
}

void read_all(int fd, void* buf, std::size_t len) {
  const int err = read_full(fd, buf, len, no_interrupt_pending);
  if (err == 0) return;
  throw_if_stopped();
  if (err == kEndOfFile) throw ProbeError("partner closed the pipe (read: EOF)");
  throw_errno("read", err);
}

}  // namespace ctxbench
