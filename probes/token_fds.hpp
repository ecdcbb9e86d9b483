// The descriptors of a hand-off that carries a token over two eventfds or two pipes (the ctxswitch
// hand-offs of ctxswitch_epoll.cpp and ctxswitch_uring.cpp). Each side receives on one and sends on the
// other and holds its own copies, so a side can drop its own without closing the other's (Channel::drop,
// ipc_channel.hpp). Raw syscalls and result codes, no exceptions after creation: a side may be a forked
// child.
#pragma once

#include <cstddef>

#include "engine/os.hpp"
#include "probes/ipc_channel.hpp"

namespace ctxbench {

enum class TokenKind { Eventfd, Pipe };

struct TokenEnd {
  UniqueFd recv, send;
};

// Indexed by Side: end[0] is A's, end[1] B's.
struct TokenEnds {
  TokenEnd end[2];
};

// Both directions. `nonblocking` sets O_NONBLOCK on the receiving descriptions, as an event loop does (an
// eventfd's two ends are one description, so its sending end is then non-blocking too; a write of 1 never
// blocks). Throws ProbeError.
TokenEnds make_token_ends(TokenKind kind, bool nonblocking);

// Bytes one token moves: an eventfd's 8-byte count, a pipe's 1 byte.
std::size_t token_bytes(TokenKind kind);
// What one token travels over, for a probe's op sentence.
const char* token_text(TokenKind kind);

// One token out on `fd`: 0, kPeerGone (EPIPE: the reader is gone) or an errno value. EINTR is retried while
// `retry()` says so, else returned.
int send_token(TokenKind kind, int fd, RetryEintr retry) noexcept;
// One token in from `fd`: 0, kPeerGone (EOF), EAGAIN (a non-blocking descriptor with nothing to read) or an
// errno value; EINTR as send_token.
int read_token(TokenKind kind, int fd, RetryEintr retry) noexcept;

}  // namespace ctxbench
