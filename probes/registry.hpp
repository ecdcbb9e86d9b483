// The ONE explicit table of every probe ctxbench has. Order here is run order and --list order.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/probe.hpp"

namespace ctxbench {

// The points of the server.* sweep (--server-work, --server-connections).
struct ServerSweep {
  std::vector<std::uint64_t> work_ns = {1000, 50000};
  // Up to 1024 in the server suite; 4096 only in full. Connection counts given by the user all join the
  // server suite.
  std::vector<int> connections = {1, 4, 16, 64, 256, 1024, 4096};
  bool user_connections = false;
  // The db suite's real servers: start-up (initdb, a second or more) and hundreds of logins make each
  // point cost seconds, so its own, shorter sweep.
  std::vector<int> db_connections = {1, 4, 16, 64, 256};
};

// The sweep of a --quick run (a smoke run of every model and scenario, README "Using it"): the points
// whose set-up is cheap. The big points (256 connections and up) cost 94% of the server and db suites'
// --quick time on a 2-vCPU machine (README "--suite full --quick"); connection counts the user names
// replace these.
ServerSweep quick_server_sweep();

// What the table depends on: everything comes from here, nothing from globals or the environment.
struct ProbeTableConfig {
  ServerSweep sweep;
  // The test.* probes that hang or crash on purpose (watchdog and kill-matrix tests). Only a build with
  // the CTXBENCH_TEST_PROBES CMake option has them; elsewhere this adds nothing.
  bool test_probes = false;
};

using ProbeTable = std::vector<std::unique_ptr<Probe>>;

// Builds a fresh table; cheap (no probe does work before its Session starts).
ProbeTable build_probe_table(const ProbeTableConfig& config);
// The probe of `table` named `name` (ProbeInfo::name), or nullptr.
const Probe* find_probe(const ProbeTable& table, const std::string& name);

// The configuration as the text a measuring process is handed (HostRequest::table), and back:
// "work_ns=1000,50000;connections=1,4;user_connections=0;db_connections=4;test_probes=0". decode_table_config throws
// std::invalid_argument naming what it cannot read.
std::string encode_table_config(const ProbeTableConfig& config);
ProbeTableConfig decode_table_config(const std::string& text);
// The probe `name` of the table `encoded_config` describes, taken out of a fresh table (nullptr: none):
// the measuring process's ProbeFinder (engine/probe_host.hpp).
std::unique_ptr<Probe> find_in_table(const std::string& encoded_config, const std::string& name);

}  // namespace ctxbench
