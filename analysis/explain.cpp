#include "analysis/explain.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "analysis/explain_faults.hpp"
#include "analysis/explain_missing.hpp"
#include "analysis/statistics.hpp"

namespace ctxbench {

namespace {

enum class MarkKind { Enter, Exit, In, Out, Woken, Wakes, Queued };

// What ends the stretch being named, looking backward from it: the phrase of the stretch's name.
enum class Until { Returns, Wakes, MakesRunnable, Switches };

// Each traced task's timeline, built once per pass: the events that change what the task is doing.
class TraceIndex {
 public:
  explicit TraceIndex(const std::vector<ctxbench_trace_event>& events)
      : events_(events), faults_(fault_intervals(events)) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      const ctxbench_trace_event& e = events[i];
      // Which tasks are the pass's own: a switch names the task on the other side too, traced or not, so
      // only the events the BPF program records for traced tasks alone count.
      if (e.kind == CTXBENCH_EV_SYS_ENTER || e.kind == CTXBENCH_EV_SYS_EXIT || e.kind == CTXBENCH_EV_EXEC ||
          e.kind == CTXBENCH_EV_EXIT)
        traced_.insert(e.tid);
      if (e.kind == CTXBENCH_EV_WAKING || e.kind == CTXBENCH_EV_WAKEUP_NEW || e.kind == CTXBENCH_EV_WAKEUP ||
          e.kind == CTXBENCH_EV_FORK)
        traced_.insert(e.other);
      switch (e.kind) {
        case CTXBENCH_EV_SYS_ENTER:
          add(e.tid, i, MarkKind::Enter);
          break;
        case CTXBENCH_EV_SYS_EXIT:
          add(e.tid, i, MarkKind::Exit);
          break;
        case CTXBENCH_EV_SWITCH:
          add(e.tid, i, MarkKind::Out);
          add(e.other, i, MarkKind::In);
          switches_on_[e.cpu].push_back(i);
          break;
        case CTXBENCH_EV_WAKING:
        case CTXBENCH_EV_WAKEUP_NEW:
          add(e.other, i, MarkKind::Woken);
          add(e.tid, i, MarkKind::Wakes);
          break;
        case CTXBENCH_EV_WAKEUP:
          add(e.other, i, MarkKind::Queued);
          break;
        case CTXBENCH_EV_IPI_SEND:
          ipi_sent_[static_cast<int>(e.arg)].push_back(i);
          break;
        case CTXBENCH_EV_IPI_ENTRY:
          ipi_handled_[static_cast<int>(e.cpu)].push_back(i);
          break;
        case CTXBENCH_EV_SWITCH_DONE:
          if (e.tid > 0) switch_done_[e.tid].push_back(i);
          break;
        default:
          break;
      }
    }
  }
  const ctxbench_trace_event& event(std::size_t i) const { return events_[i]; }
  // The task's page faults in time order (empty when it took none).
  const std::vector<FaultInterval>& faults_of(int tid) const {
    static const std::vector<FaultInterval> none;
    auto it = faults_.find(tid);
    return it == faults_.end() ? none : it->second;
  }
  // One of the pass's own tasks (not merely named by a switch or as a waker).
  bool knows(int tid) const { return tid > 0 && traced_.count(tid) != 0; }

