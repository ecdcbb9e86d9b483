// The measuring process: every probe runs in a fresh, small process (`ctxbench-probe`, host/main.cpp)
// started by exec, never in the ctxbench process that holds the run's results. A fork() inside a probe
// then copies a process of constant, small size, whatever the run has measured so far; a probe that
// crashes takes only its measuring process down. See docs/METHODOLOGY.md, "The measuring process".
//
// The owner (ctxbench) describes one probe run as a HostRequest, passed as command-line arguments; the
// measuring process streams each finished repetition back over a pipe (engine/host_wire.hpp) and exits.
#pragma once

#include <string>
#include <vector>

#include "engine/run_result.hpp"
#include "engine/runner.hpp"
#include "probes/registry.hpp"

namespace ctxbench {

struct HostRequest {
  std::string probe;  // ProbeInfo::name
  Placement placement;
  RunnerSettings settings;
  double timer_overhead_ns = 0;
  ServerSweep sweep;         // the registry's server.* points, as ctxbench was told
  bool test_probes = false;  // the registry holds the test.* probes (ProbeTableConfig)
};
// The probe table the request names its probe in.
ProbeTableConfig table_config(const HostRequest& request);

// The arguments of `ctxbench-probe` after argv[0], and back. parse_host_arguments throws
// std::invalid_argument naming the bad argument.
std::vector<std::string> host_arguments(const HostRequest& request, int result_fd, pid_t owner);
struct HostInvocation {
  HostRequest request;
  int result_fd = -1;
  pid_t owner = 0;
};
HostInvocation parse_host_arguments(const std::vector<std::string>& args);

// Owner side: runs the request in a new measuring process (`ctxbench-probe` beside the running
// executable) and returns what it measured. Never throws for the probe's own failures: a measuring
// process that crashes, hangs past --timeout plus its grace, or sends garbage gives a Failed run with
// the reason, and is killed and reaped. Throws Interrupted when a stop signal ended the probe (the
// signal is forwarded to the measuring process, which stops its partners first).
ProbeRun run_in_measuring_process(const HostRequest& request);

// Host side: the whole of `ctxbench-probe`'s main. Returns the exit status.
int measuring_process_main(const std::vector<std::string>& args);

}  // namespace ctxbench
