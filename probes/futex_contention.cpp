// ctxswitch.futex_{wake,wake_all,requeue,lock_pi}/waiters:N and ctxswitch.futex_wake_parallel/waiters:N/wakers:W:
// futex contention in the spirit of perf bench futex (docs/METHODOLOGY.md, "Futex contention"). N waiter threads
// sleep on one futex word and are released one FUTEX_WAKE at a time, by one FUTEX_WAKE of all, by W waker
// threads' FUTEX_WAKEs of N/W each at once, or requeued to a second word by FUTEX_CMP_REQUEUE and then woken
// there; or N threads and the caller contend for one PI lock (FUTEX_LOCK_PI/FUTEX_UNLOCK_PI).
// Threads only: waking many sleepers of one process is what these kernel paths serve (thread pools,
// condition variables, pthread PI mutexes). Every thread is a Partner the session owns and joins.
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/families.hpp"
#include "probes/spread.hpp"
#include "probes/wake_latency.hpp"

namespace ctxbench {

namespace {

enum class Mode { WakeOne, WakeAll, WakeParallel, Requeue, LockPi };

// The caller waits at most this long for the waiters to fall asleep or to run after a wake: a waiter that
// never does is a broken session, not a slow one.
constexpr std::uint64_t kStuckNs = 10'000'000'000;
constexpr std::uint64_t kStopCheckNs = 100'000'000;

long futex_op(std::atomic<std::uint32_t>* word, int op, std::uint32_t val, std::uint32_t val2 = 0,
              std::atomic<std::uint32_t>* word2 = nullptr, std::uint32_t val3 = 0) noexcept {
  return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, val,
                   reinterpret_cast<void*>(static_cast<std::uintptr_t>(val2)), reinterpret_cast<std::uint32_t*>(word2),
                   val3);
}

long wake(std::atomic<std::uint32_t>* word, int how_many) noexcept {
  return futex_op(word, FUTEX_WAKE_PRIVATE, static_cast<std::uint32_t>(how_many));
}

struct alignas(64) Slot {
  std::atomic<std::uint64_t> ran_at{0};  // when this waiter ran again after the round's wake
  // lock_pi: acquisitions of this thread, and of those the ones whose previous holder was another thread and ran
  // on another CPU (note_holder). Only the slot's own thread writes them; the caller reads them while it runs, so
  // `seq` is odd while one acquisition's counts change (a seqlock): a reader takes all three from one instant,
  // and hand-offs never outrun acquisitions between two reads (read_counts).
  std::atomic<std::uint64_t> seq{0};
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> handoffs{0}, cross_cpu{0};
};

struct SlotCounts {
  double count = 0, handoffs = 0, cross_cpu = 0;
};

// A waker thread's call of the round (wake_parallel), read by the caller once every waker is done.
struct alignas(64) WakerSlot {
  std::atomic<std::uint64_t> start{0}, end{0}, woken{0};
  std::atomic<int> error{0};  // the call's errno, 0 when it succeeded
};

struct Shared {
  Shared(std::size_t n, std::size_t wakers) : slot(n), waker(wakers), per_waker(wakers == 0 ? 0 : n / wakers) {}
  // Where waiters sleep; its value is the round, so a new round is a new value and a waiter that reaches its
  // wait after the round changed returns at once (EAGAIN) instead of missing its wake-up.
  alignas(64) std::atomic<std::uint32_t> gate{0};
  alignas(64) std::atomic<std::uint32_t> target{0};  // where requeue moves them
  alignas(64) std::atomic<std::uint32_t> lock{0};    // lock_pi: the PI lock word (0, or the owner's tid)
  // lock_pi: the last holder (0 the caller, i + 1 contender i) and the CPU it held the lock on, written only
  // while holding the lock; and the caller's own counts of note_holder.
  alignas(64) std::atomic<std::uint32_t> last_holder{UINT32_MAX};
  std::atomic<int> last_cpu{-1};
  Slot caller;
  alignas(64) std::atomic<std::uint32_t> ready{0};  // waiters of this round about to sleep
  alignas(64) std::atomic<std::uint32_t> ran{0};    // waiters of this round running again (futex word)
  // wake_parallel: the wakers sleep on `go` (its value is the round, as the gate's), announce in
  // `wakers_ready` and count their finished calls in `wakers_done` (a futex word the caller waits on).
  alignas(64) std::atomic<std::uint32_t> go{0};
  alignas(64) std::atomic<std::uint32_t> wakers_ready{0};
  alignas(64) std::atomic<std::uint32_t> wakers_done{0};
  std::atomic<bool> stop{false};
  std::vector<Slot> slot;
  std::vector<WakerSlot> waker;
  std::size_t per_waker;  // waiters each waker's one call releases
};

// Announce in `ready`, then sleep on `word` until its value (the round) changes: woken, requeued and woken,
// or EAGAIN, it re-checks. False when the session stops meanwhile.
bool sleep_until_next_round(Shared& s, std::atomic<std::uint32_t>& word, std::atomic<std::uint32_t>& ready) noexcept {
  const std::uint32_t g = word.load(std::memory_order_acquire);
  if (s.stop.load(std::memory_order_acquire)) return false;
  ready.fetch_add(1, std::memory_order_acq_rel);
  while (word.load(std::memory_order_acquire) == g) {
    if (s.stop.load(std::memory_order_acquire)) return false;
    futex_wait_errno(&word, g, false, 0);
  }
  return true;
}

// Waiter i: announce, sleep on the gate until the round changes, stamp, count; again, until stopped.
int waiter(Shared& s, std::size_t i) noexcept {
  const auto n = static_cast<std::uint32_t>(s.slot.size());
  while (sleep_until_next_round(s, s.gate, s.ready)) {
    s.slot[i].ran_at.store(now_ns(), std::memory_order_release);
    if (s.ran.fetch_add(1, std::memory_order_acq_rel) + 1 == n) futex_wake_errno(&s.ran, false);
  }
  return 0;
}

// Waker j (wake_parallel): announce, sleep on `go` until the round changes, then one FUTEX_WAKE of its share of
// the waiters, timed as perf bench futex wake-parallel's wakers time theirs; again, until stopped.
int waker(Shared& s, std::size_t j) noexcept {
  const auto w = static_cast<std::uint32_t>(s.waker.size());
  WakerSlot& mine = s.waker[j];
  while (sleep_until_next_round(s, s.go, s.wakers_ready)) {
    if (s.stop.load(std::memory_order_acquire)) return 0;
    const std::uint64_t start = now_ns();
    const long r = wake(&s.gate, static_cast<int>(s.per_waker));
    const std::uint64_t end = now_ns();
    mine.error.store(r < 0 ? errno : 0, std::memory_order_relaxed);
    mine.start.store(start, std::memory_order_relaxed);
    mine.end.store(end, std::memory_order_relaxed);
    mine.woken.store(r < 0 ? 0 : static_cast<std::uint64_t>(r), std::memory_order_relaxed);
    if (s.wakers_done.fetch_add(1, std::memory_order_acq_rel) + 1 == w) futex_wake_errno(&s.wakers_done, false);
  }
  return 0;
}

// Called holding the PI lock: counts an acquisition whose previous holder was another thread (a hand-off: the
// kernel gave the lock to a waiter, or another thread's release left it free) and one whose previous holder ran
// on another CPU (docs/METHODOLOGY.md, "Futex contention", "lock_pi hand-offs, measured"). Two exchanges, a vDSO
// getcpu and the slot's seqlock inside the critical section (tens of ns against 5-13 us an acquisition; the
// peer does the same but for the seqlock, as it reads its counts once its threads have stopped); the lock's
// syscalls order them between holders.
void note_holder(Shared& s, std::uint32_t me, Slot& mine) noexcept {
  const int cpu = ::sched_getcpu();
  const std::uint32_t prev = s.last_holder.exchange(me, std::memory_order_relaxed);
  const int prev_cpu = s.last_cpu.exchange(cpu, std::memory_order_relaxed);
  // Sequentially consistent (the default order), not fences, which -fsanitize=thread does not follow: a reader
  // that sees any count of this acquisition then sees `seq` moved too.
  const std::uint64_t seq = mine.seq.load(std::memory_order_relaxed);
  mine.seq.store(seq + 1);
  mine.count.fetch_add(1);
  if (prev != UINT32_MAX && prev != me) mine.handoffs.fetch_add(1);
  if (prev_cpu >= 0 && prev_cpu != cpu) mine.cross_cpu.fetch_add(1);
  mine.seq.store(seq + 2);
}

// A slot's three counts from one instant (the seqlock of Slot): retried while its thread is between them.
SlotCounts read_counts(const Slot& slot) noexcept {
  for (;;) {
    const std::uint64_t before = slot.seq.load();
    const SlotCounts c{static_cast<double>(slot.count.load()), static_cast<double>(slot.handoffs.load()),
                       static_cast<double>(slot.cross_cpu.load())};
    if (before % 2 == 0 && slot.seq.load() == before) return c;
    ::sched_yield();  // its writer was preempted inside: let it finish
  }
}

// A contender of the PI lock: lock, count, unlock, as perf bench futex lock-pi's workers do (the syscall every
// time, no user-space fast path), until stopped.
int contender(Shared& s, std::size_t i) noexcept {
  while (!s.stop.load(std::memory_order_acquire)) {
    if (futex_op(&s.lock, FUTEX_LOCK_PI_PRIVATE, 0) != 0) return 1;
    note_holder(s, static_cast<std::uint32_t>(i + 1), s.slot[i]);
    if (futex_op(&s.lock, FUTEX_UNLOCK_PI_PRIVATE, 0) != 0) return 1;
  }
  return 0;
}

// 'S' in /proc/<pid>/task/<tid>/stat: the thread sleeps (a waiter sleeps nowhere but in its futex wait).
bool sleeping(pid_t tid) {
  const std::string stat = read_small_file("/proc/self/task/" + std::to_string(tid) + "/stat");
  const std::size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'S';
}

class ContentionSession final : public Session {
 public:
  ContentionSession(Mode mode, std::size_t n, std::size_t wakers, const Placement& placement)
      : mode_(mode), n_(n), shared_(std::make_shared<Shared>(n, wakers)), caller_(this_task()) {
    // Task k (the caller is 0, the waiters 1..n, the wakers after them) on the k-th CPU of the spread.
    for (std::size_t k = 0; k <= n + wakers; ++k) pins_.push_back(spread_cpu(placement, k));
    try {
      for (std::size_t i = 0; i < n; ++i) {
        const std::shared_ptr<Shared> s = shared_;
        const bool lock = mode == Mode::LockPi;
        threads_.push_back(Partner::start(
            // Pinned: waiter i on the (i+1)-th CPU from the caller's, spread as perf bench futex spreads its
            // threads, the caller's CPU last.
            false, pins_[i + 1], [s, i, lock] { return lock ? contender(*s, i) : waiter(*s, i); },
            [s, lock] { release_all(*s, lock); }));
      }
      // The wakers continue the spread after the waiters (same-cpu), as perf's unpinned wakers go wherever.
      for (std::size_t j = 0; j < wakers; ++j) {
        const std::shared_ptr<Shared> s = shared_;
        threads_.push_back(Partner::start(
            false, pins_[n + 1 + j], [s, j] { return waker(*s, j); }, [s] { release_all(*s, false); }));
      }
    } catch (...) {
      stop_all();
      throw;
    }
  }

