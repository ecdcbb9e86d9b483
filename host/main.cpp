// ctxbench-probe: the measuring process. ctxbench starts one per probe and placement, with the request
// on the command line (engine/host_request.hpp); it runs the probe and streams what it measured back.
#include <string>
#include <vector>

#include "engine/probe_host.hpp"
#include "probes/registry.hpp"

int main(int argc, char** argv) {
  // The engine runs what it is handed: the probes are this program's, found by the registry.
  return ctxbench::measuring_process_main(std::vector<std::string>(argv + 1, argv + argc), ctxbench::find_in_table);
}
