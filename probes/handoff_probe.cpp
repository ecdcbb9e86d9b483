// The Channel-driven ctxswitch hand-off probes (handoff_probe.hpp).
#include "probes/handoff_probe.hpp"

#include "engine/probe_util.hpp"
#include "probes/channel_session.hpp"

namespace ctxbench {

std::unique_ptr<Probe> make_handoff_probe(const HandoffKind& kind, bool process) {
  ProbeInfo info;
  info.measure = Measure::RoundTrip;
  info.name = "ctxswitch." + kind.key + (process ? ".process" : ".thread");
  info.family = "ctxswitch";
  info.op = std::string("one round trip between ") +
            (process ? "two processes (B is a forked child)" : "two threads of one process") + ": " + kind.how +
            " (each hand-off is a context switch when both share one CPU, 2 per round trip)";
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  info.expected_switches_per_op = 2;
  info.suites = {"ctxswitch"};
  // A hand-off like the pipe and futex ping-pongs: the traced pass follows it the same way (docs/METHODOLOGY.md,
  // "Where the time went", "Which probes").
  info.explainable = true;
  return std::make_unique<SimpleProbe>(std::move(info), [kind, process](const Placement& p) {
    return start_channel_session(kind.make(), kind.key, kind.token_bytes, process, false, partner_cpu(p));
  });
}

}  // namespace ctxbench