  ~ContentionSession() override { stop_all(); }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    if (mode_ == Mode::LockPi) {
      for (std::uint64_t i = 0; i < n; ++i) {
        if (futex_op(&shared_->lock, FUTEX_LOCK_PI_PRIVATE, 0) != 0)
          throw ProbeError(std::string("futex(FUTEX_LOCK_PI_PRIVATE): ") + std::strerror(errno));
        note_holder(*shared_, 0, shared_->caller);
        if (futex_op(&shared_->lock, FUTEX_UNLOCK_PI_PRIVATE, 0) != 0)
          throw ProbeError(std::string("futex(FUTEX_UNLOCK_PI_PRIVATE): ") + std::strerror(errno));
      }
    } else if (mode_ == Mode::WakeParallel) {
      for (std::uint64_t i = 0; i < n; ++i) one_parallel_round();
    } else {
      for (std::uint64_t i = 0; i < n; ++i) one_round();
    }
    guard.done();
  }

  std::vector<TaskId> tasks() const override {
    std::vector<TaskId> out = {caller_};
    for (const Partner& p : threads_) out.push_back(p.task());
    return out;
  }

  // Same-cpu: the caller on the placement's CPU (the runner pins it there), every other thread where the spread
  // put it; unpinned: none.
  std::vector<int> task_pins() const override { return pins_; }