  struct Mark {
    MarkKind kind;
    std::size_t index;  // into the events
  };
  // The task's latest mark before event `bound` whose kind is in `kinds`.
  const Mark* last_before(int tid, std::size_t bound, std::initializer_list<MarkKind> kinds) const {
    auto it = marks_.find(tid);
    if (it == marks_.end()) return nullptr;
    const std::vector<Mark>& m = it->second;
    auto pos = std::lower_bound(m.begin(), m.end(), bound, [](const Mark& a, std::size_t b) { return a.index < b; });
    while (pos != m.begin()) {
      --pos;
      if (std::find(kinds.begin(), kinds.end(), pos->kind) != kinds.end()) return &*pos;
    }
    return nullptr;
  }
  // The first IPI sent to / handled on `cpu` among events [from, to).
  std::optional<std::size_t> first_ipi(bool sent, int cpu, std::size_t from, std::size_t to) const {
    const auto& lists = sent ? ipi_sent_ : ipi_handled_;
    auto it = lists.find(cpu);
    if (it == lists.end()) return std::nullopt;
    auto pos = std::lower_bound(it->second.begin(), it->second.end(), from);
    if (pos == it->second.end() || *pos >= to) return std::nullopt;
    return *pos;
  }
  // The task's latest switch end (SWITCH_DONE) among events (from, to), if any.
  std::optional<std::size_t> switch_done(int tid, std::size_t from, std::size_t to) const {
    auto it = switch_done_.find(tid);
    if (it == switch_done_.end()) return std::nullopt;
    auto pos = std::lower_bound(it->second.begin(), it->second.end(), to);
    if (pos == it->second.begin() || *std::prev(pos) <= from) return std::nullopt;
    return *std::prev(pos);
  }
  // The latest switch on `cpu` before event `index`.
  std::optional<std::size_t> switch_before(unsigned cpu, std::size_t index) const {
    auto it = switches_on_.find(cpu);
    if (it == switches_on_.end()) return std::nullopt;
    auto pos = std::lower_bound(it->second.begin(), it->second.end(), index);
    if (pos == it->second.begin()) return std::nullopt;
    return *std::prev(pos);
  }
  std::size_t first_after(std::uint64_t ts) const {
    return static_cast<std::size_t>(
        std::upper_bound(events_.begin(), events_.end(), ts,
                         [](std::uint64_t t, const ctxbench_trace_event& e) { return t < e.ts_ns; }) -
        events_.begin());
  }

 private:
  void add(int tid, std::size_t i, MarkKind kind) {
    if (tid > 0) marks_[tid].push_back(Mark{kind, i});
  }
  const std::vector<ctxbench_trace_event>& events_;
  std::unordered_map<int, std::vector<FaultInterval>> faults_;
  std::unordered_map<int, std::vector<Mark>> marks_;
  std::unordered_set<int> traced_;
  std::unordered_map<int, std::vector<std::size_t>> ipi_sent_, ipi_handled_, switch_done_;
  std::unordered_map<unsigned, std::vector<std::size_t>> switches_on_;
};

const char* until_phrase(Until until) {
  switch (until) {
    case Until::Returns:
      return "until back in user space";
    case Until::Wakes:
      return "until it wakes the other task";
    case Until::MakesRunnable:
      return "until the new task is runnable";
    case Until::Switches:
      return "until it switches";
  }
  return "";
}

// The stable key beside each phrase (docs/contracts.md, "Schema 2"): snake_case, never reworded.
const char* until_key(Until until) {
  switch (until) {
    case Until::Returns:
      return "until_return";
    case Until::Wakes:
      return "until_wake";
    case Until::MakesRunnable:
      return "until_runnable";
    case Until::Switches:
      return "until_switch";
  }
  return "";
}

// "futex" -> "futex"; "syscall 999" -> "syscall_999": a system call's part of a phase key.
std::string syscall_key(long nr) {
  std::string k = syscall_name(nr);
  std::replace(k.begin(), k.end(), ' ', '_');
  return k;
}

// Walks one op backward from its end along its critical path: from the initiator's clock read at `end`,
// through whatever the op waited for (the task that held the CPU before it was switched in; for an idle
// CPU, the task that woke it), back to the initiator's clock read at `start`. Every stretch of time is
// named once, so the spans add up to end - start.
class OpWalk {
 public:
  OpWalk(const TraceIndex& index, int initiator, std::uint64_t start, std::uint64_t end,
         const std::unordered_set<int>& measured, const std::string& other_side)
      : ix_(index),
        initiator_(initiator),
        start_(start),
        tau_(end),
        bound_(index.first_after(end)),
        tid_(initiator),
        measured_(measured),
        other_side_(other_side) {}

