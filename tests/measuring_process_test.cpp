// The measuring process (engine/probe_host.hpp): its wire format as pure functions, its command line,
// and, on the real binary, that it stays the same size whatever the run has measured so far.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/host_wire.hpp"
#include "engine/probe_host.hpp"
#include "probes/registry.hpp"
#include "tests/run_util.hpp"

namespace ctxbench {
namespace {

RepetitionRun sample_repetition() {
  RepetitionRun rep;
  rep.ns_per_op = {1.5, 2.25, 1e9, 0};
  rep.ops_per_sample = 7;
  rep.ops = 28;
  rep.host_rss_kib = 4321;
  rep.task_cpus = {{0, 0, 1, 1}, {1, 1, 0, -1}};
  rep.task_pins = {0, 1};
  rep.counter_deltas = {{"requests", 12}, {"server_cpu_ns", 3.5}};
  rep.counter_levels = {{"server_rss_kib", 900}};
  rep.op_windows = {10, 20, 30, 45};
  rep.initiator_tid = 4242;
  rep.measured_tids = {4242, 4243};
  rep.voluntary_switches = 56;
  rep.involuntary_switches = 3;
  return rep;
}

TEST(HostWire, RepetitionEndAndInterruptRoundTripInOrder) {
  ProbeRun end;
  end.status = RunStatus::Failed;
  end.reason = "partner died";
  end.wall_seconds = 2.5;
  end.keep_awake = true;
  end.keep_awake_cpus = {0, 1};
  end.host_start_rss_kib = 4000;
  end.host_peak_rss_kib = 5000;
  end.pair_witness = {{412.5, std::nan(""), "the second CPU did not answer within 100 ms"}, {80.25, 90.5, ""}};
  std::string stream = encode_repetition(sample_repetition()) + encode_end(end) + encode_interrupted(15);

  const std::optional<HostMessage> a = take_message(stream);
  ASSERT_TRUE(a && std::holds_alternative<RepetitionRun>(*a));
  const RepetitionRun& rep = std::get<RepetitionRun>(*a);
  const RepetitionRun want = sample_repetition();
  EXPECT_EQ(rep.ns_per_op, want.ns_per_op);
  EXPECT_EQ(rep.ops_per_sample, 7u);
  EXPECT_EQ(rep.ops, 28u);
  EXPECT_EQ(rep.host_rss_kib, 4321u);
  EXPECT_EQ(rep.task_cpus, want.task_cpus);
  EXPECT_EQ(rep.task_pins, want.task_pins);
  EXPECT_EQ(rep.counter_deltas, want.counter_deltas);
  EXPECT_EQ(rep.counter_levels, want.counter_levels);
  EXPECT_EQ(rep.op_windows, want.op_windows);
  EXPECT_EQ(rep.initiator_tid, 4242);
  EXPECT_EQ(rep.measured_tids, want.measured_tids);
  EXPECT_EQ(rep.voluntary_switches, 56u);
  EXPECT_EQ(rep.involuntary_switches, 3u);

  const std::optional<HostMessage> b = take_message(stream);
  ASSERT_TRUE(b && std::holds_alternative<HostEnd>(*b));
  const ProbeRun& run = std::get<HostEnd>(*b).run;
  EXPECT_EQ(run.status, RunStatus::Failed);
  EXPECT_EQ(run.reason, "partner died");
  EXPECT_EQ(run.wall_seconds, 2.5);
  EXPECT_EQ(run.keep_awake_cpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(run.host_peak_rss_kib, 5000u);
  ASSERT_EQ(run.pair_witness.size(), 2u);
  EXPECT_EQ(run.pair_witness[0].before_ns, 412.5);
  EXPECT_TRUE(std::isnan(run.pair_witness[0].after_ns));
  EXPECT_EQ(run.pair_witness[0].why_not, "the second CPU did not answer within 100 ms");
  EXPECT_EQ(run.pair_witness[1].after_ns, 90.5);

  const std::optional<HostMessage> c = take_message(stream);
  ASSERT_TRUE(c && std::holds_alternative<HostInterrupted>(*c));
  EXPECT_EQ(std::get<HostInterrupted>(*c).signal, 15);
  EXPECT_TRUE(stream.empty());
  EXPECT_FALSE(take_message(stream));
}

TEST(HostWire, PartialFramesWaitAndBrokenFramesThrow) {
  const std::string whole = encode_repetition(sample_repetition());
  // Every prefix is "not yet": the pipe delivers frames in pieces.
  for (std::size_t n = 0; n < whole.size(); ++n) {
    std::string part = whole.substr(0, n);
    EXPECT_FALSE(take_message(part)) << n;
    EXPECT_EQ(part.size(), n);
  }
  // An unknown kind, a length past any real frame, an array longer than its frame, trailing bytes.
  std::string unknown = whole;
  unknown[4] = 'Z';
  EXPECT_THROW(take_message(unknown), WireError);
  std::string huge = whole;
  huge[3] = '\x7f';
  EXPECT_THROW(take_message(huge), WireError);
  std::string lying = whole;
  lying[5 + 24] = '\x7f';  // the sample count (after ops_per_sample, ops, host_rss_kib)
  EXPECT_THROW(take_message(lying), WireError);
  std::string trailing = encode_interrupted(2);
  trailing[0] = static_cast<char>(trailing[0] + 1);
  trailing.push_back('x');
  EXPECT_THROW(take_message(trailing), WireError);
}

TEST(HostArguments, RoundTripAndRefuseGarbage) {
  HostRequest r;
  r.probe = "ctxswitch.pipe.process";
  r.placement = {PlacementKind::CrossCpu, 0, 1};
  r.settings.repetitions = 3;
  r.settings.keep_awake = true;
  r.settings.timeout_ns = 7;
  r.timer_overhead_ns = 21.123456789;
  ProbeTableConfig table;
  table.sweep.work_ns = {5, 6};
  table.sweep.connections = {1, 2, 3};
  table.sweep.user_connections = true;
  table.sweep.db_connections = {7};
  table.test_probes = true;
  r.table = encode_table_config(table);
  const HostInvocation back = parse_host_arguments(host_arguments(r, 3, 99));
  EXPECT_EQ(back.result_fd, 3);
  EXPECT_EQ(back.owner, 99);
  EXPECT_EQ(back.request.probe, r.probe);
  EXPECT_EQ(back.request.placement.kind, PlacementKind::CrossCpu);
  EXPECT_EQ(back.request.placement.cpu_b, 1);
  EXPECT_EQ(back.request.settings.repetitions, 3);
  EXPECT_TRUE(back.request.settings.keep_awake);
  EXPECT_EQ(back.request.settings.timeout_ns, 7u);
  EXPECT_EQ(back.request.timer_overhead_ns, r.timer_overhead_ns);  // exact, not rounded
  // The probe table travels as the registry's data; the engine only carries it.
  const ProbeTableConfig table_back = decode_table_config(back.request.table);
  EXPECT_EQ(table_back.sweep.work_ns, table.sweep.work_ns);
  EXPECT_EQ(table_back.sweep.connections, table.sweep.connections);
  EXPECT_EQ(table_back.sweep.db_connections, table.sweep.db_connections);
  EXPECT_TRUE(table_back.sweep.user_connections);
  EXPECT_TRUE(table_back.test_probes);
  EXPECT_FALSE(decode_table_config(encode_table_config(ProbeTableConfig{})).test_probes);
  EXPECT_EQ(decode_table_config(encode_table_config(ProbeTableConfig{})).sweep.connections,
            ProbeTableConfig{}.sweep.connections);
  EXPECT_THROW(decode_table_config("work_ns=1,x"), std::invalid_argument);
  EXPECT_THROW(decode_table_config("bogus=1"), std::invalid_argument);
  EXPECT_EQ(parse_host_arguments(host_arguments(HostRequest{}, 3, 99)).request.table, "");
  EXPECT_THROW(parse_host_arguments({"--probe", "x"}), std::invalid_argument);  // no result fd
  EXPECT_THROW(parse_host_arguments({"--result-fd", "3", "--probe", "x", "--bogus", "1"}), std::invalid_argument);
  EXPECT_THROW(parse_host_arguments({"--result-fd", "three", "--probe", "x"}), std::invalid_argument);
  EXPECT_THROW(parse_host_arguments({"--result-fd", "3", "--probe"}), std::invalid_argument);
}

// The measuring process holds no results: its size when a probe starts is the same for the first and
// the last probe of a run, and a fork() in a creation probe copies that, not ctxbench.
TEST(MeasuringProcess, StaysTheSameSizeWhateverTheRunHasMeasured) {
  using namespace ctxbench_test;
  const std::string dir = make_temp_dir("measuring");
  const std::string path = dir + "/out.json";
  const Outcome o =
      // 29 records of five families (not the futex contention family, whose N waiters make this run
      // minutes long under a sanitizer, and which measures nothing this size check needs).
      run_with(ctxbench_test::ctxbench({"--quick", "--suite", "full", "--filter",
                                        "^(baseline|ipc\\.pipe\\.self|ctxswitch\\.(pipe|futex)\\.(process|thread)|"
                                        "process\\.fork_exit|thread\\.create_join/)",
                                        "--json", path}));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const nlohmann::json doc = nlohmann::json::parse(slurp(path));
  remove_tree(dir);
  std::vector<double> start;
  for (const nlohmann::json& r : doc["results"]) {
    if (!r.contains("measuring_process") || !r["measuring_process"].contains("start_rss_kib")) continue;
    EXPECT_EQ(r["measuring_process"]["ran_in"], "ctxbench-probe") << r["id"];
    start.push_back(r["measuring_process"]["start_rss_kib"].get<double>());
    if (r["probe"] == "baseline.clock" || r["probe"] == "ipc.pipe.self") {
      // A probe that allocates nothing peaks near where it started: the peak is this process's own,
      // never the spawning ctxbench's (exec keeps the old address space's mark in ru_maxrss).
      EXPECT_LT(r["measuring_process"]["peak_rss_kib"].get<double>(), 2.0 * start.back() + 4096) << r["id"];
    }
    if (r["probe"] == "process.fork_exit") {
      // What fork copied is the measuring process (it grows only by the probe's own few pages).
      ASSERT_TRUE(r.contains("parent_rss_kib")) << r["id"];
      EXPECT_LT(r["parent_rss_kib"].get<double>(), 2.0 * r["measuring_process"]["start_rss_kib"].get<double>());
    }
  }
  ASSERT_GE(start.size(), 15u);
  const auto [lo, hi] = std::minmax_element(start.begin(), start.end());
  // Flat: the last probe's process starts no bigger than the first's, give or take allocator slack.
  EXPECT_LE(start.back(), 1.25 * start.front() + 1024) << "first " << start.front() << " KiB, last " << start.back();
  EXPECT_LE(*hi, 1.25 * *lo + 1024) << "min " << *lo << " KiB, max " << *hi;
  const nlohmann::json& host = doc["ctxbench"]["probe_host"];
  EXPECT_EQ(host["start_rss_kib"]["max"].get<double>(), *hi);
}

}  // namespace
}  // namespace ctxbench
