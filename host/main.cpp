// ctxbench-probe: the measuring process. ctxbench starts one per probe and placement, with the request
// on the command line (engine/probe_host.hpp); it runs the probe and streams what it measured back.
#include <string>
#include <vector>

#include "engine/probe_host.hpp"

int main(int argc, char** argv) {
  return ctxbench::measuring_process_main(std::vector<std::string>(argv + 1, argv + argc));
}
