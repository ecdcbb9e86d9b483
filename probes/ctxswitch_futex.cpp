// ctxswitch.futex.{process,thread}: wait/wake ping-pong on one futex word — the cheapest blocking
// hand-off Linux has (no fd, no copy), so it shows the switch itself more than the pipe probes do.
// ctxswitch.futex_waitv.{process,thread}: the same ping-pong with each side sleeping in futex_waitv (the
// futex2 syscall of Linux 5.16, what Wine/Proton wait in) on a one-entry vector; woken by the same
// FUTEX_WAKE. ONE partner body serves all four versions; only the wait primitive is a parameter.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

// How a side sleeps until the word leaves `expected`: 0 when woken, else the errno (EAGAIN, EINTR,
// ETIMEDOUT as futex(2) gives them). timeout_ns 0: no timeout.
using WaitFn = int (*)(std::atomic<std::uint32_t>*, std::uint32_t, bool, std::uint64_t) noexcept;

// futex_waitv(2) on a one-entry vector, its timeout absolute on CLOCK_MONOTONIC. glibc has no wrapper.
int futex_waitv_errno(std::atomic<std::uint32_t>* word, std::uint32_t expected, bool shared,
                      std::uint64_t timeout_ns) noexcept {
#if defined(__NR_futex_waitv) && defined(FUTEX_32)
  struct futex_waitv one {};
  one.val = expected;
  one.uaddr = reinterpret_cast<std::uintptr_t>(word);
  one.flags = FUTEX_32 | (shared ? 0u : static_cast<unsigned>(FUTEX_PRIVATE_FLAG));
  timespec at{};
  if (timeout_ns != 0) {
    ::clock_gettime(CLOCK_MONOTONIC, &at);
    const std::uint64_t ns = static_cast<std::uint64_t>(at.tv_nsec) + timeout_ns;
    at.tv_sec += static_cast<time_t>(ns / 1'000'000'000ull);
    at.tv_nsec = static_cast<long>(ns % 1'000'000'000ull);
  }
  const long r = ::syscall(__NR_futex_waitv, &one, 1u, 0u, timeout_ns != 0 ? &at : nullptr, CLOCK_MONOTONIC);
  return r >= 0 ? 0 : errno;
#else
  (void)word, (void)expected, (void)shared, (void)timeout_ns;
  return ENOSYS;
#endif
}

// Empty when futex_waitv works here, else why not: a wait on a word that does not hold the expected value
// returns at once, EAGAIN where the syscall exists.
std::string waitv_skip_reason() {
  std::atomic<std::uint32_t> probe{1};
  const int err = futex_waitv_errno(&probe, 0, false, 0);
  if (err == EAGAIN) return "";
  if (err == ENOSYS)
    return "futex_waitv is not available: ENOSYS (it needs Linux 5.16+ and a build whose headers define "
           "__NR_futex_waitv)";
  return std::string("futex_waitv: ") + std::strerror(err);
}

// The partner B: whenever the word says it is B's turn, hand it back and wake A; sleep otherwise.
// Runs in a forked child too: no allocation, no exceptions. Returns the exit code.
int futex_partner(FutexBlock* b, bool shared, WaitFn wait) noexcept {
  for (;;) {
    std::uint32_t v = b->word.load(std::memory_order_acquire);
    if (v == kStop) return 0;
    if (v == kPartnerTurn) {
      // CAS, not store: a kStop written meanwhile must win.
      if (b->word.compare_exchange_strong(v, kCallerTurn, std::memory_order_acq_rel) &&
          futex_wake_errno(&b->word, shared) != 0)
        break;
      continue;
    }
    const int err = wait(&b->word, v, shared, 0);  // spurious wakes and EINTR just loop
    if (err != 0 && err != EAGAIN && err != EINTR) break;
  }
  b->partner_gone.store(1, std::memory_order_release);
  wake_noexcept(&b->word, shared);
  return 1;
}

class FutexPingPong final : public Session {
 public:
  FutexPingPong(bool process, int cpu, WaitFn wait)
      : shared_(process),
        wait_(wait),
        mapping_(sizeof(FutexBlock)),
        block_(new (mapping_.get()) FutexBlock),
        caller_(this_task()) {
    // Processes need the MAP_SHARED mapping and the shared futex ops; threads use the same memory
    // with the _PRIVATE ops, as pthread mutexes do.
    FutexBlock* b = block_;
    const bool shared = shared_;
    partner_ = Partner::start(
        process, cpu, [b, shared, wait] { return futex_partner(b, shared, wait); }, [this] { stop_partner(); });
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
        const int err = wait_(w, v, shared_, kAliveCheckNs);
        if (err == ETIMEDOUT && partner_dead()) throw ProbeError("partner exited");
        if (err != 0 && err != EAGAIN && err != EINTR && err != ETIMEDOUT)
          throw ProbeError(std::string(wait_ == futex_waitv_errno ? "futex_waitv: " : "futex(FUTEX_WAIT): ") +
                           std::strerror(err));
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
  WaitFn wait_;
  SharedMapping mapping_;
  FutexBlock* block_;
  TaskId caller_;
  Partner partner_;
  bool broken_ = false;
};

ProbeInfo futex_info(bool process, bool waitv) {
  ProbeInfo info;
  info.measure = Measure::RoundTrip;
  info.name = std::string(waitv ? "ctxswitch.futex_waitv" : "ctxswitch.futex") + (process ? ".process" : ".thread");
  info.family = "ctxswitch";
  const std::string sleep =
      waitv ? std::string("futex_waitv on a one-entry vector (FUTEX_32") + (process ? ")" : " | FUTEX_PRIVATE_FLAG)")
            : std::string(process ? "FUTEX_WAIT" : "FUTEX_WAIT_PRIVATE");
  info.op = std::string("one round trip between ") +
            (process ? "two processes on a futex word in MAP_SHARED memory ("
                     : "two threads of one process on a "
                       "futex word (") +
            sleep + ", woken by " + (process ? "FUTEX_WAKE" : "FUTEX_WAKE_PRIVATE") +
            "): A sets the word to B's turn and wakes B, B sets it back and wakes A, each sleeping in " + sleep +
            " until its turn (each hand-off is a context switch when both share one CPU, 2 per round trip)";
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::CrossCpu, PlacementKind::Unpinned};
  info.expected_switches_per_op = 2;
  // The futex_waitv twin joins the ctxswitch suite only: the default suite's run time stays as it is.
  if (waitv) info.suites = {"ctxswitch"};
  info.where.keep_awake_twin = !waitv;
  info.explainable = true;
  return info;
}

std::unique_ptr<Probe> make_futex_probe(bool process, bool waitv) {
  return std::make_unique<SimpleProbe>(
      futex_info(process, waitv), [process, waitv](const Placement& p) -> std::unique_ptr<Session> {
        if (waitv) {
          const std::string why = waitv_skip_reason();
          if (!why.empty()) throw ProbeSkip(why);
        }
        return std::make_unique<FutexPingPong>(process, partner_cpu(p), waitv ? futex_waitv_errno : futex_wait_errno);
      });
}

}  // namespace

void add_ctxswitch_futex_probes(ProbeTable& table, const ProbeTableConfig&) {
  for (bool waitv : {false, true}) {
    table.push_back(make_futex_probe(true, waitv));   // ctxswitch.futex[_waitv].process
    table.push_back(make_futex_probe(false, waitv));  // ctxswitch.futex[_waitv].thread
  }
}

}  // namespace ctxbench
