// What the load generator (probes/server_load.cpp, inside ctxbench) and the loopback server
// (ctxbench-server, probes/server/) agree on: the wire format of one request and its reply, the server
// models, and the control channel over which the server reports readiness, failures and its own
// accounting. Header-only and plain data, so both sides cannot drift apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ctxbench::server {

// The models of the connection-model experiment (docs/METHODOLOGY.md, the connection-model experiment). The names are
// the user-visible ones.
enum class Model {
  ProcessPerConnection,  // the listener forks a child per accepted connection (PostgreSQL)
  ProcessPool,           // P pre-forked processes, each an event loop over the connections it accepted
  ThreadPerConnection,   // the listener creates a thread per accepted connection (MySQL)
  WorkerPool,            // W threads take ready connections from one shared epoll set (EPOLLONESHOT)
  EventLoop,             // one epoll loop thread per server CPU, non-blocking sockets
};

inline const char* model_name(Model m) {
  switch (m) {
    case Model::ProcessPerConnection:
      return "process-per-connection";
    case Model::ProcessPool:
      return "process-pool";
    case Model::ThreadPerConnection:
      return "thread-per-connection";
    case Model::WorkerPool:
      return "worker-pool";
    case Model::EventLoop:
      return "event-loop";
  }
  return "?";
}

inline std::optional<Model> model_from_name(const std::string& s) {
  for (Model m : {Model::ProcessPerConnection, Model::ProcessPool, Model::ThreadPerConnection, Model::WorkerPool,
                  Model::EventLoop})
    if (s == model_name(m)) return m;
  return std::nullopt;
}

// One request and one reply are each exactly one fixed-size message: small, like a point query.
struct Message {
  std::uint64_t seq = 0;         // per-connection request number
  std::uint64_t connection = 0;  // the client's connection slot
  std::uint64_t check = 0;       // reply: reply_check(seq, connection); request: 0
  std::uint64_t pad[5] = {};
};
static_assert(sizeof(Message) == 64);

// The value a correct reply carries: the client checks every reply against it, so a server that mixes
// up connections or drops a request fails the probe instead of producing a fast number.
inline std::uint64_t reply_check(std::uint64_t seq, std::uint64_t connection) {
  std::uint64_t z = seq * 0x9E3779B97F4A7C15ULL + connection + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// ---------------------------------------------------------------- control channel (SOCK_SEQPACKET)
// The server finds its listening socket and its control socket at these descriptors.
constexpr int kListenFd = 3;
constexpr int kControlFd = 4;

// ctxbench -> server: one byte. Server -> ctxbench: one Control record per message.
// The two snapshots bracket a measurement window. Reading /proc for thousands of children costs the
// server's main thread real CPU time, so each snapshot orders its reads to keep that cost outside the
// window: the opening one reads the server's own counters last, the closing one first (then memory).
constexpr char kOpenWindow = 'B';
constexpr char kCloseWindow = 'E';
// Cheap: only the request and connection counts (set-up polls it until every connection is handed over).
constexpr char kProgress = 'P';

enum class ControlKind : std::uint32_t { Ready = 1, Snapshot = 2, Error = 3 };

// The server's own accounting: getrusage(SELF) + getrusage(CHILDREN) + its live children read from
// /proc, so tasks that came and went between two snapshots are counted as well as live ones.
struct Accounting {
  std::uint64_t requests = 0;  // requests the server answered (its own count)
  std::uint64_t accepted = 0;  // connections accepted and handed to their task (thread/child/loop/pool)
  std::uint64_t cpu_ns = 0;    // user + system, to the microsecond or better
  // The split: exact for the server process and reaped children; live children only expose it in clock
  // ticks (/proc/<pid>/stat, 10 ms), so the parts need not add up to cpu_ns over a short window.
  std::uint64_t user_ns = 0, sys_ns = 0;
  std::uint64_t voluntary = 0, involuntary = 0;  // context switches of every server task
  std::uint64_t rss_bytes = 0, pss_bytes = 0;    // closing snapshot only: summed over server processes
  std::uint64_t tasks = 0;                       // live threads + live child processes
};

struct Control {
  ControlKind kind = ControlKind::Ready;
  std::uint32_t limit = 0;  // Error: 1 when a resource limit (fork/thread/fd) stopped the server
  Accounting accounting;
  char text[256] = {};  // Error: what failed
};

}  // namespace ctxbench::server
