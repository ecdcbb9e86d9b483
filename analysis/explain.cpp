#include "analysis/explain.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <numeric>
#include <unordered_map>

#include "analysis/statistics.hpp"

namespace ctxbench {

namespace {

enum class MarkKind { Enter, Exit, In, Out, Woken };

// Where a task's segment ends, looking backward: what the walk came from decides the segment's name.
enum class Until { Exit, Wakes, MakesRunnable, GivesUp };

// A task's timeline, built once per pass: for each traced task, the events that change its state.
class TraceIndex {
 public:
  explicit TraceIndex(const std::vector<ctxbench_trace_event>& events) : events_(events) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      const ctxbench_trace_event& e = events[i];
      switch (e.kind) {
        case CTXBENCH_EV_SYS_ENTER: add(e.tid, i, MarkKind::Enter); break;
        case CTXBENCH_EV_SYS_EXIT: add(e.tid, i, MarkKind::Exit); break;
        case CTXBENCH_EV_SWITCH:
          add(e.tid, i, MarkKind::Out);
          add(e.other, i, MarkKind::In);
          break;
        case CTXBENCH_EV_WAKING:
        case CTXBENCH_EV_WAKEUP_NEW: add(e.other, i, MarkKind::Woken); break;
        case CTXBENCH_EV_IPI_SEND: ipi_sent_[static_cast<int>(e.arg)].push_back(i); break;
        case CTXBENCH_EV_IPI_ENTRY: ipi_handled_[static_cast<int>(e.cpu)].push_back(i); break;
        default: break;
      }
    }
  }
  const ctxbench_trace_event& event(std::size_t i) const { return events_[i]; }
  bool knows(int tid) const { return tid > 0 && marks_.count(tid) != 0; }

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
  std::unordered_map<int, std::vector<Mark>> marks_;
  std::unordered_map<int, std::vector<std::size_t>> ipi_sent_, ipi_handled_;
};

std::string syscall_until(long nr, Until until) {
  const std::string name = syscall_name(nr);
  switch (until) {
    case Until::Exit: return name + ": whole system call";
    case Until::Wakes: return name + ": until it wakes the other task";
    case Until::MakesRunnable: return name + ": until the new task is runnable";
    case Until::GivesUp: return name + ": until it gives up the CPU";
  }
  return name;
}

std::string switched_in_until(Until until) {
  switch (until) {
    case Until::Exit: return "switched in, until back in user space";
    case Until::Wakes: return "switched in, until it wakes the other task";
    case Until::MakesRunnable: return "switched in, until the new task is runnable";
    case Until::GivesUp: return "switched in, until it gives up the CPU";
  }
  return "switched in";
}

// Walks one op backward from its end along the chain of wake-ups (the critical path): the initiator's
// clock read at `end`, back through what woke it, what woke that, ..., to the initiator's clock read at
// `start`. Every stretch of time is named once, so the spans add up to end - start.
class OpWalk {
 public:
  OpWalk(const TraceIndex& index, int initiator, std::uint64_t start, std::uint64_t end)
      : ix_(index), initiator_(initiator), start_(start), tau_(end), bound_(index.first_after(end)), tid_(initiator) {}

