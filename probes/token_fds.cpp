// Token descriptors of the ctxswitch hand-offs (token_fds.hpp).
#include "probes/token_fds.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "engine/probe.hpp"

namespace ctxbench {

namespace {

[[noreturn]] void fail(const std::string& what, int err = errno) { throw ProbeError(what + ": " + std::strerror(err)); }

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) fail("fcntl O_NONBLOCK");
}

UniqueFd dup_fd(int fd) {
  UniqueFd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
  if (!copy) fail("dup eventfd");
  return copy;
}

}  // namespace

TokenEnds make_token_ends(TokenKind kind, bool nonblocking) {
  TokenEnds ends;
  if (kind == TokenKind::Eventfd) {
    // One eventfd per direction; each side gets its own descriptor of it.
    UniqueFd to_b(::eventfd(0, EFD_CLOEXEC)), to_a(::eventfd(0, EFD_CLOEXEC));
    if (!to_b || !to_a) fail("eventfd");
    ends.end[0].send = dup_fd(to_b.get());
    ends.end[1].send = dup_fd(to_a.get());
    ends.end[0].recv = std::move(to_a);
    ends.end[1].recv = std::move(to_b);
  } else {
    Pipe to_b = make_pipe(), to_a = make_pipe();
    ends.end[0].send = std::move(to_b.write_end);
    ends.end[0].recv = std::move(to_a.read_end);
    ends.end[1].send = std::move(to_a.write_end);
    ends.end[1].recv = std::move(to_b.read_end);
  }
  if (nonblocking) {
    for (const TokenEnd& e : ends.end) set_nonblocking(e.recv.get());
  }
  return ends;
}

std::size_t token_bytes(TokenKind kind) { return kind == TokenKind::Eventfd ? sizeof(std::uint64_t) : 1; }

const char* token_text(TokenKind kind) {
  return kind == TokenKind::Eventfd ? "the other's eventfd (an 8-byte count of 1)" : "the other's pipe (1 byte)";
}

int send_token(TokenKind kind, int fd, RetryEintr retry) noexcept {
  const std::uint64_t one = 1;  // an eventfd adds it to its count; a pipe carries its first byte
  const std::size_t len = token_bytes(kind);
  for (;;) {
    const ssize_t n = ::write(fd, &one, len);
    if (n == static_cast<ssize_t>(len)) return 0;
    if (n < 0 && errno == EINTR && retry()) continue;
    if (n < 0) return errno == EPIPE ? kPeerGone : errno;
    return EIO;  // a token is never split
  }
}

int read_token(TokenKind kind, int fd, RetryEintr retry) noexcept {
  std::uint64_t token = 0;
  const std::size_t len = token_bytes(kind);
  for (;;) {
    const ssize_t n = ::read(fd, &token, len);
    if (n == static_cast<ssize_t>(len)) return 0;
    if (n == 0) return kPeerGone;
    if (n < 0 && errno == EINTR && retry()) continue;
    return n < 0 ? errno : EIO;
  }
}

}  // namespace ctxbench
