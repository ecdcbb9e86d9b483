// The session every Channel-driven probe runs (ipc.* and the ctxswitch hand-offs over epoll and io_uring):
// ONE partner body answers every message over whatever channel it is handed, threads and processes
// alike, so probes built on it differ only in the channel (ipc_channel.hpp).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "engine/probe.hpp"
#include "probes/ipc_channel.hpp"

namespace ctxbench {

// Starts the partner (a forked child when `process`, else a thread) pinned to `cpu` (-1: unpinned) and
// returns once it has announced itself over `channel`. One op is a round trip of `len`-byte messages; with
// `one_way` the session is self-timed and reports both directions of each round trip (ipc_latency.cpp).
// `key` names the mechanism in error messages. Throws ProbeError as the channel fails.
std::unique_ptr<Session> start_channel_session(std::unique_ptr<Channel> channel, const std::string& key,
                                               std::size_t len, bool process, bool one_way, int cpu);

}  // namespace ctxbench
