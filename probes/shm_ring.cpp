// shm.ring.spin / shm.ring.futex: a shared-memory message channel — two single-producer/single-consumer
// rings of 64-byte slots in a MAP_SHARED mapping between a process and its forked child — driven as a
// ping-pong. The spinning reader polls the ring's head; the futex reader announces it is asleep and
// sleeps in FUTEX_WAIT, and the writer wakes it only then. The two side by side show what the sleep and
// the wake-up cost on top of the pure cache-line transfers (shm.c2c, shm.pingpong).
#include <errno.h>

#include <cstring>
#include <new>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

constexpr std::uint32_t kSlots = 64;  // a power of two: the index wraps with a mask
constexpr std::size_t kMessage = 64;
constexpr std::uint64_t kSpinsPerCheck = 4096;
constexpr std::uint64_t kStarvedNs = 2'000'000'000;

struct Ring {
  alignas(64) std::atomic<std::uint32_t> head{0};      // messages pushed (written by the producer only)
  alignas(64) std::atomic<std::uint32_t> tail{0};      // messages popped (written by the consumer only)
  alignas(64) std::atomic<std::uint32_t> sleeping{0};  // futex mode: the consumer is (about to be) asleep
  alignas(64) char slots[kSlots][kMessage];
};

struct Rings {
  Ring to_b, to_a;
  alignas(64) std::atomic<std::uint32_t> stop{0};
};

void push(Ring& r, const char* msg, bool futex) noexcept {
  const std::uint32_t h = r.head.load(std::memory_order_relaxed);
  std::memcpy(r.slots[h & (kSlots - 1)], msg, kMessage);
  // seq_cst store + seq_cst load of `sleeping`, against the consumer's seq_cst store of `sleeping` +
  // load of `head`: one of the two always sees the other, so no wake-up is ever lost.
  r.head.store(h + 1, std::memory_order_seq_cst);
  if (futex && r.sleeping.load(std::memory_order_seq_cst) != 0) futex_wake_errno(&r.head, true);
}

// Outcome of one wait for a message.
enum class Wait { Ready, Stop, Check };

// Waits until the ring holds a message. Spinning: returns Check every kSpinsPerCheck polls so the
// caller can look at the clock and the stop flag. Futex: sleeps (for at most `timeout_ns` unless 0) and
// returns Check when the timeout expired or a signal interrupted the sleep.
Wait wait_message(Ring& r, bool futex, const std::atomic<std::uint32_t>& stop, std::uint64_t timeout_ns) noexcept {
  const std::uint32_t t = r.tail.load(std::memory_order_relaxed);
  if (!futex) {
    for (std::uint64_t spins = 0; spins < kSpinsPerCheck; ++spins)
      if (r.head.load(std::memory_order_acquire) != t) return Wait::Ready;
    return stop.load(std::memory_order_relaxed) != 0 ? Wait::Stop : Wait::Check;
  }
  for (;;) {
    if (r.head.load(std::memory_order_acquire) != t) return Wait::Ready;
    if (stop.load(std::memory_order_acquire) != 0) return Wait::Stop;
    r.sleeping.store(1, std::memory_order_seq_cst);
    const std::uint32_t h = r.head.load(std::memory_order_seq_cst);
    if (h != t) {
      r.sleeping.store(0, std::memory_order_relaxed);
      return Wait::Ready;
    }
    const int err = futex_wait_errno(&r.head, h, true, timeout_ns);
    r.sleeping.store(0, std::memory_order_relaxed);
    if (err == ETIMEDOUT || err == EINTR) return Wait::Check;
  }
}

void pop(Ring& r, char* msg) noexcept {
  const std::uint32_t t = r.tail.load(std::memory_order_relaxed);
  std::memcpy(msg, r.slots[t & (kSlots - 1)], kMessage);
  r.tail.store(t + 1, std::memory_order_release);
}