  std::vector<double>* own_samples() override { return mode_ == Mode::LockPi ? nullptr : &samples_; }

  std::optional<SessionCounters> counters(bool) override {
    SessionCounters c;
    c.totals = {{"wall_ns", static_cast<double>(now_ns())}};
    if (mode_ == Mode::LockPi) {
      // The caller's slot counts its own acquisitions too (note_holder), as each contender's does.
      const SlotCounts caller = read_counts(shared_->caller);
      double acquisitions = caller.count, handoffs = caller.handoffs, cross_cpu = caller.cross_cpu, switches = 0;
      for (const Slot& s : shared_->slot) {
        const SlotCounts counts = read_counts(s);
        acquisitions += counts.count;
        handoffs += counts.handoffs;
        cross_cpu += counts.cross_cpu;
      }
      for (const TaskId& t : tasks()) {
        const SwitchCounts sc = read_switch_counts(t.pid, t.tid);
        switches += static_cast<double>(sc.voluntary + sc.involuntary);
      }
      c.totals.emplace_back("lock_acquisitions", acquisitions);
      c.totals.emplace_back("lock_caller_acquisitions", caller.count);
      c.totals.emplace_back("lock_switches", switches);
      c.totals.emplace_back("lock_handoffs", handoffs);
      c.totals.emplace_back("lock_cross_cpu_handoffs", cross_cpu);
      return c;
    }
    c.totals.emplace_back("wake_rounds", rounds_);
    c.totals.emplace_back("waiters_woken", woken_);
    c.totals.emplace_back("waker_ns", waker_ns_);
    c.totals.emplace_back("wake_latency_ns", latency_ns_);
    c.totals.emplace_back("last_waiter_latency_ns", last_latency_ns_);
    c.totals.emplace_back("wake_round_ns", round_ns_);
    return c;
  }

