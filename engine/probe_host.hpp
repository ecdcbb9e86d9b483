// The measuring process: every probe runs in a fresh, small process (`ctxbench-probe`, host/main.cpp)
// started by exec, never in the ctxbench process that holds the run's results. A fork() inside a probe
// then copies a process of constant, small size, whatever the run has measured so far; a probe that
// crashes takes only its measuring process down. See docs/METHODOLOGY.md, "The measuring process".
//
// The owner (ctxbench) describes one probe run as a HostRequest, passed as command-line arguments
// (engine/host_request.hpp); the measuring process streams each finished repetition back over a pipe
// (engine/host_wire.hpp) and exits. The engine runs what it is handed: the probe comes from a ProbeFinder
// that whoever links the probes gives it (host/main.cpp; ctxbench for its in-process fallback).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/host_request.hpp"
#include "engine/run_result.hpp"
#include "engine/runner.hpp"

namespace ctxbench {

// The probe named `name` in the probe table `table` (HostRequest::table) describes, or nullptr.
using ProbeFinder = std::function<std::unique_ptr<Probe>(const std::string& table, const std::string& name)>;

// Owner side: runs the request in a new measuring process (`ctxbench-probe` beside the running
// executable) and returns what it measured. Never throws for the probe's own failures: a measuring
// process that crashes, hangs past --timeout plus its grace, or sends garbage gives a Failed run with
// the reason, and is killed and reaped. Throws Interrupted when a stop signal ended the probe (the
// signal is forwarded to the measuring process, which stops its partners first). `find` serves only when
// no measuring process can be started (a process limit): the probe then runs here.
ProbeRun run_in_measuring_process(const HostRequest& request, const ProbeFinder& find);

// Host side: the whole of `ctxbench-probe`'s main, finding the request's probe with `find`. Returns the
// exit status.
int measuring_process_main(const std::vector<std::string>& args, const ProbeFinder& find);

}  // namespace ctxbench
