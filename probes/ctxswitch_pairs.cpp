// ctxswitch.pairs/pairs:N and ctxswitch.pairs.futex/pairs:N: N ping-pong pairs running at once, the load of
// will-it-scale's context_switch1 (docs/METHODOLOGY.md, "Many pairs at once"). Pair 0's initiator is the
// measuring thread, so the samples are its round trips while the other N-1 pairs run flat out; the counters
// give every pair's round trips, switches and the CPUs' idle share over the same window. Thread partners only:
// a pair of threads ping-pongs through the same kernel paths as a pair of processes, and threads keep N = 4 x
// CPUs of tasks cheap to start and stop.
#include <memory>
#include <string>
#include <vector>

#include "engine/partner.hpp"
#include "engine/probe_util.hpp"
#include "probes/byte_relay.hpp"
#include "probes/families.hpp"
#include "probes/spread.hpp"

namespace ctxbench {

namespace {

enum : std::uint32_t { kInitiatorTurn = 0, kPartnerTurn = 1, kStop = 2 };

// The measuring thread wakes at least this often from a futex sleep to see a stop request.
constexpr std::uint64_t kStopCheckNs = 100'000'000;

// What every task of the session reaches: one channel and one round-trip count per pair, each on its own
// cache line so the pairs share nothing but the kernel.
struct alignas(64) PairState {
  std::atomic<std::uint32_t> word{kInitiatorTurn};  // futex twin
  std::atomic<std::uint64_t> round_trips{0};
  UniqueFd a_write, a_read, b_read, b_write;  // pipe version: A -> B and B -> A
};

struct Pairs {
  explicit Pairs(std::size_t n) : pair(n) {}
  std::vector<PairState> pair;
  std::atomic<bool> stop{false};
};

// The futex initiator's half of a round trip without exceptions (a pair thread's loop): false once stopped.
bool futex_round_trip(PairState& s) noexcept {
  s.word.store(kPartnerTurn, std::memory_order_release);
  futex_wake_errno(&s.word, false);
  for (;;) {
    const std::uint32_t v = s.word.load(std::memory_order_acquire);
    if (v == kInitiatorTurn) return true;
    if (v == kStop) return false;
    futex_wait_errno(&s.word, v, false, 0);
  }
}

int futex_partner(PairState& s) noexcept {
  for (;;) {
    std::uint32_t v = s.word.load(std::memory_order_acquire);
    if (v == kStop) return 0;
    if (v == kPartnerTurn) {
      if (s.word.compare_exchange_strong(v, kInitiatorTurn, std::memory_order_acq_rel))
        futex_wake_errno(&s.word, false);
      continue;
    }
    futex_wait_errno(&s.word, v, false, 0);
  }
}

bool pipe_round_trip(PairState& s) noexcept {
  char c = 'x';
  return write_full(s.a_write.get(), &c, 1, always_retry) == 0 && read_full(s.a_read.get(), &c, 1, always_retry) == 0;
}

class PairsSession final : public Session {
 public:
  PairsSession(bool futex, std::size_t n, const Placement& placement)
      : futex_(futex), pairs_(std::make_shared<Pairs>(n)), caller_(this_task()) {
    try {
      // Pinned: both tasks of pair k on the k-th CPU from the runner's, one pair per CPU before any CPU holds two.
      for (std::size_t k = 0; k < n; ++k) start_pair(k, spread_cpu(placement, k));
    } catch (...) {
      stop_all();
      throw;
    }
  }

  ~PairsSession() override { stop_all(); }

  void run_ops(std::uint64_t n) override {
    throw_if_stopped();
    OpGuard guard(broken_);
    PairState& s = pairs_->pair[0];
    for (std::uint64_t i = 0; i < n; ++i) {
      if (!futex_) {
        byte_round_trip(s.a_write.get(), s.a_read.get());
        continue;
      }
      s.word.store(kPartnerTurn, std::memory_order_release);
      futex_wake(&s.word, false);
      for (std::uint32_t v; (v = s.word.load(std::memory_order_acquire)) != kInitiatorTurn;) {
        throw_if_stopped();
        futex_wait_for(&s.word, v, false, kStopCheckNs);
      }
    }
    s.round_trips.fetch_add(n, std::memory_order_relaxed);
    guard.done();
  }

  // Pair 0's two tasks: switches_per_op is the measured pair's; every pair's switches are a counter.
  std::vector<TaskId> tasks() const override { return {caller_, partners_.front().task()}; }

