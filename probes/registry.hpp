// The ONE explicit table of every probe ctxbench has. Order here is run order and --list order.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "probes/probe.hpp"

namespace ctxbench {

const std::vector<std::unique_ptr<Probe>>& probe_registry();

// The points of the server.* sweep (--server-work, --server-connections). The table is built once, on
// the first probe_registry() call, so this must come before it (main calls it right after parsing).
struct ServerSweep {
  std::vector<std::uint64_t> work_ns = {1000, 50000};
  // Up to 1024 in the server suite; 4096 only in full. Connection counts given by the user all join the
  // server suite.
  std::vector<int> connections = {1, 4, 16, 64, 256, 1024, 4096};
  bool user_connections = false;
};
void configure_server_sweep(const ServerSweep& sweep);

}  // namespace ctxbench