  OpBreakdown run() {
    // At `end` the initiator is in user space (it just read the clock).
    for (int guard = 0; guard < 1'000'000 && tau_ > start_; ++guard) {
      const TraceIndex::Mark* m = ix_.last_before(
          tid_, bound_, {MarkKind::Enter, MarkKind::Exit, MarkKind::In, MarkKind::Out, MarkKind::Wakes});
      if (m == nullptr || ts(*m) <= start_) {
        reached_start(m);
        break;
      }
      const ctxbench_trace_event& e = ix_.event(m->index);
      const std::size_t later = bound_;  // the event after this stretch
      bound_ = m->index;
      if (m->kind == MarkKind::Exit) {
        span("user_space", "user space", e.ts_ns);
        until_ = Until::Returns;
      } else if (m->kind == MarkKind::Enter) {
        span(syscall_key(e.arg) + (until_ == Until::Returns ? "_whole_call" : std::string("_") + until_key(until_)),
             syscall_name(e.arg) + ": " + (until_ == Until::Returns ? "whole system call" : until_phrase(until_)),
             e.ts_ns);
        until_ = Until::Returns;  // before the call the task was in user space: only an Exit or In precedes
      } else if (m->kind == MarkKind::Wakes) {
        const bool created = e.kind == CTXBENCH_EV_WAKEUP_NEW;
        span(syscall_of(m->index, true) + (created ? "_after_runnable_" : "_after_wakeup_") + until_key(until_),
             syscall_of(m->index) + (created ? ": after the new task is runnable, " : ": after the wake-up, ") +
                 until_phrase(until_),
             e.ts_ns);
        until_ = created ? Until::MakesRunnable : Until::Wakes;
      } else if (m->kind == MarkKind::In) {
        // Where the kernel marks the switch's end (docs/METHODOLOGY.md, "The switch itself"), the switch is
        // its own phase, and what follows it starts there.
        const std::optional<std::size_t> done = ix_.switch_done(tid_, m->index, later);
        const bool split = done && ix_.event(*done).ts_ns < tau_;
        const std::uint64_t resumed = split ? ix_.event(*done).ts_ns : e.ts_ns;
        if (in_user_at(m->index))
          span("user_space", "user space", resumed);  // resumed in user space after a preemption
        else
          span(std::string("switched_in_") + until_key(until_), std::string("switched in, ") + until_phrase(until_),
               resumed);
        if (split) span("context_switch", "the switch itself (switched in, until the scheduler returns)", e.ts_ns);
        if (!before_switch_in(*m)) break;
      } else {
        // Running after its own switch-out with no switch-in between: the switch-in event is lost.
        return broken();
      }
    }
    return finished();
  }

 private:
  std::uint64_t ts(const TraceIndex::Mark& m) const { return ix_.event(m.index).ts_ns; }

  // The walk reached the op's start in the current task. The initiator is in user space there (it just
  // read the clock). Another task is still busy with the previous op (a cross-cpu partner returning from
  // the system call that woke the initiator): named as such. A task with no event before: unattributed.
  void reached_start(const TraceIndex::Mark* m) {
    if (tid_ == initiator_ && (m == nullptr || m->kind == MarkKind::Exit || m->kind == MarkKind::In)) {
      span("user_space", "user space", start_);
      return;
    }
    if (m == nullptr || tid_ == initiator_) {
      span(kUnattributedKey, kUnattributed, start_);
      out_.followed = false;
      return;
    }
    const ctxbench_trace_event& e = ix_.event(m->index);
    switch (m->kind) {
      case MarkKind::Exit:
        span("other_task_user_space", "the other task, still in user space from the previous op", start_);
        break;
      case MarkKind::Enter:
        span(syscall_key(e.arg) + "_other_task_in_call",
             syscall_name(e.arg) + ": the other task, still in it from the previous op", start_);
        break;
      case MarkKind::Wakes:
        span(syscall_of(m->index, true) + "_other_task_after_wakeup",
             syscall_of(m->index) + ": the other task, after its wake-up of the previous op", start_);
        break;
      default:
        span("other_task_running", "the other task, still running from the previous op", start_);
        break;
    }
  }

