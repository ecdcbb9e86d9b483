// The Channel session (channel_session.hpp): one partner body for every channel, threads and processes.
//
// One way needs both tasks on one clock: the sender stores its CLOCK_MONOTONIC timestamp in shared
// memory just before sending, the receiver reads the clock as soon as its receive returns and takes the
// difference (rt-tests pmqtest/ptsematest measure the same way). Both directions of each round trip are
// sampled, so one-way sessions are self-timed (Session::own_samples).
#include "probes/channel_session.hpp"

#include <cstring>
#include <new>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"

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
  IpcSession(std::unique_ptr<Channel> channel, const std::string& key, std::size_t size, bool process, bool one_way,
             int cpu)
      : process_(process),
        one_way_(one_way),
        len_(size),
        channel_(std::move(channel)),
        mapping_(sizeof(IpcShared)),
        sh_(new (mapping_.get()) IpcShared),
        a_buf_(new char[size]()),
        b_buf_(new char[size]()),
        caller_(this_task()) {
    if (channel_->prepare(Side::A) != 0) throw ProbeError(key + ": preparing the caller failed");
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

}  // namespace

std::unique_ptr<Session> start_channel_session(std::unique_ptr<Channel> channel, const std::string& key,
                                               std::size_t len, bool process, bool one_way, int cpu) {
  return std::make_unique<IpcSession>(std::move(channel), key, len, process, one_way, cpu);
}

}  // namespace ctxbench
