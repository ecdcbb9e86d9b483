// ctxswitch.pipe.{process,thread}: the classic pipe ping-pong (lmbench lat_ctx, perf bench sched pipe).
// ONE partner body serves both versions, so the only difference measured is process vs thread.
#include <errno.h>
#include <unistd.h>

#include "probes/families.hpp"
#include "probes/probe_util.hpp"

namespace ctxbench {

namespace {

// The partner B: read 1 byte from `in`, write it to `out`, until EOF on `in` (the session closed its
// write end). Raw syscalls and no exceptions: it also runs in a forked child. Returns the exit code.
int pipe_partner(int in, int out) noexcept {
  char c = 0;
  for (;;) {
    ssize_t r = ::read(in, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r != 1) return r == 0 ? 0 : 1;
    ssize_t w;
    do {
      w = ::write(out, &c, 1);
    } while (w < 0 && errno == EINTR);
    if (w != 1) return 1;  // EPIPE: the session is gone
  }
}

// The partner's two pipe ends. Shared with the thread's closure (std::function needs a copyable
// callable) and closed by the partner itself when it stops, so a failed partner shows up as EOF.
struct PartnerEnds {
  UniqueFd in, out;
};

class PipePingPong final : public Session {
 public:
  PipePingPong(bool process, int cpu) : caller_(this_task()) {
    Pipe to_b = make_pipe();
    Pipe to_a = make_pipe();
    if (process) {
      const int in = to_b.read_end.get(), out = to_a.write_end.get();
      const int a_write = to_b.write_end.get(), a_read = to_a.read_end.get();
      child_ = Child::spawn(
          [=] {
            // The child's copies of A's ends would keep the pipes open: without closing them B would
            // never see EOF when A closes, and A would never see EOF if B dies.
            ::close(a_write);
            ::close(a_read);
            return pipe_partner(in, out);
          },
          cpu);
      partner_ = TaskId{child_.pid(), child_.pid()};
      // Likewise the parent drops B's ends: a dead B must turn into EOF/EPIPE for A.
      to_b.read_end.reset();
      to_a.write_end.reset();
    } else {
      auto ends = std::make_shared<PartnerEnds>();
      ends->in = std::move(to_b.read_end);
      ends->out = std::move(to_a.write_end);
      thread_ = PartnerThread(
          [ends] {
            pipe_partner(ends->in.get(), ends->out.get());
            ends->in.reset();
            ends->out.reset();
          },
          [this] { a_write_.reset(); },  // on_stop: EOF makes the partner return
          cpu);
      partner_ = TaskId{getpid(), thread_.tid()};
    }
    a_write_ = std::move(to_b.write_end);
    a_read_ = std::move(to_a.read_end);
  }

  ~PipePingPong() override {
    a_write_.reset();         // EOF for the partner ...
    thread_.stop_and_join();  // ... which a thread answers by returning,
    child_.kill_and_reap();   // while a process is not waited for: SIGKILL + reap is bounded.
  }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    char c = 'x';
    for (std::uint64_t i = 0; i < n; ++i) {
      write_all(a_write_.get(), &c, 1);
      read_all(a_read_.get(), &c, 1);
    }
    guard.done();
  }

  std::vector<TaskId> tasks() const override { return {caller_, partner_}; }

 private:
  TaskId caller_, partner_;
  UniqueFd a_write_, a_read_;  // A's ends: writes to B, reads from B
  Child child_;
  PartnerThread thread_;
  bool broken_ = false;
};

ProbeInfo pipe_info(bool process) {
  ProbeInfo info;
  info.name = process ? "ctxswitch.pipe.process" : "ctxswitch.pipe.thread";
  info.family = "ctxswitch";
  info.op = std::string("one round trip between ") +
            (process ? "two processes (B is a forked child)" : "two threads of one process") +
            ": A writes 1 B to pipe 1, B reads it and writes 1 B to pipe 2, A reads it (blocking reads: "
            "each hand-off is a context switch when both share one CPU, 2 per round trip)";
  info.placements = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  info.expected_switches_per_op = 2;
  info.keep_awake_twin = true;
  return info;
}

std::unique_ptr<Probe> make_pipe_probe(bool process) {
  return std::make_unique<SimpleProbe>(pipe_info(process),
                                       [process](const Placement& p) -> std::unique_ptr<Session> {
                                         return std::make_unique<PipePingPong>(process, partner_cpu(p));
                                       });
}

}  // namespace

std::unique_ptr<Probe> make_ctxswitch_pipe_process() { return make_pipe_probe(true); }
std::unique_ptr<Probe> make_ctxswitch_pipe_thread() { return make_pipe_probe(false); }

}  // namespace ctxbench