  // The system call the task was in at event `index` (its name, or its key); "kernel" when none is known.
  std::string syscall_of(std::size_t index, bool key = false) const {
    const TraceIndex::Mark* enter = ix_.last_before(tid_, index, {MarkKind::Enter});
    if (enter == nullptr) return "kernel";
    const long nr = static_cast<long>(ix_.event(enter->index).arg);
    return key ? syscall_key(nr) : syscall_name(nr);
  }
  // Whether `tid` was in sched_yield at event `index`: it gave the CPU up, nobody took it.
  bool yielding(int tid, std::size_t index) const {
    const TraceIndex::Mark* m = ix_.last_before(tid, index, {MarkKind::Enter, MarkKind::Exit});
    return m != nullptr && m->kind == MarkKind::Enter && syscall_name(ix_.event(m->index).arg) == "sched_yield";
  }

  // Whether the task was in user space at event `index` (its last Enter/Exit before it was an Exit).
  // No such event: a task that is switched in was blocked, i.e. in the kernel.
  bool in_user_at(std::size_t index) const {
    const TraceIndex::Mark* m = ix_.last_before(tid_, index, {MarkKind::Enter, MarkKind::Exit});
    return m != nullptr && m->kind == MarkKind::Exit;
  }

  // Names [from, tau) (clipped at the op's start) and moves tau back to it. The current task's timed page
  // faults inside it are named as such (docs/METHODOLOGY.md, "Page faults"), the rest as `key`.
  void span(const std::string& key, const std::string& phase, std::uint64_t from) {
    const std::uint64_t lo = std::max(from, start_);
    const std::vector<FaultInterval>& faults = ix_.faults_of(tid_);
    // The last fault starting before tau, then backward while they end after lo.
    auto f = std::lower_bound(faults.begin(), faults.end(), tau_,
                              [](const FaultInterval& i, std::uint64_t t) { return i.start < t; });
    while (f != faults.begin()) {
      --f;
      if (f->end <= lo) break;
      if (f->end == f->start) continue;  // counted, not timed
      const std::uint64_t fault_end = std::min(f->end, tau_), fault_start = std::max(f->start, lo);
      name(key, phase, fault_end);
      if (f->kernel)
        name("page_faults_kernel", "page faults in the kernel", fault_start);
      else
        name("page_faults_user", "page faults in user space", fault_start);
    }
    name(key, phase, lo);
  }
  void name(const std::string& key, const std::string& phase, std::uint64_t lo) {
    if (tau_ > lo) {
      // The other side's stretches carry its label: a server's work is not the client's user space.
      // Missing events are the walk's, not a side's: kUnattributedKey stays one key.
      const bool labelled = !other_side_.empty() && tid_ != initiator_ && key != kUnattributedKey;
      std::string k = labelled ? other_side_ + "_" + key : key;
      if (!out_.spans.empty() && out_.spans.back().key == k)
        out_.spans.back().ns += tau_ - lo;
      else
        out_.spans.push_back(PhaseSpan{std::move(k), labelled ? other_side_ + ": " + phase : phase, tau_ - lo});
    }
    tau_ = lo;
  }

  // The walk went backward: put spans and hand-offs in time order.
  OpBreakdown finished() {
    std::reverse(out_.spans.begin(), out_.spans.end());
    std::reverse(out_.wake_to_run_ns.begin(), out_.wake_to_run_ns.end());
    std::reverse(out_.queued_to_run_ns.begin(), out_.queued_to_run_ns.end());
    return out_;
  }

  OpBreakdown broken() {
    span(kUnattributedKey, kUnattributed, start_);
    out_.followed = false;
    return finished();
  }