  std::optional<SessionCounters> counters(bool) override {
    SessionCounters c;
    double round_trips = 0, switches = 0;
    for (const PairState& s : pairs_->pair) round_trips += static_cast<double>(s.round_trips.load());
    std::vector<TaskId> every = {caller_};
    for (const Partner& p : partners_) every.push_back(p.task());
    for (const Partner& p : initiators_) every.push_back(p.task());
    for (const TaskId& t : every) {
      const SwitchCounts sc = read_switch_counts(t.pid, t.tid);
      switches += static_cast<double>(sc.voluntary + sc.involuntary);
    }
    const CpuTicks ticks = read_cpu_ticks();
    c.totals = {{"wall_ns", static_cast<double>(now_ns())},
                {"pairs_round_trips", round_trips},
                {"pairs_switches", switches},
                {"cpu_ticks", static_cast<double>(ticks.total)},
                {"cpu_idle_ticks", static_cast<double>(ticks.idle)}};
    return c;
  }

 private:
  // Pair k: B always a partner thread; A the measuring thread for pair 0, else a partner thread that runs
  // round trips until the session stops.
  void start_pair(std::size_t k, int cpu) {
    PairState& s = pairs_->pair[k];
    if (!futex_) {
      Pipe to_b = make_pipe(), to_a = make_pipe();
      s.a_write = std::move(to_b.write_end);
      s.b_read = std::move(to_b.read_end);
      s.b_write = std::move(to_a.write_end);
      s.a_read = std::move(to_a.read_end);
    }
    const std::shared_ptr<Pairs> pairs = pairs_;
    const bool futex = futex_;
    partners_.push_back(Partner::start(
        false, cpu,
        [pairs, k, futex] {
          PairState& p = pairs->pair[k];
          return futex ? futex_partner(p) : relay_bytes(p.b_read.get(), p.b_write.get());
        },
        [] {}));  // stop_all() ends it: EOF on its pipe or kStop on its word
    if (k == 0) return;
    initiators_.push_back(Partner::start(
        false, cpu,
        [pairs, k, futex] {
          PairState& p = pairs->pair[k];
          while (!pairs->stop.load(std::memory_order_relaxed)) {
            if (!(futex ? futex_round_trip(p) : pipe_round_trip(p))) return 1;
            p.round_trips.fetch_add(1, std::memory_order_relaxed);
          }
          return 0;
        },
        [pairs] { pairs->stop.store(true, std::memory_order_relaxed); }));
  }

  // Initiators first: each finishes its round trip with a live partner and returns; then every partner is
  // told to end (EOF on its pipe, kStop on its word) and joined. Never throws.
  void stop_all() noexcept {
    pairs_->stop.store(true, std::memory_order_relaxed);
    for (Partner& p : initiators_) p.stop();
    for (PairState& s : pairs_->pair) {
      s.a_write.reset();
      s.word.store(kStop, std::memory_order_release);
      futex_wake_errno(&s.word, false);
    }
    for (Partner& p : partners_) p.stop();
  }

  bool futex_;
  std::shared_ptr<Pairs> pairs_;
  TaskId caller_;
  std::vector<Partner> partners_;    // B of every pair
  std::vector<Partner> initiators_;  // A of pairs 1 ... N-1
  bool broken_ = false;
};

// N = 1, 2, 4 ... up to 4 x the CPUs of the affinity mask, and 4 x CPUs itself (will-it-scale's 1 ... N).

ProbeInfo pairs_info(bool futex, std::size_t n) {
  ProbeInfo info;
  info.measure = Measure::RoundTrip;
  info.name = std::string(futex ? "ctxswitch.pairs.futex" : "ctxswitch.pairs") + "/pairs:" + std::to_string(n);
  info.family = "ctxswitch";
  info.params = {{"pairs", std::to_string(n)}};
  info.op = std::string("one round trip of pair 0 while ") + std::to_string(n) + (n == 1 ? " pair" : " pairs") +
            " of threads ping-pong at once (" +
            (futex ? "FUTEX_WAIT/FUTEX_WAKE_PRIVATE on one word per pair" : "1 B each way over two pipes per pair") +
            "); pinned: pair k's two threads share the k-th CPU of the mask (mod CPUs); every pair's round "
            "trips, switches and the CPUs' idle share are metrics";
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::Unpinned};
  info.expected_switches_per_op = 2;
  info.suites = {"ctxswitch"};
  // --explain follows pair 0's round trip; the other pairs are load, their CPU time a phase of pair 0's wait.
  info.explainable = true;
  info.explain_measured_tasks_only = true;
  return info;
}

}  // namespace

void add_ctxswitch_pairs_probes(ProbeTable& table, const ProbeTableConfig&) {
  for (bool futex : {false, true}) {
    for (std::size_t n : doubling_counts_to_four_per_cpu()) {
      table.push_back(std::make_unique<SimpleProbe>(pairs_info(futex, n),
                                                    [futex, n](const Placement& p) -> std::unique_ptr<Session> {
                                                      return std::make_unique<PairsSession>(futex, n, p);
                                                    }));
    }
  }
}

}  // namespace ctxbench
