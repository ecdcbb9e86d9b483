// What ctxbench asks one measuring process (engine/probe_host.hpp) to run, and its one codec: the
// command line of `ctxbench-probe`, written and read through a single table of fields
// (engine/host_request.cpp), so a field is named once for both directions.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/probe.hpp"
#include "engine/runner.hpp"

namespace ctxbench {

struct HostRequest {
  std::string probe;  // ProbeInfo::name
  Placement placement;
  RunnerSettings settings;
  double timer_overhead_ns = 0;
  // The probe table to find `probe` in, as the registry encodes its configuration (the server.* sweep
  // points, the test.* probes; probes/registry.hpp). The engine carries it and never reads it.
  std::string table;
};

struct HostInvocation {
  HostRequest request;
  int result_fd = -1;
  pid_t owner = 0;
};

// The arguments of `ctxbench-probe` after argv[0], and back. parse_host_arguments throws
// std::invalid_argument naming the bad argument.
std::vector<std::string> host_arguments(const HostRequest& request, int result_fd, pid_t owner);
HostInvocation parse_host_arguments(const std::vector<std::string>& args);

}  // namespace ctxbench