  // The task was switched in at `in`. Before that it waited: for the task that had the CPU (followed
  // from the switch), or, on an idle CPU, for the wake-up to reach it (named, then the waker is
  // followed). False when the walk is over.
  bool before_switch_in(const TraceIndex::Mark& in) {
    std::size_t sw_index = in.index;
    const ctxbench_trace_event* sw = &ix_.event(in.index);
    const TraceIndex::Mark* cause = ix_.last_before(tid_, in.index, {MarkKind::Woken, MarkKind::Out});
    if (cause != nullptr && cause->kind == MarkKind::Out && ix_.event(cause->index).arg != 0 &&
        ix_.event(cause->index).arg != CTXBENCH_SWITCH_PREEMPTED) {
      // It blocked; a wake-up may have raced with the switch-out (woken while still on its CPU, after its
      // previous switch-in): that wake-up is the cause.
      const TraceIndex::Mark* raced = ix_.last_before(tid_, cause->index, {MarkKind::Woken});
      const TraceIndex::Mark* previous_in = ix_.last_before(tid_, cause->index, {MarkKind::In});
      if (raced != nullptr && (previous_in == nullptr || raced->index > previous_in->index)) cause = raced;
    }
    const ctxbench_trace_event* woken =
        cause != nullptr && cause->kind == MarkKind::Woken ? &ix_.event(cause->index) : nullptr;
    if (woken != nullptr && woken->ts_ns >= start_) {
      out_.wake_to_run_ns.push_back(sw->ts_ns - woken->ts_ns);
      const TraceIndex::Mark* queued = ix_.last_before(tid_, in.index, {MarkKind::Queued});
      if (queued != nullptr && queued->index > cause->index)
        out_.queued_to_run_ns.push_back(sw->ts_ns - ix_.event(queued->index).ts_ns);
    }
    if (woken != nullptr && is_load(sw->tid)) {
      // Load tasks held the CPU up to the switch-in: one phase, never followed. Before their stretch, the
      // CPU is named as usual from the switch that began it; a stretch since the wake-up leads to the waker.
      const std::optional<std::size_t> began = load_began(sw->cpu, sw_index, woken->ts_ns);
      span(kBehindLoadKey, "runnable: the probe's load tasks had the CPU",
           began ? ix_.event(*began).ts_ns : woken->ts_ns);
      if (!began) return follow_waker(*woken, cause->index);
      sw_index = *began;
      sw = &ix_.event(sw_index);
    }
    const int prev = sw->tid;
    // Switched out still runnable: preempted (also at a return to user space with a reschedule pending,
    // where the kernel does not call it preemption), or yielded.
    const bool prev_preempted = sw->arg == CTXBENCH_SWITCH_PREEMPTED || (sw->arg == 0 && !yielding(prev, sw_index));
    if (prev != 0 && prev != tid_ && ix_.knows(prev) && !is_load(prev) && !prev_preempted) {
      // A traced task had the CPU and gave it up (blocked or yielded): the op waited for it. Follow it
      // back from the switch.
      tid_ = prev;
      bound_ = sw_index;
      until_ = Until::Switches;
      return true;
    }
    if (cause == nullptr) {
      span(kUnattributedKey, kUnattributed, start_);
      out_.followed = false;
      return false;
    }
    if (woken == nullptr) {
      const long long state = ix_.event(cause->index).arg;
      if (state != 0 && state != CTXBENCH_SWITCH_PREEMPTED) {  // blocked, switched in without a wake-up: lost
        span(kUnattributedKey, kUnattributed, start_);
        out_.followed = false;
        return false;
      }
      span("runnable_preempted", "runnable: another task had the CPU (preempted or yielded)",
           ix_.event(cause->index).ts_ns);
      bound_ = cause->index;
      until_ = Until::Switches;
      return tau_ > start_;
    }
    if (prev == 0 || prev_preempted) {
      // The wake-up had to reach the CPU: an idle one wakes, a busy one preempts what it runs; through an
      // IPI to it, handled on it, when the kernel sent one.
      const std::string cpu_state = prev == 0 ? "idle CPU" : "busy CPU";
      const std::string cpu_key = prev == 0 ? "idle_cpu" : "busy_cpu";
      const int cpu = static_cast<int>(sw->cpu);
      const auto sent = ix_.first_ipi(true, cpu, cause->index, sw_index);
      const auto handled = ix_.first_ipi(false, cpu, sent ? *sent : cause->index, sw_index);
      if (handled) {
        span(cpu_key + "_ipi_handled_until_switch_in", cpu_state + ": IPI handled, until switched in",
             ix_.event(*handled).ts_ns);
        if (sent)
          span(cpu_key + "_ipi_sent_until_handled", cpu_state + ": IPI sent, until handled", ix_.event(*sent).ts_ns);
      } else if (sent) {
        span(cpu_key + "_ipi_sent_until_switch_in", cpu_state + ": IPI sent, until switched in",
             ix_.event(*sent).ts_ns);
      }
      if (sent)
        span("woken_until_ipi_sent", "woken, until the IPI is sent", woken->ts_ns);
      else if (handled)
        span("woken_until_ipi_handled", "woken, until an IPI is handled", woken->ts_ns);
      else if (prev == 0)
        span("woken_idle_cpu_no_ipi", "woken, idle CPU switches it in (no IPI)", woken->ts_ns);
      else
        span("woken_until_preempted_no_ipi", "woken, until the running task is preempted (no IPI)", woken->ts_ns);
    } else {
      span("runnable_other_task", "runnable: another task had the CPU", woken->ts_ns);
    }
    return follow_waker(*woken, cause->index);
  }