 private:
  // A contender of the PI lock ends at its next turn of the lock, which the others keep passing on.
  static void release_all(Shared& s, bool lock) noexcept {
    s.stop.store(true, std::memory_order_release);
    if (lock) return;
    s.gate.fetch_add(1, std::memory_order_acq_rel);
    s.go.fetch_add(1, std::memory_order_acq_rel);
    wake(&s.gate, INT_MAX);
    wake(&s.target, INT_MAX);
    wake(&s.go, INT_MAX);
  }

  // Every waiter (and waker) has announced this round and sleeps in the kernel: only then is a round's wake-up
  // timed.
  void wait_until_all_asleep() {
    const auto n = static_cast<std::uint32_t>(n_);
    const auto w = static_cast<std::uint32_t>(shared_->waker.size());
    const std::uint64_t give_up = now_ns() + kStuckNs;
    for (;;) {
      throw_if_stopped();
      bool all = shared_->ready.load(std::memory_order_acquire) == n &&
                 shared_->wakers_ready.load(std::memory_order_acquire) == w;
      for (std::size_t i = 0; all && i < threads_.size(); ++i) all = sleeping(threads_[i].task().tid);
      if (all) return;
      if (now_ns() > give_up) throw ProbeError("a futex waiter did not fall asleep within 10 s");
      const timespec pause{0, 20'000};
      ::nanosleep(&pause, nullptr);  // lets waiters that share the caller's CPU run to their wait
    }
  }

  // Until `word` counts `n` (the waiters of the round ran, or the wakers are done).
  void wait_for_count(std::atomic<std::uint32_t>& word, std::size_t n, const char* stuck) {
    const std::uint64_t give_up = now_ns() + kStuckNs;
    for (std::uint32_t v; (v = word.load(std::memory_order_acquire)) != n;) {
      throw_if_stopped();
      if (now_ns() > give_up) throw ProbeError(stuck);
      futex_wait_errno(&word, v, false, kStopCheckNs);
    }
  }

  void wait_until_all_ran() { wait_for_count(shared_->ran, n_, "a woken futex waiter did not run within 10 s"); }

  // The waiters' stamps of the round, once all have run, and the round's latencies counted.
  void count_round(const std::vector<std::uint64_t>& issued, std::uint64_t first_call, double waker_ns) {
    std::vector<std::uint64_t> ran(n_);
    std::uint64_t last = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      ran[i] = shared_->slot[i].ran_at.load(std::memory_order_acquire);
      last = std::max(last, ran[i]);
    }
    const WakeRoundLatency lat = waiter_latencies(issued, ran);
    samples_.push_back(waker_ns);
    rounds_ += 1;
    woken_ += static_cast<double>(n_);
    waker_ns_ += waker_ns;
    latency_ns_ += lat.sum_ns;
    last_latency_ns_ += lat.max_ns;
    round_ns_ += static_cast<double>(last > first_call ? last - first_call : 0);
  }

