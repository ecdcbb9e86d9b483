// ipc.<mechanism>.<process|thread>[.one_way][/size:N]: IPC latency for every mechanism of
// ipc_channels.cpp, round trip and one way, by message size. ONE partner body (channel_session.cpp) serves
// every mechanism, threads and processes alike, so only the mechanism and the task kind differ.
#include "engine/probe_util.hpp"
#include "probes/channel_session.hpp"
#include "probes/families.hpp"
#include "probes/ipc_channel.hpp"

namespace ctxbench {

namespace {

std::string size_text(std::size_t size) {
  if (size >= 1024 && size % 1024 == 0) return std::to_string(size / 1024) + " KiB";
  return std::to_string(size) + " B";
}

ProbeInfo ipc_info(const Mechanism& m, std::size_t size, bool process, bool one_way) {
  ProbeInfo info;
  info.family = "ipc";
  info.name = "ipc." + m.key + (process ? ".process" : ".thread") + (one_way ? ".one_way" : "");
  // One way too: its traced window (run_ops(1)) is a round trip, the two one-way messages it times, so
  // it is explained as 2 reported ops (docs/METHODOLOGY.md, "Where the time went").
  info.explainable = true;
  if (one_way) info.explain_ops_per_window = 2;
  info.measure = one_way ? Measure::OneWay : Measure::RoundTrip;
  if (m.sized) {
    info.name += "/size:" + std::to_string(size);
    info.params = {{"size", std::to_string(size)}};
  }
  const std::string who = process ? "two processes (B is a forked child)" : "two threads of one process";
  const std::string what = m.sized ? "a " + size_text(size) + " message" : "a message";
  if (one_way) {
    info.op = "one message from one task to the other (" + who + ") over " + m.description + ": " + what +
              "; one way = the receiver's CLOCK_MONOTONIC read right after its receive returns minus the "
              "sender's read right before it sent, carried in shared memory beside the message (one "
              "clock read included); both directions of each round trip are samples (rt-tests style)";
    info.expected_switches_per_op = (m.sized && size > 4096) ? -1 : m.expected_switches / 2;
  } else {
    info.op = "one round trip between " + who + " over " + m.description + ": A sends " + what +
              ", B receives it and sends one of the same size back, A receives it (blocking receives: "
              "each hand-off is a context switch when both share one CPU, 2 per round trip)";
    // Messages bigger than a page may arrive in several pieces, each a wake-up: no fixed count.
    info.expected_switches_per_op = (m.sized && size > 4096) ? -1 : m.expected_switches;
  }
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  // The default suite holds the process round trip at 64 B (or the token) of the mechanisms the table
  // marks; everything else is in full / ipc.
  const bool representative = m.in_default_suite && process && !one_way && (!m.sized || size == 64);
  info.suites = representative ? std::vector<std::string>{"default", "ipc"} : std::vector<std::string>{"ipc"};
  return info;
}

}  // namespace

void add_ipc_latency_probes(ProbeTable& table, const ProbeTableConfig&) {
  static const std::size_t kSizes[] = {1, 64, 4096, 65536};
  for (const Mechanism& m : ipc_mechanisms()) {
    for (bool one_way : {false, true}) {
      for (bool process : {true, false}) {
        for (std::size_t size : kSizes) {
          if (!m.sized && size != kSizes[0]) continue;
          const std::size_t len = m.sized ? size : 1;
          table.push_back(std::make_unique<SimpleProbe>(
              ipc_info(m, len, process, one_way), [&m, len, process, one_way](const Placement& p) {
                return start_channel_session(m.make(len, process), m.key, len, process, one_way, partner_cpu(p));
              }));
        }
      }
    }
  }
}

}  // namespace ctxbench
