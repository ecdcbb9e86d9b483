// ctxswitch.pipe.{process,thread}: the classic pipe ping-pong (lmbench lat_ctx, perf bench sched pipe).
// ONE partner body serves both versions, so the only difference measured is process vs thread.
#include <unistd.h>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/byte_relay.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

// The partner's two pipe ends, held by its body alone: a thread closes them when it stops and a
// process's copies die with it, so a failed partner shows up as EOF/EPIPE for A.
struct PartnerEnds {
  UniqueFd in, out;
};

class PipePingPong final : public Session {
 public:
  PipePingPong(bool process, int cpu) : caller_(this_task()) {
    Pipe to_b = make_pipe();
    Pipe to_a = make_pipe();
    auto ends = std::make_shared<PartnerEnds>();
    ends->in = std::move(to_b.read_end);
    ends->out = std::move(to_a.write_end);
    const int a_write = to_b.write_end.get(), a_read = to_a.read_end.get();
    partner_ = Partner::start(
        process, cpu,
        [ends] {
          const int rc = relay_bytes(ends->in.get(), ends->out.get());
          ends->in.reset();
          ends->out.reset();
          return rc;
        },
        [this] { a_write_.reset(); },  // EOF makes a thread partner return
        // The child's copies of A's ends would keep the pipes open: B would never see EOF when A
        // closes, and A would never see EOF if B dies.
        Partner::closing({a_write, a_read}));
    a_write_ = std::move(to_b.write_end);
    a_read_ = std::move(to_a.read_end);
  }  // `ends` goes here: a process partner's ends are the child's alone, a thread's its body's

  ~PipePingPong() override {
    a_write_.reset();  // EOF for the partner, which a thread answers by returning,
    partner_.stop();   // while a process is not waited for: SIGKILL + reap is bounded.
  }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    for (std::uint64_t i = 0; i < n; ++i) byte_round_trip(a_write_.get(), a_read_.get());
    guard.done();
  }

  std::vector<TaskId> tasks() const override { return {caller_, partner_.task()}; }

 private:
  TaskId caller_;
  UniqueFd a_write_, a_read_;  // A's ends: writes to B, reads from B
  Partner partner_;
  bool broken_ = false;
};

ProbeInfo pipe_info(bool process) {
  ProbeInfo info;
  info.measure = Measure::RoundTrip;
  info.name = process ? "ctxswitch.pipe.process" : "ctxswitch.pipe.thread";
  info.family = "ctxswitch";
  info.op = std::string("one round trip between ") +
            (process ? "two processes (B is a forked child)" : "two threads of one process") +
            ": A writes 1 B to pipe 1, B reads it and writes 1 B to pipe 2, A reads it (blocking reads: "
            "each hand-off is a context switch when both share one CPU, 2 per round trip)";
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  info.expected_switches_per_op = 2;
  info.where.keep_awake_twin = true;
  info.explainable = true;
  return info;
}

std::unique_ptr<Probe> make_pipe_probe(bool process) {
  return std::make_unique<SimpleProbe>(pipe_info(process), [process](const Placement& p) -> std::unique_ptr<Session> {
    return std::make_unique<PipePingPong>(process, partner_cpu(p));
  });
}

}  // namespace

void add_ctxswitch_pipe_probes(ProbeTable& table, const ProbeTableConfig&) {
  table.push_back(make_pipe_probe(true));   // ctxswitch.pipe.process
  table.push_back(make_pipe_probe(false));  // ctxswitch.pipe.thread
}

}  // namespace ctxbench
