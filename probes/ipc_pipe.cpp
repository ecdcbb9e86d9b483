// ipc.pipe.self: the pipe's own cost with no hand-off, the "ipc_overhead" that the derived per-switch
// figure subtracts twice from a ctxswitch.pipe round trip (lmbench lat_ctx; docs/METHODOLOGY.md).
#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

class PipeSelfSession final : public Session {
 public:
  PipeSelfSession() : pipe_(make_pipe()), caller_(this_task()) {}
  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    // Same helpers as the ping-pong, so the subtraction removes exactly what the round trip does.
    char c = 'x';
    for (std::uint64_t i = 0; i < n; ++i) {
      write_all(pipe_.write_end.get(), &c, 1);
      read_all(pipe_.read_end.get(), &c, 1);
    }
  }
  std::vector<TaskId> tasks() const override { return {caller_}; }

 private:
  Pipe pipe_;
  TaskId caller_;
};

}  // namespace

static std::unique_ptr<Probe> make_ipc_pipe_self() {
  ProbeInfo info;
  info.name = "ipc.pipe.self";
  info.family = "ipc";
  info.op =
      "one task writes 1 byte into a pipe and reads it back: the pipe IPC overhead without any "
      "context switch (the derived per-switch cost subtracts it twice from a ctxswitch.pipe "
      "round trip)";
  info.where.kinds = {PlacementKind::None};
  info.expected_switches_per_op = 0;
  return std::make_unique<SimpleProbe>(std::move(info), [](const Placement&) -> std::unique_ptr<Session> {
    return std::make_unique<PipeSelfSession>();
  });
}

void add_ipc_pipe_probes(ProbeTable& table, const ProbeTableConfig&) { table.push_back(make_ipc_pipe_self()); }

}  // namespace ctxbench
