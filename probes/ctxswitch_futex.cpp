// ctxswitch.futex.{process,thread}: wait/wake ping-pong on one futex word — the cheapest blocking
// hand-off Linux has (no fd, no copy), so it shows the switch itself more than the pipe probes do.
// ONE partner body serves both versions.
#include <new>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/families.hpp"

namespace ctxbench {

namespace {

// Values of the shared word. The stop request is a value of the word itself, not a separate flag: the
// partner sleeps only while the word still holds the value it saw, so it can never miss the stop
// between checking and sleeping.
enum : std::uint32_t { kCallerTurn = 0, kPartnerTurn = 1, kStop = 2 };

// The caller wakes from a sleep at least this often to check that its partner is still alive: a
// SIGKILLed partner can never wake it.
constexpr std::uint64_t kAliveCheckNs = 100'000'000;

struct FutexBlock {
  alignas(64) std::atomic<std::uint32_t> word{kCallerTurn};
  // Set by a partner that stopped for a reason other than kStop (a futex error), on its own line.
  alignas(64) std::atomic<std::uint32_t> partner_gone{0};
};

void wake_noexcept(std::atomic<std::uint32_t>* w, bool shared) noexcept {
  try {
    futex_wake(w, shared);
  } catch (...) {
  }
}

// The partner B: whenever the word says it is B's turn, hand it back and wake A; sleep otherwise.
// Runs in a forked child too: no allocation, exceptions caught here. Returns the exit code.
int futex_partner(FutexBlock* b, bool shared) noexcept {
  try {
    for (;;) {
      std::uint32_t v = b->word.load(std::memory_order_acquire);
      if (v == kStop) return 0;
      if (v == kPartnerTurn) {
        // CAS, not store: a kStop written meanwhile must win.
        if (b->word.compare_exchange_strong(v, kCallerTurn, std::memory_order_acq_rel)) {
          futex_wake(&b->word, shared);
        }
        continue;
      }
      futex_wait(&b->word, v, shared);  // spurious wakes and EINTR just loop
    }
  } catch (...) {
    b->partner_gone.store(1, std::memory_order_release);
    wake_noexcept(&b->word, shared);
    return 1;
  }
}

class FutexPingPong final : public Session {
 public:
  FutexPingPong(bool process, int cpu)
      : shared_(process), mapping_(sizeof(FutexBlock)), block_(new (mapping_.get()) FutexBlock), caller_(this_task()) {
    // Processes need the MAP_SHARED mapping and the shared futex ops; threads use the same memory
    // with the _PRIVATE ops, as pthread mutexes do.
    FutexBlock* b = block_;
    const bool shared = shared_;
    partner_ = Partner::start(
        process, cpu, [b, shared] { return futex_partner(b, shared); }, [this] { stop_partner(); });
  }

  ~FutexPingPong() override {
    stop_partner();
    partner_.stop();  // FutexBlock lives in the mapping and needs no destructor
  }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    std::atomic<std::uint32_t>* w = &block_->word;
    for (std::uint64_t i = 0; i < n; ++i) {
      w->store(kPartnerTurn, std::memory_order_release);
      futex_wake(w, shared_);
      for (;;) {
        std::uint32_t v = w->load(std::memory_order_acquire);
        if (v == kCallerTurn) break;
        throw_if_stopped();  // EINTR from the wait lands here
        if (!futex_wait_for(w, v, shared_, kAliveCheckNs) && partner_dead()) {
          throw ProbeError("partner exited");
        }
        if (block_->partner_gone.load(std::memory_order_acquire) != 0) throw ProbeError("partner exited");
      }
    }
    guard.done();
  }

  std::vector<TaskId> tasks() const override { return {caller_, partner_.task()}; }

 private:
  bool partner_dead() {
    if (block_->partner_gone.load(std::memory_order_acquire) != 0) return true;
    return partner_.exited();
  }
  void stop_partner() noexcept {
    block_->word.store(kStop, std::memory_order_release);
    wake_noexcept(&block_->word, shared_);
  }

  bool shared_;
  SharedMapping mapping_;
  FutexBlock* block_;
  TaskId caller_;
  Partner partner_;
  bool broken_ = false;
};

ProbeInfo futex_info(bool process) {
  ProbeInfo info;
  info.measure = Measure::RoundTrip;
  info.name = process ? "ctxswitch.futex.process" : "ctxswitch.futex.thread";
  info.family = "ctxswitch";
  info.op = std::string("one round trip between ") +
            (process ? "two processes on a futex word in MAP_SHARED memory (FUTEX_WAIT/FUTEX_WAKE)"
                     : "two threads of one process on a futex word (FUTEX_WAIT_PRIVATE/FUTEX_WAKE_PRIVATE)") +
            ": A sets the word to B's turn and wakes B, B sets it back and wakes A, each sleeping in "
            "FUTEX_WAIT until its turn (each hand-off is a context switch when both share one CPU, 2 per "
            "round trip)";
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  info.expected_switches_per_op = 2;
  info.where.keep_awake_twin = true;
  info.explainable = true;
  return info;
}

std::unique_ptr<Probe> make_futex_probe(bool process) {
  return std::make_unique<SimpleProbe>(futex_info(process), [process](const Placement& p) -> std::unique_ptr<Session> {
    return std::make_unique<FutexPingPong>(process, partner_cpu(p));
  });
}

}  // namespace

void add_ctxswitch_futex_probes(ProbeTable& table, const ProbeTableConfig&) {
  table.push_back(make_futex_probe(true));   // ctxswitch.futex.process
  table.push_back(make_futex_probe(false));  // ctxswitch.futex.thread
}

}  // namespace ctxbench