  // The walk reached the wake-up (event `woken_index`): on to the task that woke, unless the op is over.
  bool follow_waker(const ctxbench_trace_event& woken, std::size_t woken_index) {
    if (tau_ <= start_) return false;
    if (!ix_.knows(woken.tid)) {
      span("woken_from_outside", "woken from outside the traced tasks", start_);
      out_.followed = false;
      return false;
    }
    tid_ = woken.tid;
    bound_ = woken_index;
    until_ = woken.kind == CTXBENCH_EV_WAKEUP_NEW ? Until::MakesRunnable : Until::Wakes;
    return true;
  }

  // A traced task outside the measured ones (when the probe names them): load running beside the op.
  bool is_load(int tid) const { return !measured_.empty() && tid > 0 && ix_.knows(tid) && !measured_.count(tid); }

  // The switch on `cpu` that began the stretch of load tasks ending at switch `index`: the latest earlier
  // switch whose outgoing task is not load. None when load held the CPU since `since` (the wake-up).
  std::optional<std::size_t> load_began(unsigned cpu, std::size_t index, std::uint64_t since) const {
    for (std::optional<std::size_t> p = ix_.switch_before(cpu, index); p; p = ix_.switch_before(cpu, *p)) {
      const ctxbench_trace_event& e = ix_.event(*p);
      if (e.ts_ns <= since) return std::nullopt;
      if (!is_load(e.tid)) return p;
    }
    return std::nullopt;
  }

  const TraceIndex& ix_;
  int initiator_;
  std::uint64_t start_, tau_;
  std::size_t bound_;  // the current task's marks before this event index are in the past of tau_
  int tid_;
  const std::unordered_set<int>& measured_;  // empty: every traced task is on the path
  const std::string& other_side_;            // the label of every task but the initiator; empty: none
  Until until_ = Until::Returns;
  OpBreakdown out_;
};

double percentile_of(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return quantile_sorted(v, q);
}

}  // namespace

OpBreakdown break_down_op(const std::vector<ctxbench_trace_event>& events, int initiator_tid, std::uint64_t start,
                          std::uint64_t end, const std::vector<int>& measured, const std::string& other_side) {
  const TraceIndex index(events);
  const std::unordered_set<int> scope(measured.begin(), measured.end());
  return OpWalk(index, initiator_tid, start, end, scope, other_side).run();
}

