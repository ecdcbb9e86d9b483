// The closed-loop client both load generators share: server.* (probes/server_load.cpp) and db.*
// (probes/db_load.cpp). C connections, each with exactly one request outstanding; one op is one request
// answered, its sample that request's latency. The measurement window (docs/METHODOLOGY.md, "The
// connection-model experiment"): both snapshots of the server are taken with no request outstanding;
// after the opening one every connection starts at once, and the window opens only when each has been
// answered once (the first round after a synchronized start waits behind fewer requests than the steady
// state does); every request started in the window is then followed to its reply.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/probe.hpp"

namespace ctxbench {

// --explain for a closed-loop record (docs/METHODOLOGY.md, "A request, explained"): with one connection a
// request's window (send or connect to reply read) is one hand-off chain through the server's tasks, every
// one of them the probe's own (descendants of the measuring process), and is split with the server's
// stretches labelled "server"; with more, the requests overlap and the record says why it is not explained.
void set_closed_loop_explain(ProbeInfo& info, int connections);

class ClosedLoopSession : public Session {
 public:
  void run_ops(std::uint64_t n) override;
  std::vector<double>* own_samples() override { return &latencies_; }
  // Each latency's [start, reply read]: with one connection, one request's own window for --explain.
  std::vector<std::uint64_t> own_windows() const override;

 protected:
  struct Window {
    std::uint64_t wall_ns = 0, client_cpu_ns = 0, completions = 0;
    // Requests answered when the server was snapshotted. With none outstanding at either snapshot, the
    // difference is exactly what the server served between them (the first round and the drain
    // included), the divisor of its CPU and switches when it cannot count requests itself.
    std::uint64_t served = 0;
  };
  // Runs the client's event loop until done() holds (checked after every batch of events).
  virtual void pump(const std::function<bool()>& done) = 0;
  virtual std::size_t connection_count() const = 0;
  virtual bool outstanding(std::size_t i) const = 0;
  virtual std::uint64_t answered(std::size_t i) const = 0;
  // Starts connection i's next request: a send on a persistent connection, else a new connection.
  virtual void restart(std::size_t i) = 0;

  // A request started at `started_at` was answered: its latency is a sample when it started in the window.
  void completed(std::uint64_t started_at);
  void pump_until_every_connection_answers();
  // Stops starting requests and waits for every reply still due.
  void drain();
  // The opening (closing = false) or closing edge of the window; `snapshot` reads the server's counters
  // while no request is outstanding. The client's stamps are taken inside the window's edges.
  Window window(bool closing, const std::function<void()>& snapshot);

  bool draining_ = false;  // window closed: no new request after a reply

 private:
  std::vector<double> latencies_;
  // [start, end] of the latencies, oldest first; may hold older windows whose latencies were cleared (the
  // runner clears own_samples()), trimmed at the next completion.
  std::vector<std::uint64_t> windows_;
  std::uint64_t completions_ = 0;
  std::uint64_t window_opened_at_ = 0;
};

}  // namespace ctxbench