  // One op of wake_parallel: the caller changes the round and wakes the W sleeping wakers with one call; each
  // releases its N/W waiters with one FUTEX_WAKE. The sample is the mean of the wakers' times in their calls
  // (perf's "Avg per-thread latency"); a waiter's latency runs from the start of a call that released it.
  void one_parallel_round() {
    Shared& s = *shared_;
    wait_until_all_asleep();
    s.ready.store(0, std::memory_order_relaxed);
    s.ran.store(0, std::memory_order_relaxed);
    s.wakers_ready.store(0, std::memory_order_relaxed);
    s.wakers_done.store(0, std::memory_order_relaxed);
    s.gate.fetch_add(1, std::memory_order_acq_rel);
    s.go.fetch_add(1, std::memory_order_acq_rel);
    if (wake(&s.go, INT_MAX) < 0) throw ProbeError(std::string("futex(FUTEX_WAKE_PRIVATE): ") + std::strerror(errno));
    wait_for_count(s.wakers_done, s.waker.size(), "a futex waker thread did not finish its wake within 10 s");
    std::vector<WakerCall> calls;
    for (const WakerSlot& w : s.waker) {
      if (const int e = w.error.load(std::memory_order_relaxed); e != 0)
        throw ProbeError(std::string("futex(FUTEX_WAKE_PRIVATE) in a waker thread: ") + std::strerror(e));
      calls.push_back({w.start.load(std::memory_order_relaxed), w.end.load(std::memory_order_relaxed),
                       w.woken.load(std::memory_order_relaxed)});
    }
    wait_until_all_ran();
    count_round(parallel_releases(calls), first_call_ns(calls), mean_waker_call_ns(calls));
  }

  // One op: the N sleeping waiters released; the sample is the waker's time for it (perf bench futex's
  // figure), the latencies and the round's length are counters.
  void one_round() {
    Shared& s = *shared_;
    wait_until_all_asleep();
    s.ready.store(0, std::memory_order_relaxed);
    s.ran.store(0, std::memory_order_relaxed);
    issued_.clear();
    const std::uint64_t t0 = now_ns();
    std::uint64_t waker_end = 0;
    if (mode_ == Mode::Requeue) {
      // All N moved to the target in one call (perf bench futex requeue -q N), waking none; then all woken there.
      for (std::size_t moved = 0; moved < n_;) {
        const long r =
            futex_op(&s.gate, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, &s.target, s.gate.load(std::memory_order_relaxed));
        if (r < 0) throw ProbeError(std::string("futex(FUTEX_CMP_REQUEUE_PRIVATE): ") + std::strerror(errno));
        if (r == 0) break;
        moved += static_cast<std::size_t>(r);
      }
      waker_end = now_ns();
      s.gate.fetch_add(1, std::memory_order_acq_rel);
      const std::uint64_t w = now_ns();
      release(&s.target, INT_MAX, w);
    } else {
      s.gate.fetch_add(1, std::memory_order_acq_rel);
      release(&s.gate, mode_ == Mode::WakeOne ? 1 : INT_MAX, 0);
      waker_end = now_ns();
    }
    wait_until_all_ran();
    count_round(issued_, t0, static_cast<double>(waker_end - t0));
  }

