// Where a timer wake-up's lateness went (--explain on wakeup.timer, wakeup.timer.fifo): the time from the
// tick the sleeper asked for to its clock read after waking, split the way cyclictest / rtla timerlat split
// it: timer slack, the timer interrupt's latency, the handler until the expiry, the wake-up, the switch in,
// the return to user space. Pure functions over literal data: tests/explain_timer_test.cpp feeds them
// hand-written event sequences. docs/METHODOLOGY.md, "A timer wake-up, explained".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "analysis/explain.hpp"
#include "engine/explain/trace_event.h"
#include "engine/explain/trace_names.hpp"

namespace ctxbench {

// A pass's IDLE events by CPU (indices into `events`, ascending), built once per pass: the last idle event of a
// CPU before an interrupt is found by binary search, not by scanning back from the interrupt (on a CPU that
// recorded none, that scan ran to the pass's start for every wake-up: ops x events). `events` in time order.
class IdleIndex {
 public:
  explicit IdleIndex(const std::vector<ctxbench_trace_event>& events);
  // The index of the last IDLE event on `cpu` before events[before], if any.
  std::optional<std::size_t> last_before(unsigned cpu, std::size_t before) const;

 private:
  std::map<unsigned, std::vector<std::size_t>> by_cpu_;
};

// One traced op of the sleeper: its window [start, end] holds one sleep. `tick` is set to the time the
// sleeper's timer was set for (its TIMER_EXPIRE event) and the breakdown splits [tick, end]; no expiry in the
// window (the tick had already passed: no sleep) gives std::nullopt. `events` in time order.
// `causes`: the late idle exit (late_idle_exit below) when there was one.
struct TimerOp {
  std::uint64_t tick = 0;
  OpBreakdown breakdown;
  std::vector<TailCause> causes;
};
std::optional<TimerOp> break_down_timer_op(const std::vector<ctxbench_trace_event>& events, const IdleIndex& idle,
                                           int sleeper, std::uint64_t start, std::uint64_t end);
// One op alone: builds the pass's IdleIndex for it (a pass builds it once and calls the overload above).
std::optional<TimerOp> break_down_timer_op(const std::vector<ctxbench_trace_event>& events, int sleeper,
                                           std::uint64_t start, std::uint64_t end);

// The cause "idle_exit" of a timer wake-up (docs/METHODOLOGY.md, "A timer wake-up, explained"): the CPU the
// timer was due on was in an idle state when it was due (`due`, the hard expiry) and left it only for the timer
// interrupt, whose handler started at events[fired] (IDLE events: engine/explain/trace_event.h). Its last IDLE
// event before the interrupt entered a state at or before `due` (an exit or another entry in between: it woke
// for something else); the cause is [due, the interrupt], named by the state. std::nullopt otherwise, also
// when the pass recorded no IDLE events. `events` in time order, `idle` built from them.
std::optional<TailCause> late_idle_exit(const std::vector<ctxbench_trace_event>& events, const IdleIndex& idle,
                                        std::size_t fired, std::uint64_t due);

// The traced pass of a timer wake-up probe: each window's lateness [tick, end] explained. Lost events give
// LostEvents and no phases; more than 1 in 10 windows without an expiry gives Incomplete. Events need not
// be sorted.
Explanation explain_timer_pass(std::vector<ctxbench_trace_event> events, std::uint64_t lost_events,
                               const std::vector<std::uint64_t>& op_windows, int sleeper, const TraceNames& names = {},
                               double tail_quantile = 0.01);

}  // namespace ctxbench
