// The ctxswitch hand-off probes that run a Channel (ctxswitch_epoll.cpp, ctxswitch_uring.cpp): the same
// round trip of a token as ctxswitch.pipe/futex, only the way each side waits differs (blocking read,
// epoll_wait, an io_uring completion), so those figures form one table (docs/METHODOLOGY.md, "Hand-offs an
// event loop makes").
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/probe.hpp"
#include "probes/ipc_channel.hpp"

namespace ctxbench {

struct HandoffKind {
  std::string key;  // ctxswitch.<key>.<process|thread>
  std::string how;  // one hand-off in words: how a side sends and how it waits
  std::size_t token_bytes = 1;
  // Creates the channel; throws ProbeSkip with the reason when this machine cannot run it.
  std::function<std::unique_ptr<Channel>()> make;
};

// ctxswitch.<key>.<process|thread>: a round trip in the three placements, 2 switches expected per op,
// in the ctxswitch suite (the default suite stays under a minute: README.md, "The full catalogue").
std::unique_ptr<Probe> make_handoff_probe(const HandoffKind& kind, bool process);

}  // namespace ctxbench