  // FUTEX_WAKE of `per_call` at a time until a call finds no sleeper; each released waiter's call start is
  // recorded (`at` when nonzero: the requeue's wake, timed from after the round changed).
  void release(std::atomic<std::uint32_t>* word, int per_call, std::uint64_t at) {
    for (;;) {
      const std::uint64_t start = at != 0 ? at : now_ns();
      const long r = wake(word, per_call);
      if (r < 0) throw ProbeError(std::string("futex(FUTEX_WAKE_PRIVATE): ") + std::strerror(errno));
      if (r == 0) return;
      issued_.insert(issued_.end(), static_cast<std::size_t>(r), start);
      if (issued_.size() >= n_) return;
      at = 0;
    }
  }

  // Every thread told to end and joined; a lock_pi contender ends at its next turn of the lock, which the
  // others keep passing on. Never throws.
  void stop_all() noexcept {
    release_all(*shared_, mode_ == Mode::LockPi);
    for (Partner& p : threads_) p.stop();
  }

  Mode mode_;
  std::size_t n_;  // waiters (the threads after them are wakers)
  std::shared_ptr<Shared> shared_;
  TaskId caller_;
  std::vector<int> pins_;  // [task of tasks()]: the CPU it is pinned to, -1 unpinned
  std::vector<Partner> threads_;
  std::vector<std::uint64_t> issued_;
  std::vector<double> samples_;
  double rounds_ = 0, woken_ = 0, waker_ns_ = 0, latency_ns_ = 0, last_latency_ns_ = 0, round_ns_ = 0;
  bool broken_ = false;
};

const char* key_of(Mode m) {
  switch (m) {
    case Mode::WakeOne:
      return "futex_wake";
    case Mode::WakeAll:
      return "futex_wake_all";
    case Mode::WakeParallel:
      return "futex_wake_parallel";
    case Mode::Requeue:
      return "futex_requeue";
    case Mode::LockPi:
      break;
  }
  return "futex_lock_pi";
}

std::string op_of(Mode m, std::size_t n, std::size_t wakers) {
  const std::string waiters = std::to_string(n) + (n == 1 ? " waiter thread" : " waiter threads");
  const std::string round = "one round of " + waiters + ": each, asleep in FUTEX_WAIT_PRIVATE on ";
  const std::string metrics = ", each waiter's wake-up latency and the round's length are metrics";
  switch (m) {
    case Mode::WakeOne:
      return round +
             "one word, is released by a FUTEX_WAKE_PRIVATE of 1 (perf bench futex wake); the value is the "
             "waker's time for the " +
             std::to_string(n) + " calls (a waiter's latency runs from the call that released it)" + metrics;
    case Mode::WakeAll:
      return round + "one word, is released by one FUTEX_WAKE_PRIVATE of all (a broadcast; perf bench futex wake -w " +
             std::to_string(n) +
             "); "
             "the value is the waker's time for the call" +
             metrics;
    case Mode::WakeParallel:
      return round + "one word, is released by one of " + std::to_string(wakers) +
             " waker threads, woken together by the caller, each making one FUTEX_WAKE_PRIVATE of " +
             std::to_string(n / wakers) + " (perf bench futex wake-parallel -t " + std::to_string(n) + " -w " +
             std::to_string(wakers) +
             "); the value is the mean of the wakers' times for their calls (a waiter's latency runs from the start "
             "of a call that released it)" +
             metrics;
    case Mode::Requeue:
      return round +
             "word 1, is moved to word 2 by one FUTEX_CMP_REQUEUE_PRIVATE (wake 0, requeue all; perf bench futex "
             "requeue -q " +
             std::to_string(n) +
             ") and then released by one FUTEX_WAKE_PRIVATE of all on word 2; the value is the "
             "waker's requeue time (a waiter's latency runs from the wake on word 2)" +
             metrics;
    case Mode::LockPi:
      break;
  }
  return "one FUTEX_LOCK_PI_PRIVATE + FUTEX_UNLOCK_PI_PRIVATE of one PI lock word by the caller while " + waiters +
         " do the same in a loop (perf bench futex lock-pi -t " + std::to_string(n + 1) +
         "): under contention the kernel hands the lock "
         "to the top waiter at unlock; every thread's acquisitions per second and switches per acquisition are "
         "metrics";
}

