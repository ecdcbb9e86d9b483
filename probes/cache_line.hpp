// The cache-line ping-pong behind shm.pingpong and shm.c2c (c2clat's method): one Session, registered
// by both families, so the matrix entries and the single figure are the same loop.
#pragma once

#include <memory>

#include "engine/probe.hpp"

namespace ctxbench {

// Two threads spinning on one 128-byte-aligned std::atomic: A (the caller of run_ops) stores an odd
// value, its partner thread, pinned to `partner_cpu` when >= 0, answers with the next even one. One op
// is one round trip.
std::unique_ptr<Session> start_cache_line_pingpong(int partner_cpu);

}  // namespace ctxbench
