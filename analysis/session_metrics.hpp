// Figures computed from the counters a session reports (Session::counters): for the server.* probes,
// throughput, the server's CPU time, context switches and memory per request and per connection.
#pragma once

#include "analysis/record.hpp"
#include "engine/run_result.hpp"

namespace ctxbench {

// Fills record.metrics (and a warning when the load generator, not the server, was the limit) from the
// counter deltas and closing levels of every repetition. Records without counters are left alone.
void add_session_metrics(Record& record, const ProbeRun& run);

}  // namespace ctxbench
