// The partner body of the pipe probes (ctxswitch.pipe, ctxswitch.ring, ctxswitch.ws): one loop, so
// they differ only in what they wire it to.
#pragma once

#include "engine/os.hpp"

namespace ctxbench {

// Reads 1 byte from `in`, runs `between()` (the working-set probe reads its array there), writes the
// byte to `out`; until EOF on `in` (the session closed its write end). Returns the exit code: 0 at EOF,
// 1 on any other failure (EPIPE: the session is gone). No exceptions: it also runs in forked children.
template <class Between>
int relay_bytes(int in, int out, Between between) noexcept {
  char c = 0;
  for (;;) {
    const int r = read_full(in, &c, 1, always_retry);
    if (r != 0) return r == kEndOfFile ? 0 : 1;
    between();
    if (write_full(out, &c, 1, always_retry) != 0) return 1;
  }
}

inline int relay_bytes(int in, int out) noexcept {
  return relay_bytes(in, out, [] {});
}

// The caller's side of one hand-off: a byte out on `out`, the byte back on `in`. Throws as
// write_all/read_all do (partner gone, stop requested).
inline void byte_round_trip(int out, int in) {
  char c = 'x';
  write_all(out, &c, 1);
  read_all(in, &c, 1);
}

}  // namespace ctxbench
