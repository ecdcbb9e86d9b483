// ipc.<mechanism>.<process|thread>[.one_way][/size:N]: IPC latency for every mechanism of
// ipc_channels.cpp, round trip and one way, by message size. ONE partner body (ipc_partner) serves
// every mechanism, threads and processes alike, so only the mechanism and the task kind differ.
//
// One way needs both tasks on one clock: the sender stores its CLOCK_MONOTONIC timestamp in shared
// memory just before sending, the receiver reads the clock as soon as its receive returns and takes the
// difference (rt-tests pmqtest/ptsematest measure the same way). Both directions of each round trip are
// sampled, so one-way probes are self-timed (Session::own_samples).
#include <cstring>
#include <new>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/families.hpp"
#include "probes/ipc_channel.hpp"

namespace ctxbench {

namespace {

struct IpcShared {
  alignas(64) std::atomic<std::uint64_t> a_sent_at{0};  // A's clock just before it sent (one-way mode)
  std::atomic<std::uint64_t> a_to_b_ns{0};              // B's measurement of A's message
  alignas(64) std::atomic<std::uint64_t> b_sent_at{0};  // B's clock just before it answered
  alignas(64) std::atomic<std::uint32_t> stop{0};       // the next message A sends is "stop"
  std::atomic<std::uint32_t> partner_gone{0};           // B failed and returned
};

// The partner B: announce itself with one message, then answer every message with one of the same size
// until a message arrives with `stop` set. No exceptions, no allocation: it may be a forked child.
int ipc_partner(Channel* ch, IpcShared* sh, char* buf, std::size_t len, bool one_way) noexcept {
  int rc = ch->prepare(Side::B);
  if (rc == 0) rc = ch->send(Side::B, buf, len);  // ready: signal masks are set, tids are published
  while (rc == 0) {
    rc = ch->recv(Side::B, buf, len);
    if (rc == EINTR) {
      rc = 0;
      continue;
    }
    if (rc != 0) break;
    if (sh->stop.load(std::memory_order_acquire) != 0) return 0;
    if (one_way) {
      const std::uint64_t now = now_ns();
      sh->a_to_b_ns.store(now - sh->a_sent_at.load(std::memory_order_acquire), std::memory_order_release);
      sh->b_sent_at.store(now_ns(), std::memory_order_release);
    }
    do {
      rc = ch->send(Side::B, buf, len);
    } while (rc == EINTR);
  }
  sh->partner_gone.store(1, std::memory_order_release);
  ch->drop(Side::B);  // fd channels: A reads EOF instead of blocking forever
  return 1;
}

class IpcSession final : public Session {
 public:
  IpcSession(const Mechanism& m, std::size_t size, bool process, bool one_way, int cpu)
      : process_(process),
        one_way_(one_way),
        len_(size),
        channel_(m.make(size, process)),
        mapping_(sizeof(IpcShared)),
        sh_(new (mapping_.get()) IpcShared),
        a_buf_(new char[size]()),
        b_buf_(new char[size]()),
        caller_(this_task()) {
    if (channel_->prepare(Side::A) != 0) throw ProbeError(m.key + ": preparing the caller failed");
    Channel* ch = channel_.get();
    IpcShared* sh = sh_;
    char* b_buf = b_buf_.get();
    partner_ = Partner::start(
        process, cpu, [=] { return ipc_partner(ch, sh, b_buf, size, one_way); }, [this] { stop_partner(); },
        [ch] { ch->drop(Side::A); });
    if (process) channel_->drop(Side::B);  // the child's ends are its own: a dead B reads as EOF/EPIPE
    try {
      receive();  // B's "ready"
    } catch (...) {
      shut_down();  // a throwing constructor runs no destructor
      throw;
    }
  }

  ~IpcSession() override { shut_down(); }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (one_way_) sh_->a_sent_at.store(now_ns(), std::memory_order_release);
      check(channel_->send(Side::A, a_buf_.get(), len_), "send");
      receive();
      if (one_way_) {
        const std::uint64_t now = now_ns();
        own_.push_back(static_cast<double>(sh_->a_to_b_ns.load(std::memory_order_acquire)));
        own_.push_back(static_cast<double>(now - sh_->b_sent_at.load(std::memory_order_acquire)));
      }
    }
    guard.done();
  }

  std::vector<TaskId> tasks() const override { return {caller_, partner_.task()}; }
  std::vector<double>* own_samples() override { return one_way_ ? &own_ : nullptr; }

 private:
  void receive() {
    for (;;) {
      const int rc = channel_->recv(Side::A, a_buf_.get(), len_);
      if (rc == 0) return;
      if (rc == kTimedOut) {
        if (partner_dead()) throw ProbeError("partner exited");
        continue;
      }
      check(rc, "receive");
    }
  }
  void check(int rc, const char* what) {
    if (rc == 0) return;
    if (rc == EINTR) {  // channels report EINTR only when a stop was requested
      throw_if_stopped();
      throw ProbeError(std::string(what) + ": interrupted");
    }
    if (rc == kPeerGone || partner_dead()) throw ProbeError(std::string(what) + ": partner exited");
    throw ProbeError(std::string(what) + ": " + std::strerror(rc));
  }
  bool partner_dead() {
    if (sh_->partner_gone.load(std::memory_order_acquire) != 0) return true;
    return partner_.exited();
  }
  void shut_down() noexcept {
    if (!process_) stop_partner();
    partner_.stop();
    channel_->finish(Side::A);
  }
  // Thread mode: the stop message (a thread cannot be killed); the send result does not matter.
  void stop_partner() noexcept {
    sh_->stop.store(1, std::memory_order_release);
    if (sh_->partner_gone.load(std::memory_order_acquire) == 0) channel_->send(Side::A, a_buf_.get(), len_);
  }

  bool process_, one_way_;
  std::size_t len_;
  std::unique_ptr<Channel> channel_;
  SharedMapping mapping_;
  IpcShared* sh_;
  std::unique_ptr<char[]> a_buf_, b_buf_;
  TaskId caller_;
  Partner partner_;
  std::vector<double> own_;
  bool broken_ = false;
};

std::string size_text(std::size_t size) {
  if (size >= 1024 && size % 1024 == 0) return std::to_string(size / 1024) + " KiB";
  return std::to_string(size) + " B";
}

ProbeInfo ipc_info(const Mechanism& m, std::size_t size, bool process, bool one_way) {
  ProbeInfo info;
  info.family = "ipc";
  info.name = "ipc." + m.key + (process ? ".process" : ".thread") + (one_way ? ".one_way" : "");
  info.explainable = !one_way;
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
                return std::unique_ptr<Session>(std::make_unique<IpcSession>(m, len, process, one_way, partner_cpu(p)));
              }));
        }
      }
    }
  }
}

}  // namespace ctxbench