// The partner B (a forked child): pop every message from to_b and push it to to_a, until stop.
int ring_partner(Rings* rings, bool futex) noexcept {
  char msg[kMessage];
  for (;;) {
    const Wait w = wait_message(rings->to_b, futex, rings->stop, 0);
    if (w == Wait::Stop) return 0;
    if (w == Wait::Check) continue;
    pop(rings->to_b, msg);
    push(rings->to_a, msg, futex);
  }
}

class RingSession final : public Session {
 public:
  RingSession(bool futex, int cpu)
      : futex_(futex), mapping_(sizeof(Rings)), rings_(new (mapping_.get()) Rings), caller_(this_task()) {
    Rings* r = rings_;
    partner_ = Partner::process(cpu, [r, futex] { return ring_partner(r, futex); });
    std::memset(msg_, 'm', sizeof msg_);
  }
  ~RingSession() override {
    rings_->stop.store(1, std::memory_order_seq_cst);
    futex_wake_errno(&rings_->to_b.head, true);
    partner_.stop();
  }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    const std::uint64_t alive_check_ns = 100'000'000;
    for (std::uint64_t i = 0; i < n; ++i) {
      push(rings_->to_b, msg_, futex_);
      std::uint64_t since = 0;
      for (;;) {
        const Wait w = wait_message(rings_->to_a, futex_, rings_->stop, alive_check_ns);
        if (w == Wait::Ready) break;
        throw_if_stopped();
        if (partner_.exited()) throw ProbeError("partner exited");
        if (!futex_) {
          const std::uint64_t t = now_ns();
          if (since == 0) {
            since = t;
          } else if (t - since > kStarvedNs) {
            throw ProbeError("partner starved: no answer for 2 s (is its CPU busy with another task?)");
          }
        }
      }
      pop(rings_->to_a, msg_);
    }
    guard.done();
  }

  std::vector<TaskId> tasks() const override { return {caller_, partner_.task()}; }

 private:
  bool futex_;
  SharedMapping mapping_;
  Rings* rings_;
  TaskId caller_;
  Partner partner_;
  char msg_[kMessage];
  bool broken_ = false;
};

}  // namespace

static std::unique_ptr<Probe> make_shm_ring(bool futex) {
  ProbeInfo info;
  info.measure = Measure::RoundTrip;
  info.name = futex ? "shm.ring.futex" : "shm.ring.spin";
  info.explainable = futex;
  info.family = "shm";
  info.op = std::string(
                "one round trip of a 64-byte message through shared memory between two processes (B is a "
                "forked child): A copies it into a single-producer/single-consumer ring (64 slots, "
                "MAP_SHARED) and publishes the head index, B takes it and puts it into a second ring back "
                "to A, A takes it; ") +
            (futex ? "each reader sleeps in FUTEX_WAIT on the head index when its ring is empty and the "
                     "writer calls FUTEX_WAKE only when the reader said it sleeps (2 context switches per "
                     "round trip on one CPU)"
                   : "each reader spins on the head index (no system call, no context switch)");
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  if (!futex) {
    info.where.skipped = {
        {PlacementKind::SameCpu, "a spinning reader on the same CPU only progresses at scheduler ticks; run cross-cpu"},
        {PlacementKind::Unpinned, "the scheduler may put both spinners on one CPU; run cross-cpu"},
    };
    info.expected_switches_per_op = 0;
  } else {
    info.expected_switches_per_op = 2;
  }
  info.suites = {"default", "shm"};
  return std::make_unique<SimpleProbe>(std::move(info), [futex](const Placement& p) -> std::unique_ptr<Session> {
    return std::make_unique<RingSession>(futex, partner_cpu(p));
  });
}

void add_shm_ring_probes(ProbeTable& table, const ProbeTableConfig&) {
  table.push_back(make_shm_ring(false));
  table.push_back(make_shm_ring(true));
}

}  // namespace ctxbench
