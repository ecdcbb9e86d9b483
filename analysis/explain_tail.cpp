#include "analysis/explain_tail.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "analysis/explain_faults.hpp"

namespace ctxbench {

namespace {

struct Interval {
  std::uint64_t start = 0, end = 0;
  long long what = 0;  // irq number / softirq vector / fault mode (0 user, 1 kernel)
  int tid = 0;         // the task interrupted, or the faulting task
};

std::uint64_t overlap(std::uint64_t a0, std::uint64_t a1, std::uint64_t b0, std::uint64_t b1) {
  const std::uint64_t lo = std::max(a0, b0), hi = std::min(a1, b1);
  return hi > lo ? hi - lo : 0;
}

// Intervals sorted by start and disjoint (so also sorted by end): the first one ending after `t`.
std::vector<Interval>::const_iterator first_ending_after(const std::vector<Interval>& v, std::uint64_t t) {
  return std::upper_bound(v.begin(), v.end(), t, [](std::uint64_t x, const Interval& i) { return x < i.end; });
}

std::vector<Interval>::const_iterator first_starting_at(const std::vector<Interval>& v, std::uint64_t t) {
  return std::lower_bound(v.begin(), v.end(), t, [](const Interval& i, std::uint64_t x) { return i.start < x; });
}

// Time of the disjoint intervals `v` inside [a, b].
std::uint64_t covered(const std::vector<Interval>& v, std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum = 0;
  for (auto it = first_ending_after(v, a); it != v.end() && it->start < b; ++it)
    sum += overlap(it->start, it->end, a, b);
  return sum;
}

// The parts of [a, b] inside the disjoint intervals `v`, appended to `out`.
void covered_spans(const std::vector<Interval>& v, std::uint64_t a, std::uint64_t b, std::vector<Span>& out) {
  for (auto it = first_ending_after(v, a); it != v.end() && it->start < b; ++it)
    if (overlap(it->start, it->end, a, b) > 0) out.push_back(Span{std::max(it->start, a), std::min(it->end, b)});
}

// [a, b] less the spans `taken` (any order, may overlap).
std::vector<Span> outside(std::uint64_t a, std::uint64_t b, std::vector<Span> taken) {
  std::sort(taken.begin(), taken.end(), [](const Span& x, const Span& y) { return x.start < y.start; });
  std::vector<Span> out;
  std::uint64_t t = a;
  for (const Span& x : taken) {
    if (x.start > t) out.push_back(Span{t, x.start});
    t = std::max(t, x.end);
  }
  if (b > t) out.push_back(Span{t, b});
  return out;
}

// Entry/exit pairs of one kind per CPU (interrupts do not nest on Linux; a missing exit closes at the next entry).
void pair_up(std::unordered_map<unsigned, std::vector<Interval>>& out, std::unordered_map<unsigned, Interval>& open,
             const ctxbench_trace_event& e, bool entry) {
  if (entry) {
    open[e.cpu] = Interval{e.ts_ns, e.ts_ns, e.arg, e.tid};
    return;
  }
  auto it = open.find(e.cpu);
  if (it == open.end()) return;
  it->second.end = e.ts_ns;
  out[e.cpu].push_back(it->second);
  open.erase(it);
}

// The pass, indexed by CPU and task for the per-op sums.
class CauseIndex {
 public:
  CauseIndex(const std::vector<ctxbench_trace_event>& events, const TraceNames& names, const std::vector<int>& measured)
      : names_(names), measured_(measured.begin(), measured.end()) {
    std::unordered_map<unsigned, Interval> irq_open, softirq_open;
    std::unordered_map<int, std::uint64_t> runnable_since;
    std::unordered_map<unsigned, std::vector<Interval>> waiting;
    for (const ctxbench_trace_event& e : events) note_traced(e);
    for (const ctxbench_trace_event& e : events) {
      marks_[e.cpu].push_back(Mark{e.ts_ns, e.kind});
      switch (e.kind) {
        case CTXBENCH_EV_WAKING:
        case CTXBENCH_EV_WAKEUP_NEW:
          if (on_path(e.other)) runnable_since.emplace(e.other, e.ts_ns);  // already runnable: the earlier time stands
          break;
        case CTXBENCH_EV_SWITCH: {
          switches_[e.cpu].push_back({e.ts_ns, e.other});
          // A traced task switched out still runnable (preempted, or yielded): it waits from here.
          if (on_path(e.tid) && (e.arg == 0 || e.arg == CTXBENCH_SWITCH_PREEMPTED)) runnable_since[e.tid] = e.ts_ns;
          auto w = runnable_since.find(e.other);
          if (w != runnable_since.end()) {
            if (e.ts_ns > w->second) waiting[e.cpu].push_back(Interval{w->second, e.ts_ns, 0, e.other});
            runnable_since.erase(w);
          }
          break;
        }
        case CTXBENCH_EV_IRQ_ENTRY:
        case CTXBENCH_EV_IRQ_EXIT:
          pair_up(irqs_, irq_open, e, e.kind == CTXBENCH_EV_IRQ_ENTRY);
          break;
        case CTXBENCH_EV_SOFTIRQ_ENTRY:
        case CTXBENCH_EV_SOFTIRQ_EXIT:
          pair_up(softirqs_, softirq_open, e, e.kind == CTXBENCH_EV_SOFTIRQ_ENTRY);
          break;
        case CTXBENCH_EV_MIGRATE:
          if (on_path(e.other)) migrations_.push_back(Interval{e.ts_ns, e.ts_ns, e.arg, e.other});
          break;
        default:
          break;
      }
    }
    for (const auto& [tid, list] : fault_intervals(events))
      for (const FaultInterval& f : list)
        if (on_path(f.tid)) {
          faults_.push_back(Interval{f.start, f.end, f.kernel ? 1 : 0, f.tid});
          faults_by_task_[f.tid].push_back(faults_.back());
        }
    std::sort(faults_.begin(), faults_.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
    // Two traced tasks waiting for one CPU at once: the CPU's time counts once.
    for (auto& [cpu, list] : waiting) {
      std::sort(list.begin(), list.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
      std::vector<Interval>& merged = waiting_[cpu];
      for (const Interval& i : list) {
        if (!merged.empty() && i.start <= merged.back().end)
          merged.back().end = std::max(merged.back().end, i.end);
        else
          merged.push_back(i);
      }
    }
    for (int t : traced_) {
      auto n = names_.tasks.find(t);
      if (n != names_.tasks.end() && n->second.tgid > 0) traced_processes_.insert(n->second.tgid);
    }
  }

  std::vector<TailCause> causes(std::uint64_t s, std::uint64_t e, double inner) const {
    std::map<std::tuple<std::string, std::string, int>, TailCause> sum;
    // A cause's spans inside [s, e]; its ns is shared out below, once every cause of the op is known.
    auto add = [&](const std::string& kind, const std::string& name, int pid, const std::string& klass,
                   const std::vector<Span>& spans, std::uint64_t count) {
      std::vector<Span> inside;
      for (const Span& sp : spans)
        if (overlap(sp.start, sp.end, s, e) > 0) inside.push_back(Span{std::max(sp.start, s), std::min(sp.end, e)});
      if (inside.empty() && count == 0) return;
      TailCause& c = sum[{kind, name, pid}];
      c.kind = kind;
      c.name = name;
      c.pid = pid;
      c.klass = klass;
      c.spans.insert(c.spans.end(), inside.begin(), inside.end());
      c.count += count;
    };
    interrupts(irqs_, "irq", s, e, add);
    interrupts(softirqs_, "softirq", s, e, add);
    for (const auto& [cpu, list] : waiting_) {
      for (auto w = first_ending_after(list, s); w != list.end() && w->start < e; ++w)
        ran_instead(cpu, std::max(w->start, s), std::min(w->end, e), add);
    }
    // Faults of different tasks may overlap: from the one before the first starting in the window.
    auto f = first_starting_at(faults_, s);
    if (f != faults_.begin()) --f;
    for (; f != faults_.end() && f->start < e; ++f)
      // By mode, not by task: a creation probe faults in a new child every op.
      add("page_fault", f->what == 0 ? "user" : "kernel", 0, "", {Span{f->start, f->end}}, f->start >= s ? 1 : 0);
    for (auto m = first_starting_at(migrations_, s); m != migrations_.end() && m->start < e; ++m)
      add("migration", "to cpu " + std::to_string(m->what), m->tid, "ours", {}, 1);
    std::vector<TailCause> out;
    for (auto& [key, c] : sum) out.push_back(std::move(c));
    share_overlaps(out, inner);
    return out;
  }

  // Between two consecutive events of one CPU inside [s, e], while a traced task ran there and nothing named
  // (an interrupt, a softirq, a fault of that task, timed or not, a traced task waiting for the CPU) was under way.
  std::vector<SilentStretch> silent(std::uint64_t s, std::uint64_t e) const {
    std::vector<SilentStretch> out;
    for (const auto& [cpu, marks] : marks_) {
      auto sw = switches_.find(cpu);
      if (sw == switches_.end()) continue;
      auto it =
          std::lower_bound(marks.begin(), marks.end(), s, [](const Mark& m, std::uint64_t t) { return m.ts < t; });
      for (; it != marks.end() && std::next(it) != marks.end() && std::next(it)->ts <= e; ++it) {
        const std::uint64_t a = it->ts, b = std::next(it)->ts;
        if (b <= a || it->kind == CTXBENCH_EV_FAULT) continue;
        const int running = running_at(sw->second, a);
        // A traced task waiting for this CPU meanwhile already names the running one ("task" cause).
        if (running <= 0 || !on_path(running) || overlaps(irqs_, cpu, a, b) || overlaps(softirqs_, cpu, a, b) ||
            overlaps(waiting_, cpu, a, b))
          continue;
        auto f = faults_by_task_.find(running);
        if (f != faults_by_task_.end() && covered(f->second, a, b) > 0) continue;
        out.push_back(SilentStretch{a, b});
      }
    }
    return out;
  }

 private:
  struct Switch {
    std::uint64_t ts;
    int next;
  };
  struct Mark {
    std::uint64_t ts;
    std::uint32_t kind;
  };

  // Who ran on a CPU at `t`, from its switches: -1 before the pass's first switch there (unknown), 0 idle.
  static int running_at(const std::vector<Switch>& list, std::uint64_t t) {
    auto it = std::upper_bound(list.begin(), list.end(), t, [](std::uint64_t x, const Switch& w) { return x < w.ts; });
    return it == list.begin() ? -1 : std::prev(it)->next;
  }

  static bool overlaps(const std::unordered_map<unsigned, std::vector<Interval>>& by_cpu, unsigned cpu, std::uint64_t a,
                       std::uint64_t b) {
    auto it = by_cpu.find(cpu);
    return it != by_cpu.end() && covered(it->second, a, b) > 0;
  }

  // The pass's own tasks, by the events recorded for traced tasks alone (as analysis/explain.cpp decides).
  void note_traced(const ctxbench_trace_event& e) {
    switch (e.kind) {
      case CTXBENCH_EV_SYS_ENTER:
      case CTXBENCH_EV_SYS_EXIT:
      case CTXBENCH_EV_EXEC:
      case CTXBENCH_EV_EXIT:
      case CTXBENCH_EV_FAULT:
        traced_.insert(e.tid);
        break;
      case CTXBENCH_EV_WAKING:
      case CTXBENCH_EV_WAKEUP_NEW:
      case CTXBENCH_EV_WAKEUP:
      case CTXBENCH_EV_FORK:
      case CTXBENCH_EV_MIGRATE:
        traced_.insert(e.other);
        break;
      default:
        break;
    }
  }

  // A task whose lost time counts: a traced one, or only the measured ones when the probe names them (the
  // others are load, docs/METHODOLOGY.md "Many pairs, explained": their own waits are not the op's).
  bool on_path(int tid) const { return measured_.empty() ? traced_.count(tid) != 0 : measured_.count(tid) != 0; }

  bool ours(int tid) const {
    if (traced_.count(tid)) return true;
    auto n = names_.tasks.find(tid);
    return n != names_.tasks.end() && traced_processes_.count(n->second.tgid) != 0;
  }

  // An interrupt counts for the time it took from a traced task: one running (it interrupted it) or one
  // waiting for that CPU.
  template <typename Add>
  void interrupts(const std::unordered_map<unsigned, std::vector<Interval>>& by_cpu, const std::string& kind,
                  std::uint64_t s, std::uint64_t e, Add& add) const {
    for (const auto& [cpu, list] : by_cpu) {
      auto w = waiting_.find(cpu);
      for (auto it = first_ending_after(list, s); it != list.end() && it->start < e; ++it) {
        const std::uint64_t a = std::max(it->start, s), b = std::min(it->end, e);
        std::vector<Span> lost;
        if (on_path(it->tid) && b > a)
          lost.push_back(Span{a, b});
        else if (w != waiting_.end())
          covered_spans(w->second, a, b, lost);
        if (!lost.empty()) add(kind, name_of(kind, it->what), 0, "", lost, 1);
      }
    }
  }

  std::string name_of(const std::string& kind, long long what) const {
    if (kind == "softirq") return softirq_name(what);
    auto n = names_.irqs.find(what);
    if (n != names_.irqs.end() && !n->second.empty()) return n->second;
    return what < 0 ? "local_timer" : "irq " + std::to_string(what);
  }

  // While a traced task waited for `cpu` over [a, b]: whoever the CPU ran instead, less the interrupts
  // (named on their own); an idle CPU is the wake-up still on its way.
  template <typename Add>
  void ran_instead(unsigned cpu, std::uint64_t a, std::uint64_t b, Add& add) const {
    auto sw = switches_.find(cpu);
    if (sw == switches_.end()) return;
    const std::vector<Switch>& list = sw->second;
    auto it = std::upper_bound(list.begin(), list.end(), a, [](std::uint64_t t, const Switch& x) { return t < x.ts; });
    if (it == list.begin()) return;  // what ran before the pass's first switch here is unknown
    std::uint64_t t = a;
    int running = std::prev(it)->next;
    while (t < b) {
      const std::uint64_t until = it != list.end() ? std::min(it->ts, b) : b;
      if (until > t) {
        std::vector<Span> interrupted;
        for (const auto* by_cpu : {&irqs_, &softirqs_}) {
          auto irq = by_cpu->find(cpu);
          if (irq != by_cpu->end()) covered_spans(irq->second, t, until, interrupted);
        }
        const std::vector<Span> ns = outside(t, until, interrupted);
        if (running == 0) {
          add("wakeup_wait", "CPU idle, waking up", 0, "", ns, 0);
        } else {
          auto n = names_.tasks.find(running);
          const bool kthread = n != names_.tasks.end() && n->second.kernel_thread;
          add("task", n != names_.tasks.end() ? n->second.comm : "pid " + std::to_string(running), running,
              ours(running) ? "ours"
              : kthread     ? "kernel_thread"
                            : "other_process",
              ns, 1);
        }
      }
      if (it == list.end() || it->ts >= b) break;
      t = it->ts;
      running = it->next;
      ++it;
    }
  }

  const TraceNames& names_;
  std::unordered_set<int> traced_, traced_processes_, measured_;
  std::unordered_map<unsigned, std::vector<Switch>> switches_;
  std::unordered_map<unsigned, std::vector<Interval>> irqs_, softirqs_, waiting_;
  std::unordered_map<unsigned, std::vector<Mark>> marks_;  // every event's time, per CPU
  std::unordered_map<int, std::vector<Interval>> faults_by_task_;
  std::vector<Interval> faults_, migrations_;
};

double mean_over(const std::vector<double>& v, const std::vector<std::size_t>& ops) {
  double s = 0;
  for (std::size_t i : ops) s += i < v.size() ? v[i] : 0;
  return ops.empty() ? 0 : s / static_cast<double>(ops.size());
}

// The longest silent stretch of the median ops: a tail op's silent stretches count beyond it (so the median
// ops have none by construction).
std::uint64_t longest_silent(const std::vector<std::vector<SilentStretch>>& silent,
                             const std::vector<std::size_t>& middle) {
  std::uint64_t longest = 0;
  for (std::size_t i : middle)
    if (i < silent.size())
      for (const SilentStretch& st : silent[i]) longest = std::max(longest, st.end - st.start);
  return longest;
}

// One tail op's causes with its silent stretches beyond `longest` as the cause "silent", the time they claim
// together shared out (two CPUs silent at once are one stretch of the op's time; a silent stretch while a
// cause ran on the other CPU is split between the two).
std::vector<TailCause> with_silent(std::vector<TailCause> causes, const std::vector<SilentStretch>& silent,
                                   std::uint64_t longest, double inner) {
  TailCause quiet{"silent", "no event while our task ran", 0, "", 0, 0, 0};
  for (const SilentStretch& st : silent)
    if (st.end - st.start > longest) quiet.spans.push_back(Span{st.start + longest, st.end});
  if (quiet.spans.empty()) return causes;
  quiet.count = quiet.spans.size();
  causes.push_back(std::move(quiet));
  share_overlaps(causes, inner);
  return causes;
}

}  // namespace

void share_overlaps(std::vector<TailCause>& causes, double inner) {
  struct Edge {
    std::uint64_t t;
    std::size_t cause;
    bool opens;
  };
  std::vector<Edge> edges;
  for (std::size_t i = 0; i < causes.size(); ++i)
    for (const Span& sp : causes[i].spans)
      if (sp.end > sp.start) {
        edges.push_back(Edge{sp.start, i, true});
        edges.push_back(Edge{sp.end, i, false});
      }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.t < b.t; });
  std::vector<std::size_t> depth(causes.size(), 0);
  std::vector<double> ns(causes.size(), 0);
  std::size_t active = 0;  // causes with depth > 0
  for (std::size_t k = 0; k < edges.size(); ++k) {
    if (k > 0 && active > 0 && edges[k].t > edges[k - 1].t) {
      const double piece = static_cast<double>(edges[k].t - edges[k - 1].t) / static_cast<double>(active);
      for (std::size_t i = 0; i < causes.size(); ++i)
        if (depth[i] > 0) ns[i] += piece;
    }
    const std::size_t i = edges[k].cause;
    if (edges[k].opens) {
      if (depth[i]++ == 0) ++active;
    } else if (--depth[i] == 0) {
      --active;
    }
  }
  for (std::size_t i = 0; i < causes.size(); ++i)
    if (!causes[i].spans.empty()) causes[i].ns = ns[i] / inner;
}

OpCauses causes_per_op(const std::vector<ctxbench_trace_event>& events, const TraceNames& names,
                       const std::vector<std::uint64_t>& op_windows, std::uint64_t inner_ops,
                       const std::vector<int>& measured) {
  const CauseIndex index(events, names, measured);
  const double inner = static_cast<double>(std::max<std::uint64_t>(inner_ops, 1));
  OpCauses out;
  for (std::size_t i = 0; i + 1 < op_windows.size(); i += 2) {
    out.named.push_back(index.causes(op_windows[i], op_windows[i + 1], inner));
    out.silent.push_back(index.silent(op_windows[i], op_windows[i + 1]));
  }
  return out;
}

TailExplanation explain_tail(const std::vector<double>& op_ns, const std::vector<PhasePerOp>& phases,
                             const std::vector<std::vector<TailCause>>& causes, double quantile,
                             const std::vector<std::vector<SilentStretch>>& silent, std::uint64_t inner_ops) {
  TailExplanation t;
  t.quantile = quantile;
  const std::size_t n = op_ns.size();
  if (n == 0) return t;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return op_ns[a] < op_ns[b]; });
  const std::size_t k =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(quantile * static_cast<double>(n) - 1e-9)), 1, n);
  const std::vector<std::size_t> tail(order.end() - static_cast<std::ptrdiff_t>(k), order.end());
  // The median op, as a set: the ops between the 45th and 55th percentile (the middle one when few).
  std::size_t lo = static_cast<std::size_t>(std::floor(0.45 * static_cast<double>(n)));
  std::size_t hi = static_cast<std::size_t>(std::ceil(0.55 * static_cast<double>(n)));
  if (hi <= lo) {
    lo = n / 2;
    hi = lo + 1;
  }
  const std::vector<std::size_t> middle(order.begin() + static_cast<std::ptrdiff_t>(lo),
                                        order.begin() + static_cast<std::ptrdiff_t>(std::min(hi, n)));
  t.ops_in_tail = k;
  t.median_ops = middle.size();
  t.median_op_ns = mean_over(op_ns, middle);
  t.tail_op_ns = mean_over(op_ns, tail);
  t.excess_ns = t.tail_op_ns - t.median_op_ns;
  for (const PhasePerOp& p : phases) {
    TailPhase tp{p.key, p.phase, mean_over(p.ns, middle), mean_over(p.ns, tail), 0};
    tp.excess_ns = tp.tail_ns - tp.median_ns;
    if (tp.median_ns > 0 || tp.tail_ns > 0) t.phases.push_back(tp);
  }
  std::stable_sort(t.phases.begin(), t.phases.end(),
                   [](const TailPhase& a, const TailPhase& b) { return a.excess_ns > b.excess_ns; });
  // Each cause in the tail, less the same cause in the median ops: what the tail has more of.
  std::map<std::tuple<std::string, std::string, int>, TailCause> in_tail;
  std::map<std::tuple<std::string, std::string, int>, double> in_middle;
  const std::uint64_t longest = silent.empty() ? 0 : longest_silent(silent, middle);
  const double inner = static_cast<double>(std::max<std::uint64_t>(inner_ops, 1));
  t.silent_threshold_ns = static_cast<double>(longest) / inner;
  for (std::size_t i : tail) {
    const std::vector<TailCause> none;
    const std::vector<TailCause>& given = i < causes.size() ? causes[i] : none;
    for (const TailCause& c : i < silent.size() ? with_silent(given, silent[i], longest, inner) : given) {
      TailCause& s = in_tail[{c.kind, c.name, c.pid}];
      if (s.kind.empty()) s = TailCause{c.kind, c.name, c.pid, c.klass, 0, 0, 0};
      s.ns += c.ns;
      s.count += c.count;
    }
  }
  for (std::size_t i : middle)
    if (i < causes.size())
      for (const TailCause& c : causes[i]) in_middle[{c.kind, c.name, c.pid}] += c.ns;
  double named = 0;
  for (auto& [key, c] : in_tail) {
    c.ns = c.ns / static_cast<double>(k) - in_middle[key] / static_cast<double>(middle.size());
    named += c.ns;
    t.causes.push_back(c);
  }
  std::stable_sort(t.causes.begin(), t.causes.end(),
                   [](const TailCause& a, const TailCause& b) { return a.ns > b.ns; });
  t.causes.push_back(TailCause{"unnamed", "not inside a named cause", 0, "", t.excess_ns - named, 0, 0});
  for (TailCause& c : t.causes) c.share = t.excess_ns > 0 ? c.ns / t.excess_ns : 0;
  return t;
}

std::string softirq_name(long long vec) {
  static const char* const kNames[] = {"HI",       "TIMER",   "NET_TX", "NET_RX",  "BLOCK",
                                       "IRQ_POLL", "TASKLET", "SCHED",  "HRTIMER", "RCU"};
  if (vec >= 0 && vec < static_cast<long long>(sizeof kNames / sizeof *kNames)) return kNames[vec];
  return "vector " + std::to_string(vec);
}

}  // namespace ctxbench
