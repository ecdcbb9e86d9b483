// One message channel between two tasks A (the caller) and B (the partner), for every IPC mechanism the
// ipc.* latency probes cover. ONE worker body (ipc_latency.cpp) drives every channel, for threads and
// for processes alike, the way perf bench sched pipe does: only the mechanism differs.
//
// Everything a channel needs is created before B exists (fork or thread), so a forked child inherits it.
// send/recv are noexcept and never allocate: B may run in a forked child of a threaded process.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace ctxbench {

enum class Side { A = 0, B = 1 };

// Result codes of send/recv: 0 ok, kPeerGone when the other end is closed or gone, kTimedOut when a
// timed wait expired (A then checks that B is alive and waits again), otherwise an errno value (EINTR
// means "a signal interrupted the call": A checks the stop flag, B retries).
inline constexpr int kPeerGone = -1;
inline constexpr int kTimedOut = -2;

class Channel {
 public:
  virtual ~Channel() = default;
  // Called first thing by the task that will use `side` (B in its thread or child): e.g. block the
  // signal a signal channel receives, record its tid. 0 or an errno value.
  virtual int prepare(Side side) noexcept = 0;
  // Sends / receives one message of `len` bytes (len is the channel's message size).
  virtual int send(Side side, const char* buf, std::size_t len) noexcept = 0;
  virtual int recv(Side side, char* buf, std::size_t len) noexcept = 0;
  // Drops the resources only `side` uses in this task (process mode: the parent drops B's fds so a dead
  // child reads as EOF; the child drops A's). Thread mode: B drops its own fds when it fails, so A sees
  // EOF instead of blocking forever.
  virtual void drop(Side side) noexcept = 0;
  // Undoes prepare() for A (signal mask) once B is gone. Not noexcept-critical; called by the session.
  virtual void finish(Side side) noexcept { (void)side; }
};

// One row of the ONE table of IPC mechanisms (ipc_channels.cpp): everything the ipc.* probes know of a
// mechanism is here, so adding one is adding a row.
struct Mechanism {
  std::string key;          // "pipe", "unix_stream", ... (part of the probe name)
  std::string description;  // what one message is, for the op sentence
  bool sized = false;       // message size applies (else the message is the mechanism's own token)
  // Its 64-byte (or token) process round trip is in the default suite: one mechanism per kind.
  bool in_default_suite = false;
  // Creates the channel with messages of `size` bytes, for two processes or two threads. Throws ProbeSkip
  // when this machine cannot carry such a message (limits, permissions) and ProbeError on other failures.
  std::unique_ptr<Channel> (*make)(std::size_t size, bool process) = nullptr;
  // Context switches a round trip implies (2: each side blocks until the other answers).
  double expected_switches = 2;
};

const std::vector<Mechanism>& ipc_mechanisms();

}  // namespace ctxbench
