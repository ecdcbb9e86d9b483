// The loopback server behind the server.* probes (the ctxbench-server helper). ctxbench execs it with the
// listening socket on fd 3 and the control socket on fd 4; it serves until the control socket closes.
// It is a separate, freshly exec'd program so that a forked per-connection child copies a small server,
// not ctxbench with all its results, and so that its CPU, switches and memory are the server's alone.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/os.hpp"
#include "probes/server/protocol.hpp"

namespace ctxbench::server {

// A resource limit (fork, thread or fd) stopped the server: ctxbench records the point as skipped.
struct LimitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Requests answered, counted by whichever task answered them, in padded slots (no cache line bounces
// between server CPUs). Lives in a shared mapping so forked children count into it too.
class RequestCounters {
 public:
  RequestCounters();
  void add(unsigned slot) { slots()[slot % kSlots].value.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t total() const;
  // Connections accepted and handed over (the set-up waits for all of them before loading the server).
  void add_accepted() { slots()[kSlots].value.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t accepted() const { return slots()[kSlots].value.load(std::memory_order_relaxed); }

 private:
  static constexpr unsigned kSlots = 64;  // request slots; one more slot after them counts connections
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> value{0};
  };
  Slot* slots() const { return static_cast<Slot*>(mapping_.get()); }
  SharedMapping mapping_;
};

// The one request handler every model shares: a calibrated spin of work_ns, then (optionally) a
// read-modify-write of every cache line of the connection's working set, then the reply.
class Handler {
 public:
  Handler(std::uint64_t work_ns, std::size_t ws_bytes);
  Message handle(const Message& request, std::byte* working_set);
  std::size_t ws_bytes() const { return ws_bytes_; }
  RequestCounters& counters() { return counters_; }

 private:
  std::uint64_t spin_iterations_ = 0;
  std::size_t ws_bytes_ = 0;
  std::uint64_t corrupt_every_ = 0;  // CTXBENCH_SERVER_CORRUPT_EVERY (tests): flip every Nth reply's check
  RequestCounters counters_;
};

// One connection's server-side state: the socket, a partly read request (non-blocking models) and the
// working set the handler touches.
struct Connection {
  Connection(int fd, std::size_t ws_bytes, unsigned slot);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  int fd;
  unsigned slot;
  std::size_t filled = 0;
  Message request;
  std::unique_ptr<std::byte[]> working_set;
};

// One whole message on a blocking socket; false on EOF, reset or error (the client is gone).
bool read_message(int fd, Message& m);
// The whole message; a short write on a non-blocking socket (a 64-byte reply with one request
// outstanding always fits the socket buffer) means the connection is broken: false.
bool write_message(int fd, const Message& m);

// Blocking models: serves requests on c until the client closes the connection (or it fails).
void serve_blocking(Connection& c, Handler& handler);
// Non-blocking models: reads what is there; answers when a whole request arrived. false: closed.
bool serve_ready(Connection& c, Handler& handler);
// An epoll loop over its own connections that also accepts from the shared listening socket
// (EPOLLEXCLUSIVE, so one waiter wakes per connection). Runs until the process is told to exit.
[[noreturn]] void run_event_loop(Handler& handler, unsigned loop_index);

// Live forked children of the server (process models), so snapshots can read and reap them.
struct Children {
  std::vector<pid_t> live;
  void reap();      // waitpid(WNOHANG) until none is left to reap
  void kill_all();  // SIGKILL and reap every live child
};

// closing: the snapshot that ends a window (own counters read first, memory added); else the opening one.
Accounting take_accounting(bool closing, Handler& handler, Children& children);

// The model's main loop: accepts and hands connections over as the model does, answers snapshots on
// the control socket, and returns when the control socket closes (after its children are reaped).
void run_model(Model model, Handler& handler, int workers);

// Reports a failure on the control socket (best effort) and exits.
[[noreturn]] void fail(const std::string& what, bool limit);

}  // namespace ctxbench::server