// Why --explain does not split these records (docs/METHODOLOGY.md, "Futex contention"): the record's value is
// not the window the traced pass can time. A skipped explain says so instead of a split of something else.
std::string explain_why_not(Mode m) {
  if (m == Mode::LockPi)
    return "a PI lock hand-off has no single critical path from the caller's lock to its unlock: the lock "
           "passes through whichever contender the kernel's rt-mutex made the top waiter (with priority "
           "boosting), and the caller's op holds no wake-up it starts and waits for";
  if (m == Mode::WakeParallel)
    return "the value is the mean waker's time inside its own FUTEX_WAKE, several waker threads calling at "
           "once, not a hand-off; one traced round (run_ops(1)) also holds the caller's poll for every waiter "
           "and waker to fall asleep, its wake of the wakers and its wait for the last waiter to run, so a "
           "critical-path split of that window would split a different figure; each waiter's wake-up latency is "
           "the metric wake_latency_ns_per_waiter";
  return "the value is the waker's time inside its futex calls, not a hand-off; one traced round (run_ops(1)) "
         "also holds the caller's poll for every waiter to fall asleep (nanosleep) and its wait for the last "
         "to run, so a critical-path split of that window would split a different figure; each waiter's "
         "wake-up latency (call that released it to running) is the metric wake_latency_ns_per_waiter";
}

ProbeInfo contention_info(Mode m, std::size_t n, std::size_t wakers) {
  ProbeInfo info;
  info.measure = Measure::SingleOp;
  info.name = std::string("ctxswitch.") + key_of(m) + "/waiters:" + std::to_string(n);
  info.family = "ctxswitch";
  info.params = {{"waiters", std::to_string(n)}};
  if (m == Mode::WakeParallel) {
    info.name += "/wakers:" + std::to_string(wakers);
    info.params.emplace_back("wakers", std::to_string(wakers));
  }
  info.op = op_of(m, n, wakers);
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::Unpinned};
  // A round: every waiter sleeps once and is woken once (and every waker thread), and the caller sleeps once
  // (waiting for the last waiter to run, or in its poll for them to fall asleep). That count is of sleeps: the
  // N + W + 1 tasks woken on the CPUs also preempt each other at their wake-ups, as many times as the scheduler
  // decides (results/futex/denominator.txt measures it), so the check compares the voluntary switches. A lock
  // hand-off's switches depend on who held the lock when, so no count is implied.
  info.expected_switches_per_op = m == Mode::LockPi ? -1 : static_cast<double>(n + wakers + 1);
  info.expected_switches_are_sleeps = m != Mode::LockPi;
  // A lock_pi sample holds 100+ contended lock+unlocks: the runner's reads after each sample, every ~10 of them
  // at its usual batch, took the 2-contender lock out of its convoy (results/futex/lock_pi.txt).
  if (m == Mode::LockPi) info.budget.min_batch_ns = 3'000'000;
  info.suites = {"ctxswitch"};
  info.explain_why_not = explain_why_not(m);
  return info;
}

}  // namespace

void add_futex_contention_probes(ProbeTable& table, const ProbeTableConfig&) {
  auto add = [&table](Mode m, std::size_t n, std::size_t wakers) {
    table.push_back(std::make_unique<SimpleProbe>(contention_info(m, n, wakers),
                                                  [m, n, wakers](const Placement& p) -> std::unique_ptr<Session> {
                                                    return std::make_unique<ContentionSession>(m, n, wakers, p);
                                                  }));
  };
  for (Mode m : {Mode::WakeOne, Mode::WakeAll, Mode::Requeue, Mode::LockPi})
    for (std::size_t n : doubling_counts_to_four_per_cpu()) add(m, n, 0);
  // Parallel wakes: W = 2, 4 ... up to N, each dividing N, as perf requires ("Must be perfectly divisible").
  for (std::size_t n : doubling_counts_to_four_per_cpu())
    for (std::size_t w : parallel_waker_counts(n)) add(Mode::WakeParallel, n, w);
}

}  // namespace ctxbench