  OpBreakdown run() {
    bool user = true;
    Until until = Until::Exit;
    for (int guard = 0; guard < 1'000'000 && tau_ > start_; ++guard) {
      if (user) {
        const TraceIndex::Mark* m = ix_.last_before(tid_, bound_, {MarkKind::Exit, MarkKind::In, MarkKind::Out, MarkKind::Enter});
        if (m == nullptr || ts(*m) <= start_) {
          // Reached the op's start in user space: whole only if it is the initiator's.
          span("user space", start_);
          if (tid_ != initiator_) out_.followed = false;
          break;
        }
        if (m->kind == MarkKind::Exit) {
          span("user space", ts(*m));
          move_to(*m);
          user = false;
          until = Until::Exit;
        } else if (m->kind == MarkKind::In) {  // resumed in user space after a preemption
          span("user space", ts(*m));
          if (!before_switch_in(*m, user, until)) break;
        } else {
          return broken();  // running in user space right after a switch-out or a syscall entry: events lost
        }
        continue;
      }
      const TraceIndex::Mark* m = ix_.last_before(tid_, bound_, {MarkKind::Enter, MarkKind::In, MarkKind::Exit, MarkKind::Out});
      if (m == nullptr || ts(*m) < start_ || m->kind == MarkKind::Exit || m->kind == MarkKind::Out) return broken();
      if (m->kind == MarkKind::Enter) {
        span(syscall_until(ix_.event(m->index).arg, until), ts(*m));
        move_to(*m);
        user = true;
      } else {
        span(switched_in_until(until), ts(*m));
        if (!before_switch_in(*m, user, until)) break;
      }
    }
    return finished();
  }

 private:
  // The walk went backward: put spans and hand-offs in time order.
  OpBreakdown finished() {
    std::reverse(out_.spans.begin(), out_.spans.end());
    std::reverse(out_.wake_to_run_ns.begin(), out_.wake_to_run_ns.end());
    return out_;
  }

  std::uint64_t ts(const TraceIndex::Mark& m) const { return ix_.event(m.index).ts_ns; }
  void move_to(const TraceIndex::Mark& m) { bound_ = m.index; }

  // Names [from, tau) (clipped at the op's start) and moves tau back to it.
  void span(const std::string& phase, std::uint64_t from) {
    const std::uint64_t lo = std::max(from, start_);
    if (tau_ > lo) {
      if (!out_.spans.empty() && out_.spans.back().phase == phase)
        out_.spans.back().ns += tau_ - lo;
      else
        out_.spans.push_back(PhaseSpan{phase, tau_ - lo});
    }
    tau_ = lo;
  }

  OpBreakdown broken() {
    span(kUnattributed, start_);
    out_.followed = false;
    return finished();
  }

  // The task was switched in at `in`: name the time it spent runnable before, and continue with whoever
  // made it runnable. False when the walk is over (start reached or events missing).
  bool before_switch_in(const TraceIndex::Mark& in, bool& user, Until& until) {
    const ctxbench_trace_event& sw = ix_.event(in.index);
    const TraceIndex::Mark* cause = ix_.last_before(tid_, in.index, {MarkKind::Woken, MarkKind::Out});
    if (cause == nullptr) {
      broken_in_place();
      return false;
    }
    const ctxbench_trace_event& c = ix_.event(cause->index);
    if (cause->kind == MarkKind::Out) {
      if (c.arg != 0) {  // it blocked, and was switched in without a wake-up: the waking event is lost
        broken_in_place();
        return false;
      }
      span("runnable: other tasks run (yield or preemption)", c.ts_ns);
      if (tau_ <= start_) return false;
      // Was it in a system call when it gave up the CPU?
      const TraceIndex::Mark* mode = ix_.last_before(tid_, cause->index, {MarkKind::Enter, MarkKind::Exit});
      user = mode == nullptr || mode->kind == MarkKind::Exit;
      until = Until::GivesUp;
      bound_ = cause->index;
      return true;
    }
    // Woken at c: how the CPU it was switched in on came to run it.
    const int cpu = static_cast<int>(sw.cpu);
    if (c.ts_ns >= start_) out_.wake_to_run_ns.push_back(sw.ts_ns - c.ts_ns);
    if (sw.tid == 0) {  // the CPU was idle
      const auto sent = ix_.first_ipi(true, cpu, cause->index, in.index);
      const auto handled = ix_.first_ipi(false, cpu, sent ? *sent : cause->index, in.index);
      if (handled) {
        span("idle CPU: IPI handled, until switched in", ix_.event(*handled).ts_ns);
        span(sent ? "idle CPU wakes: IPI sent, until handled" : "idle CPU wakes, until the IPI is handled",
             sent ? ix_.event(*sent).ts_ns : c.ts_ns);
      } else if (sent) {
        span("idle CPU wakes: IPI sent, until switched in", ix_.event(*sent).ts_ns);
      }
      if (sent) span("woken, until the IPI is sent", c.ts_ns);
      span("idle CPU wakes, until switched in", c.ts_ns);  // no IPI seen: a polling idle loop
    } else if (sw.tid == c.tid) {
      span("runnable: the waker runs on, until it switches", c.ts_ns);
    } else {
      span("runnable: waiting for the CPU", c.ts_ns);
    }
    if (tau_ <= start_) return false;
    if (!ix_.knows(c.tid)) {
      span("woken from outside the traced tasks (interrupt or another task)", start_);
      out_.followed = false;
      return false;
    }
    tid_ = c.tid;
    bound_ = cause->index;
    user = false;
    until = c.kind == CTXBENCH_EV_WAKEUP_NEW ? Until::MakesRunnable : Until::Wakes;
    return true;
  }