Explanation explain_pass(std::vector<ctxbench_trace_event> events, std::uint64_t lost_events,
                         const std::vector<std::uint64_t>& op_windows, int initiator_tid, std::uint64_t inner_ops,
                         const TraceNames& names, double tail_quantile, const std::vector<int>& measured,
                         const std::string& other_side) {
  Explanation x;
  x.events = events.size();
  x.lost_events = lost_events;
  x.ops = op_windows.size() / 2;
  if (x.ops == 0) {
    x.status = ExplainStatus::NoOps;
    x.reason_key = "no_ops";
    x.reason = "the traced pass timed no op";
    return x;
  }
  const double inner = static_cast<double>(std::max<std::uint64_t>(inner_ops, 1));
  std::vector<double> op_ns;
  for (std::size_t i = 0; i + 1 < op_windows.size(); i += 2)
    op_ns.push_back(static_cast<double>(op_windows[i + 1] - op_windows[i]) / inner);
  x.traced_median_ns = percentile_of(op_ns, 0.5);
  if (refuse_lost_or_sort(x, lost_events, "ops", events)) return x;
  const TraceIndex index(events);
  const std::unordered_set<int> scope(measured.begin(), measured.end());
  std::vector<OpBreakdown> breakdowns;
  breakdowns.reserve(x.ops);
  for (std::size_t op = 0; op < x.ops; ++op)
    breakdowns.push_back(
        OpWalk(index, initiator_tid, op_windows[2 * op], op_windows[2 * op + 1], scope, other_side).run());
  summarize_ops(x, breakdowns, op_windows, events, inner_ops, names, tail_quantile, measured);
  return x;
}

void summarize_ops(Explanation& x, const std::vector<OpBreakdown>& breakdowns,
                   const std::vector<std::uint64_t>& op_windows, const std::vector<ctxbench_trace_event>& events,
                   std::uint64_t inner_ops, const TraceNames& names, double tail_quantile,
                   const std::vector<int>& measured, const std::vector<std::vector<TailCause>>& more_causes) {
  x.ops = breakdowns.size();
  x.followed = 0;
  const double inner = static_cast<double>(std::max<std::uint64_t>(inner_ops, 1));
  std::vector<double> op_ns;
  for (std::size_t i = 0; i < x.ops; ++i)
    op_ns.push_back(static_cast<double>(op_windows[2 * i + 1] - op_windows[2 * i]) / inner);
  x.traced_median_ns = percentile_of(op_ns, 0.5);
  if (x.ops == 0) return;
  std::vector<std::string> order;                        // phase keys, in the order they first occur
  std::map<std::string, std::string> text_of;            // key -> phase text
  std::map<std::string, std::vector<double>> per_phase;  // key -> ns per op (only ops that have it)
  std::vector<double> hand_offs, queued;
  for (std::size_t op = 0; op < x.ops; ++op) {
    const OpBreakdown& b = breakdowns[op];
    if (b.followed) ++x.followed;
    std::map<std::string, double> sums;
    for (const PhaseSpan& s : b.spans) {
      if (!per_phase.count(s.key) && !sums.count(s.key)) order.push_back(s.key);
      text_of.emplace(s.key, s.phase);
      sums[s.key] += static_cast<double>(s.ns) / inner;
    }
    for (const auto& [phase, ns] : sums) {
      std::vector<double>& v = per_phase[phase];
      v.resize(op, 0.0);  // ops before this one that did not have the phase
      v.push_back(ns);
    }
    for (std::uint64_t h : b.wake_to_run_ns) hand_offs.push_back(static_cast<double>(h));
    for (std::uint64_t q : b.queued_to_run_ns) queued.push_back(static_cast<double>(q));
  }
  const double mean_op = std::accumulate(op_ns.begin(), op_ns.end(), 0.0) / static_cast<double>(op_ns.size());
  for (const std::string& key : order) {
    std::vector<double>& v = per_phase[key];
    const double present = static_cast<double>(std::count_if(v.begin(), v.end(), [](double d) { return d > 0; }));
    v.resize(x.ops, 0.0);
    PhaseSummary s;
    s.key = key;
    s.phase = text_of[key];
    s.mean_ns = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    s.median_ns = percentile_of(v, 0.5);
    s.p99_ns = percentile_of(v, 0.99);
    s.share = mean_op > 0 ? s.mean_ns / mean_op : 0;
    s.present = present / static_cast<double>(x.ops);
    x.phases.push_back(s);
  }
  std::vector<PhasePerOp> phases_per_op;
  for (const std::string& key : order) phases_per_op.push_back(PhasePerOp{key, text_of[key], per_phase[key]});
  OpCauses causes = causes_per_op(events, names, op_windows, inner_ops, measured);
  for (std::size_t i = 0; i < more_causes.size() && i < causes.named.size(); ++i) {
    causes.named[i].insert(causes.named[i].end(), more_causes[i].begin(), more_causes[i].end());
    share_overlaps(causes.named[i], inner);  // the model's causes claim time beside the events' ones
  }
  x.tail = explain_tail(op_ns, phases_per_op, causes.named, tail_quantile, causes.silent, inner_ops);
  x.explained_fraction = named_share(*x.tail, false);
  const FaultCounts faults = fault_counts(fault_intervals(events), op_windows, inner_ops);
  x.faults = faults.faults;
  x.faults_timed = faults.timed;
  const double ops = static_cast<double>(x.ops);
  x.user_faults_per_op = std::accumulate(faults.user.begin(), faults.user.end(), 0.0) / ops;
  x.kernel_faults_per_op = std::accumulate(faults.kernel.begin(), faults.kernel.end(), 0.0) / ops;
  x.user_faults_per_op_median = percentile_of(faults.user, 0.5);
  x.kernel_faults_per_op_median = percentile_of(faults.kernel, 0.5);
  x.hand_offs = hand_offs.size();
  if (!hand_offs.empty()) {
    x.wake_to_run_median_ns = percentile_of(hand_offs, 0.5);
    x.wake_to_run_mean_ns =
        std::accumulate(hand_offs.begin(), hand_offs.end(), 0.0) / static_cast<double>(hand_offs.size());
  }
  if (!queued.empty()) {
    x.queued_to_run_median_ns = percentile_of(queued, 0.5);
    x.queued_to_run_mean_ns = std::accumulate(queued.begin(), queued.end(), 0.0) / static_cast<double>(queued.size());
  }
  if (x.followed * 10 < x.ops * 9) {
    x.status = ExplainStatus::Incomplete;
    x.reason_key = "ops_not_followed";
    x.reason = "only " + std::to_string(x.followed) + " of " + std::to_string(x.ops) +
               " traced ops could be followed from end to start (kernel events missing or from outside the "
               "traced tasks); their unfollowed time is named \"" +
               kUnattributed + "\" or \"woken from outside\"";
  }
}

