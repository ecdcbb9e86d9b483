#include "analysis/explain_timer.hpp"

#include <algorithm>
#include <string>

namespace ctxbench {

namespace {

// The local timer interrupt's IRQ_ENTRY / IRQ_EXIT carry irq -1 (engine/explain/explain.bpf.c).
constexpr long long kLocalTimer = -1;

// Names consecutive stretches from `from` on, each up to a boundary; a boundary before the last one (an
// interrupt that started before the tick and expired several timers) gives an empty stretch, none passes
// `end`: the spans add up to end - from exactly.
class Chain {
 public:
  Chain(std::uint64_t from, std::uint64_t end) : at_(from), end_(end) {}
  void to(const char* key, const char* phase, std::uint64_t t) {
    const std::uint64_t lo = std::min(std::max(t, at_), end_);
    if (lo > at_) out_.spans.push_back(PhaseSpan{key, phase, lo - at_});
    at_ = lo;
  }
  std::uint64_t at() const { return at_; }
  OpBreakdown& out() { return out_; }

 private:
  std::uint64_t at_, end_;
  OpBreakdown out_;
};

// Index of the first event at or after `ts`.
std::size_t first_at(const std::vector<ctxbench_trace_event>& events, std::uint64_t ts) {
  return static_cast<std::size_t>(
      std::lower_bound(events.begin(), events.end(), ts,
                       [](const ctxbench_trace_event& e, std::uint64_t t) { return e.ts_ns < t; }) -
      events.begin());
}

template <typename Pred>
std::optional<std::size_t> find_forward(const std::vector<ctxbench_trace_event>& events, std::size_t from,
                                        std::size_t to, Pred pred) {
  for (std::size_t i = from; i < to; ++i)
    if (pred(events[i])) return i;
  return std::nullopt;
}

}  // namespace

IdleIndex::IdleIndex(const std::vector<ctxbench_trace_event>& events) {
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].kind == CTXBENCH_EV_IDLE) by_cpu_[events[i].cpu].push_back(i);
}

std::optional<std::size_t> IdleIndex::last_before(unsigned cpu, std::size_t before) const {
  const auto it = by_cpu_.find(cpu);
  if (it == by_cpu_.end()) return std::nullopt;
  const std::vector<std::size_t>& at = it->second;
  const auto after = std::lower_bound(at.begin(), at.end(), before);
  if (after == at.begin()) return std::nullopt;
  return *(after - 1);
}

std::optional<TailCause> late_idle_exit(const std::vector<ctxbench_trace_event>& events, const IdleIndex& idle,
                                        std::size_t fired, std::uint64_t due) {
  if (fired >= events.size()) return std::nullopt;
  const ctxbench_trace_event& irq = events[fired];
  // From the interrupt back, not from the op's window: the timer may be due on a CPU idle since before it.
  const std::optional<std::size_t> last = idle.last_before(irq.cpu, fired);
  if (!last) return std::nullopt;
  const ctxbench_trace_event& e = events[*last];
  if (e.arg < 0 || e.ts_ns > due || irq.ts_ns <= due) return std::nullopt;
  TailCause late{"idle_exit", "idle state " + std::to_string(e.arg), 0, "", static_cast<double>(irq.ts_ns - due), 0, 1};
  late.spans = {Span{due, irq.ts_ns}};  // shared out with any cause beside it (analysis/explain_tail.hpp)
  return late;
}

std::optional<TimerOp> break_down_timer_op(const std::vector<ctxbench_trace_event>& events, int sleeper,
                                           std::uint64_t start, std::uint64_t end) {
  return break_down_timer_op(events, IdleIndex(events), sleeper, start, end);
}