  void broken_in_place() {
    span(kUnattributed, start_);
    out_.followed = false;
  }

  const TraceIndex& ix_;
  int initiator_;
  std::uint64_t start_, tau_;
  std::size_t bound_;  // marks before this event index are in the past of tau_
  int tid_;
  OpBreakdown out_;
};

double percentile_of(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return quantile_sorted(v, q);
}

}  // namespace

OpBreakdown break_down_op(const std::vector<ctxbench_trace_event>& events, int initiator_tid, std::uint64_t start,
                          std::uint64_t end) {
  const TraceIndex index(events);
  return OpWalk(index, initiator_tid, start, end).run();
}

Explanation explain_pass(std::vector<ctxbench_trace_event> events, std::uint64_t lost_events,
                         const std::vector<std::uint64_t>& op_windows, int initiator_tid, std::uint64_t inner_ops) {
  Explanation x;
  x.events = events.size();
  x.lost_events = lost_events;
  x.ops = op_windows.size() / 2;
  if (x.ops == 0) {
    x.status = ExplainStatus::NoOps;
    x.reason = "the traced pass timed no op";
    return x;
  }
  const double inner = static_cast<double>(std::max<std::uint64_t>(inner_ops, 1));
  std::vector<double> op_ns;
  for (std::size_t i = 0; i + 1 < op_windows.size(); i += 2)
    op_ns.push_back(static_cast<double>(op_windows[i + 1] - op_windows[i]) / inner);
  x.traced_median_ns = percentile_of(op_ns, 0.5);
  if (lost_events > 0) {
    x.status = ExplainStatus::LostEvents;
    x.reason = std::to_string(lost_events) + " kernel events were lost (the ring buffer was full): the ops "
               "cannot be followed, so no breakdown is given";
    return x;
  }
  // One ring buffer fed by every CPU: reservation order is close to, not exactly, time order.
  std::stable_sort(events.begin(), events.end(),
                   [](const ctxbench_trace_event& a, const ctxbench_trace_event& b) { return a.ts_ns < b.ts_ns; });
  const TraceIndex index(events);
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> per_phase;  // phase -> ns per op (only ops that have it)
  std::vector<double> hand_offs;
  for (std::size_t op = 0; op < x.ops; ++op) {
    const OpBreakdown b = OpWalk(index, initiator_tid, op_windows[2 * op], op_windows[2 * op + 1]).run();
    if (b.followed) ++x.followed;
    std::map<std::string, double> sums;
    for (const PhaseSpan& s : b.spans) {
      if (!per_phase.count(s.phase) && !sums.count(s.phase)) order.push_back(s.phase);
      sums[s.phase] += static_cast<double>(s.ns) / inner;
    }
    for (const auto& [phase, ns] : sums) {
      std::vector<double>& v = per_phase[phase];
      v.resize(op, 0.0);  // ops before this one that did not have the phase
      v.push_back(ns);
    }
    for (std::uint64_t h : b.wake_to_run_ns) hand_offs.push_back(static_cast<double>(h));
  }
  const double mean_op = std::accumulate(op_ns.begin(), op_ns.end(), 0.0) / static_cast<double>(op_ns.size());
  double sum_of_medians = 0;
  for (const std::string& phase : order) {
    std::vector<double>& v = per_phase[phase];
    const double present = static_cast<double>(std::count_if(v.begin(), v.end(), [](double d) { return d > 0; }));
    v.resize(x.ops, 0.0);
    PhaseSummary s;
    s.phase = phase;
    s.mean_ns = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    s.median_ns = percentile_of(v, 0.5);
    s.p99_ns = percentile_of(v, 0.99);
    s.share = mean_op > 0 ? s.mean_ns / mean_op : 0;
    s.present = present / static_cast<double>(x.ops);
    if (phase != kUnattributed) sum_of_medians += s.median_ns;
    x.phases.push_back(s);
  }
  x.explained_fraction = x.traced_median_ns > 0 ? sum_of_medians / x.traced_median_ns : 0;
  x.hand_offs = hand_offs.size();
  if (!hand_offs.empty()) {
    x.wake_to_run_median_ns = percentile_of(hand_offs, 0.5);
    x.wake_to_run_mean_ns = std::accumulate(hand_offs.begin(), hand_offs.end(), 0.0) / static_cast<double>(hand_offs.size());
  }
  if (x.followed * 10 < x.ops * 9) {
    x.status = ExplainStatus::Incomplete;
    x.reason = "only " + std::to_string(x.followed) + " of " + std::to_string(x.ops) +
               " traced ops could be followed from end to start (kernel events missing or from outside the "
               "traced tasks); their unfollowed time is named \"" + kUnattributed + "\" or \"woken from outside\"";
  }
  return x;
}