Explanation explanation_not_run(ExplainStatus status, std::string reason_key, std::string reason) {
  Explanation x;
  x.status = status;
  x.reason_key = std::move(reason_key);
  x.reason = std::move(reason);
  return x;
}

bool refuse_lost_or_sort(Explanation& x, std::uint64_t lost_events, std::string_view followed,
                         std::vector<ctxbench_trace_event>& events) {
  if (lost_events > 0) {
    x.status = ExplainStatus::LostEvents;
    x.reason_key = "lost_events";
    x.reason = std::to_string(lost_events) + " kernel events were lost (the ring buffer was full): the " +
               std::string(followed) + " cannot be followed, so no breakdown is given";
    return true;
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const ctxbench_trace_event& a, const ctxbench_trace_event& b) { return a.ts_ns < b.ts_ns; });
  x.inferred_switches = infer_missing_switches(events);
  return false;
}

double named_share(const TailExplanation& t, bool tail_ops) {
  const double total = tail_ops ? t.tail_op_ns : t.median_op_ns;
  if (total <= 0) return 0;
  double named = 0;
  for (const TailPhase& p : t.phases)
    if (p.key != kUnattributedKey) named += tail_ops ? p.tail_ns : p.median_ns;
  return named / total;
}

std::string explain_status_name(ExplainStatus status) {
  switch (status) {
    case ExplainStatus::Ok:
      return "ok";
    case ExplainStatus::LostEvents:
      return "lost_events";
    case ExplainStatus::NoOps:
      return "no_ops";
    case ExplainStatus::Incomplete:
      return "incomplete";
    case ExplainStatus::Skipped:
      return "skipped";
    case ExplainStatus::Failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace ctxbench