std::optional<TimerOp> break_down_timer_op(const std::vector<ctxbench_trace_event>& events, const IdleIndex& idle,
                                           int sleeper, std::uint64_t start, std::uint64_t end) {
  const std::size_t lo = first_at(events, start);
  const std::size_t hi = std::max(lo, first_at(events, end + 1));
  std::optional<std::size_t> expire;
  for (std::size_t i = lo; i < hi; ++i)
    if (events[i].kind == CTXBENCH_EV_TIMER_EXPIRE && events[i].tid == sleeper) expire = i;
  if (!expire) return std::nullopt;
  const ctxbench_trace_event& x = events[*expire];
  const std::uint64_t tick = static_cast<std::uint64_t>(std::max<long long>(x.arg, 0));
  if (tick < start || tick >= end) return std::nullopt;
  // The timer interrupt running the expiry: the local timer's entry on the expiry's CPU, not yet exited.
  std::optional<std::size_t> irq;
  for (std::size_t i = *expire; i-- > lo;) {
    const ctxbench_trace_event& e = events[i];
    if (e.cpu != x.cpu || e.arg != kLocalTimer) continue;
    if (e.kind == CTXBENCH_EV_IRQ_ENTRY) irq = i;
    if (e.kind == CTXBENCH_EV_IRQ_ENTRY || e.kind == CTXBENCH_EV_IRQ_EXIT) break;
  }
  const auto waking = find_forward(events, *expire, hi, [&](const ctxbench_trace_event& e) {
    return e.kind == CTXBENCH_EV_WAKING && e.other == sleeper;
  });
  const std::size_t after_wake = waking ? *waking : *expire;
  const auto irq_exit =
      irq ? find_forward(events, after_wake, hi,
                         [&](const ctxbench_trace_event& e) {
                           return e.kind == CTXBENCH_EV_IRQ_EXIT && e.cpu == x.cpu && e.arg == kLocalTimer;
                         })
          : std::nullopt;
  const auto switch_in = find_forward(events, after_wake, hi, [&](const ctxbench_trace_event& e) {
    return e.kind == CTXBENCH_EV_SWITCH && e.other == sleeper;
  });
  const auto queued = find_forward(events, after_wake, switch_in ? *switch_in : hi, [&](const ctxbench_trace_event& e) {
    return e.kind == CTXBENCH_EV_WAKEUP && e.other == sleeper;
  });
  const auto sys_exit = find_forward(events, switch_in ? *switch_in : hi, hi, [&](const ctxbench_trace_event& e) {
    return e.kind == CTXBENCH_EV_SYS_EXIT && e.tid == sleeper;
  });

  TimerOp op;
  op.tick = tick;
  Chain c(tick, end);
  const std::uint64_t slack = static_cast<std::uint64_t>(std::max(x.other, 0));
  const std::uint64_t fired = irq ? events[*irq].ts_ns : x.ts_ns;
  if (irq)
    if (auto late = late_idle_exit(events, idle, *irq, tick + slack)) op.causes.push_back(std::move(*late));
  c.to("timer_slack", "timer slack: the kernel may expire the timer this late on purpose",
       std::min(tick + slack, fired));
  if (irq) {
    c.to("timer_irq_latency", "timer interrupt latency: until its handler starts (hardware, idle exit, irqs off)",
         fired);
    c.to("timer_handler_until_expiry", "timer interrupt: its handler, until this timer expires", x.ts_ns);
  } else {
    c.to("timer_no_irq_until_expiry", "until the timer expires (no timer interrupt seen on its CPU)", x.ts_ns);
  }
  if (!waking || !switch_in || !sys_exit) {
    c.to(kUnattributedKey, kUnattributed, end);
    op.breakdown = std::move(c.out());
    op.breakdown.followed = false;
    return op;
  }
  const ctxbench_trace_event& w = events[*waking];
  const ctxbench_trace_event& in = events[*switch_in];
  c.to("timer_expiry_until_wake", "timer expired: its callback, until it wakes the sleeper", w.ts_ns);
  if (irq_exit && events[*irq_exit].ts_ns <= in.ts_ns)
    c.to("timer_handler_after_wake", "timer interrupt: after the wake-up, until its handler returns",
         events[*irq_exit].ts_ns);
  c.to("woken_until_switch_in", "woken, until switched in", in.ts_ns);
  c.to("switched_in_until_return", "switched in, until back in user space", events[*sys_exit].ts_ns);
  c.to("user_space", "user space", end);
  op.breakdown = std::move(c.out());
  op.breakdown.wake_to_run_ns.push_back(in.ts_ns - w.ts_ns);
  if (queued) op.breakdown.queued_to_run_ns.push_back(in.ts_ns - events[*queued].ts_ns);
  return op;
}

Explanation explain_timer_pass(std::vector<ctxbench_trace_event> events, std::uint64_t lost_events,
                               const std::vector<std::uint64_t>& op_windows, int sleeper, const TraceNames& names,
                               double tail_quantile) {
  Explanation x;
  x.events = events.size();
  x.lost_events = lost_events;
  const std::size_t sleeps = op_windows.size() / 2;
  if (sleeps == 0) return explanation_not_run(ExplainStatus::NoOps, "no_ops", "the traced pass timed no op");
  if (refuse_lost_or_sort(x, lost_events, "wake-ups", events)) return x;
  std::vector<OpBreakdown> breakdowns;
  std::vector<std::uint64_t> lateness;  // [tick, end] of each explained wake-up
  std::vector<std::vector<TailCause>> causes;
  const IdleIndex idle(events);
  for (std::size_t i = 0; i < sleeps; ++i) {
    std::optional<TimerOp> op = break_down_timer_op(events, idle, sleeper, op_windows[2 * i], op_windows[2 * i + 1]);
    if (!op) continue;
    lateness.push_back(op->tick);
    lateness.push_back(op_windows[2 * i + 1]);
    breakdowns.push_back(std::move(op->breakdown));
    causes.push_back(std::move(op->causes));
  }
  summarize_ops(x, breakdowns, lateness, events, 1, names, tail_quantile, {}, causes);
  if (breakdowns.size() * 10 < sleeps * 9) {
    x.status = breakdowns.empty() ? ExplainStatus::NoOps : ExplainStatus::Incomplete;
    x.reason_key = "timer_not_seen";
    x.reason = "only " + std::to_string(breakdowns.size()) + " of " + std::to_string(sleeps) +
               " traced sleeps show the sleeper's timer expiring (hrtimer_expire_entry): the others did not sleep "
               "(the tick had passed) or the kernel has no such event";
  }
  return x;
}

}  // namespace ctxbench