std::string explain_status_name(ExplainStatus status) {
  switch (status) {
    case ExplainStatus::Ok: return "ok";
    case ExplainStatus::LostEvents: return "lost_events";
    case ExplainStatus::NoOps: return "no_ops";
    case ExplainStatus::Incomplete: return "incomplete";
  }
  return "unknown";
}

std::string syscall_name(long nr) {
#if defined(__x86_64__)
  static const std::map<long, const char*> names = {
      {0, "read"},        {1, "write"},      {7, "poll"},         {13, "rt_sigaction"}, {14, "rt_sigprocmask"},
      {23, "select"},     {24, "sched_yield"}, {44, "sendto"},    {45, "recvfrom"},     {46, "sendmsg"},
      {47, "recvmsg"},    {56, "clone"},     {57, "fork"},        {58, "vfork"},        {59, "execve"},
      {60, "exit"},       {61, "wait4"},     {62, "kill"},        {64, "semget"},       {65, "semop"},
      {69, "msgsnd"},     {70, "msgrcv"},    {128, "rt_sigtimedwait"}, {130, "rt_sigsuspend"}, {200, "tkill"},
      {202, "futex"},     {231, "exit_group"}, {232, "epoll_wait"}, {234, "tgkill"},    {242, "mq_timedsend"},
      {243, "mq_timedreceive"}, {247, "waitid"}, {281, "epoll_pwait"}, {435, "clone3"}};
#elif defined(__aarch64__)
  static const std::map<long, const char*> names = {
      {63, "read"},  {64, "write"},   {73, "ppoll"},      {93, "exit"},   {94, "exit_group"}, {98, "futex"},
      {124, "sched_yield"}, {129, "kill"}, {131, "tgkill"}, {183, "mq_timedsend"}, {184, "mq_timedreceive"},
      {188, "msgrcv"}, {189, "msgsnd"}, {193, "semop"}, {206, "sendto"}, {207, "recvfrom"}, {211, "sendmsg"},
      {212, "recvmsg"}, {220, "clone"}, {221, "execve"}, {260, "wait4"}, {435, "clone3"}};
#else
  static const std::map<long, const char*> names;
#endif
  auto it = names.find(nr);
  return it != names.end() ? it->second : "syscall " + std::to_string(nr);
}

}  // namespace ctxbench
