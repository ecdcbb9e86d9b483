#!/usr/bin/env python3
"""Reads `perf script -F pid,tid,cpu,time,event,trace` text of a system-wide `perf record -a` of sched:sched_switch,
sched:sched_waking, sched:sched_wakeup_new, sched:sched_process_exit, syscalls:sys_enter_futex and sys_exit_futex
over one run of `perf bench futex wake-parallel` or of peers/futex_wake_once.c `parallel ... fresh-wakers`
(results/futex/wakepar_trace.sh), and says what each waker's timed call spent its time on.
Both tools run the same way (docs/METHODOLOGY.md, "perf's `wake-parallel` figure against the peer given its thread
life"): per run the main thread (PID) creates the waiters, sleeps 100 ms, then creates W fresh wakers, each of which
times one FUTEX_WAKE with its own clock reads; a run's figure is the mean of the W times. Here a run starts at each
sleep of the main thread of at least 50 ms; its waiters are the threads the main thread created before that sleep
(since the previous one), its wakers those it created after it. A waker's timed call is its FUTEX_WAKE that woke a
waiter of its run; its window runs from that call's entry to its exit, or, if the waker is switched out runnable
within LAG_US after the exit (the return to user space, before its closing clock read), to where it is back on a CPU.
Per window: time on its CPU, and for each time it was off, what ran on the CPU it left: its own woken waiter, another
waiter of the run, another waker, the main thread, idle, or another task, and whether a waiter ended its thread
(switched out dead) there. The run's figure from the trace is the mean window; TOOL_OUTPUT (perf's `[Run N] ... in X
ms` lines or the peer's `values:` line, ns) gives the tool's own figure per run, paired in order, which splits the runs
into slow (above SPLIT_US, default 15) and fast. Usage: wakepar_trace.py SCHED_TEXT[.gz] PID TOOL_OUTPUT [SPLIT_US]"""
import bisect
import collections
import gzip
import re
import statistics
import sys

LAG_US = 5.0
LINE = re.compile(r"^\s*(-?\d+)/(-?\d+)\s+\[(\d+)\]\s+([\d.]+):\s+\w+:(\w+):\s*(.*)$")
SWITCH = re.compile(r"prev_comm=(.*) prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+)")
PID = re.compile(r"comm=(.*) pid=(\d+)")
FUTEX = re.compile(r"uaddr: (0x[0-9a-f]+), op: (0x[0-9a-f]+), val: (0x[0-9a-f]+)")
KINDS = ("on CPU", "own waiter", "other waiters", "other wakers", "main thread", "idle", "other tasks")


def parse(path):
    """[(time s, cpu, tid, event, fields)] in file order (perf script sorts by time)."""
    out = []
    for m in map(LINE.match, (gzip.open(path, "rt") if path.endswith(".gz") else open(path))):
        if not m:
            continue
        _, tid, cpu, t, ev, rest = m.groups()
        if ev == "sched_switch":
            s = SWITCH.search(rest)
            f = (int(s.group(2)), s.group(3), int(s.group(5)), s.group(4)) if s else None
        elif ev in ("sched_waking", "sched_wakeup_new", "sched_process_exit"):
            f = int(PID.search(rest).group(2))
        elif ev == "sys_enter_futex":
            f = tuple(int(x, 16) for x in FUTEX.search(rest).groups())
        else:
            f = rest.strip()
        out.append((float(t), int(cpu), int(tid), ev, f))
    return out


def runs_of(events, main):
    """[(waiters, wakers, the sleep's end)] per sleep of the main thread of at least 50 ms, from the threads it created."""
    sleeps, born, out_at = [], [], None
    for t, _, tid, ev, f in events:
        if ev == "sched_switch" and f[0] == main and f[1].startswith("S"):
            out_at = t
        elif ev == "sched_switch" and f[2] == main and out_at is not None:
            if t - out_at >= 0.05:
                sleeps.append((out_at, t))
            out_at = None
        elif ev == "sched_wakeup_new" and tid == main:
            born.append((t, f))
    bounds = [(-1.0, -1.0)] + sleeps + [(float("inf"), float("inf"))]
    return [({p for t, p in born if bounds[k][1] < t < bounds[k + 1][0]},
             {p for t, p in born if bounds[k + 1][1] < t < bounds[k + 2][0]}, bounds[k + 1][1])
            for k in range(len(sleeps))]


def index(events):
    """{tid: [event indices]}: the events a thread emits and the switches it leaves or enters."""
    by_tid = collections.defaultdict(list)
    for i, (_, _, tid, ev, f) in enumerate(events):
        for who in {tid} | ({f[0], f[2]} if ev == "sched_switch" else set()):
            by_tid[who].append(i)
    return by_tid


def timed_window(events, mine, waker, waiters):
    """(entry, exit or back-on-CPU time, woken waiters, CPU at entry) of the waker's FUTEX_WAKE that woke a waiter, or None;
    mine: the indices of the waker's events."""
    entry, woken = None, set()
    for j, i in enumerate(mine):
        t, _, _, ev, f = events[i]
        if ev == "sys_enter_futex" and f[1] & 0x7F == 1:
            entry, woken, cpu = t, set(), events[i][1]
        elif ev == "sched_waking" and entry is not None and f in waiters:
            woken.add(f)
        elif ev == "sys_exit_futex" and entry is not None:
            if woken:
                return entry, end_of_window([events[x] for x in mine[j + 1:]], t, waker), woken, cpu
            entry = None
    return None


def end_of_window(later, exit_t, waker):
    """The exit time, or the waker's return to a CPU if it is switched out runnable within LAG_US after it;
    later: the waker's events after its exit."""
    if not later or later[0][3] != "sched_switch" or later[0][4][0] != waker:
        return exit_t
    t, f = later[0][0], later[0][4]
    if not f[1].startswith("R") or (t - exit_t) * 1e6 > LAG_US:
        return exit_t
    return next((t2 for t2, _, _, ev2, f2 in later[1:] if ev2 == "sched_switch" and f2[2] == waker), exit_t)


def split_window(events, mine, by_cpu, waker, start, end, roles):
    """{kind: us} of the window ("other tasks" also by command), how often the waker left its CPU, how many waiters
    ended their thread on the CPU it left while it was off, and {kind: times} of the task it left its CPU for."""
    spent, exits, out, left, left_for = collections.Counter(), 0, None, 0, collections.Counter()
    for t, cpu, _, ev, f in (events[i] for i in mine):
        if ev != "sched_switch" or not start <= t <= end:
            continue
        if f[0] == waker:
            out, left = (t, cpu), left + 1  # out: (time, CPU) the waker left at
            left_for[roles(f[2])] += 1
        elif f[2] == waker and out is not None:
            times, sw = by_cpu[out[1]]
            seg = sw[bisect.bisect_left(times, out[0]):bisect.bisect_right(times, t)]
            for (a, fa), (b, fb) in zip(seg, seg[1:] + [(t, None)]):
                kind = roles(fa[2])
                spent[kind] += (b - a) * 1e6
                if kind == "other tasks":
                    spent[f"other: {fa[3]}"] += (b - a) * 1e6
                exits += fb is not None and fb[1].startswith("X") and roles(fb[0]) in KINDS[1:3]
            out = None
    spent["on CPU"] = (end - start) * 1e6 - sum(spent[kind] for kind in KINDS[1:])
    return spent, left, exits, left_for


def tool_values(path):
    """The tool's per-run figures in us: perf's `[Run N] ... in X ms` or the peer's `values:` (ns)."""
    text = open(path).read()
    perf = [float(x) * 1000 for x in re.findall(r"\[Run \d+\]: .* in ([0-9.]+) ms", text)]
    peer = re.search(r"values: ([0-9 ]+)", text)
    return perf or ([int(x) / 1000 for x in peer.group(1).split()] if peer else [])


def thread_end(events, mine, tid):
    """(us from running after its last sleep to switched out dead, us on a CPU of it) of a waiter, or None."""
    back, on, ran = None, None, 0.0
    for t, _, _, ev, f in (events[i] for i in mine):
        if ev != "sched_switch":
            continue
        if f[2] == tid:
            back, on = back if back is not None else t, t
        elif f[0] == tid and f[1].startswith("S"):
            back, on, ran = None, None, 0.0
        elif f[0] == tid and on is not None:
            ran, on = ran + t - on, None
            if f[1].startswith("X"):
                return (t - back) * 1e6, ran * 1e6
    return None


def releaser(events, by_tid, main_tid, wakers, since):
    """The thread that released the run's barrier (the first FUTEX_WAKE of all, INT_MAX, after the sleep, which
    glibc's pthread_barrier_wait makes in the last thread to arrive), or None."""
    wakes = [(events[i][0], tid) for tid in [main_tid, *wakers] for i in by_tid[tid]
             if events[i][0] > since and events[i][3] == "sys_enter_futex" and events[i][4][1] & 0x7F == 1
             and events[i][4][2] == 0x7FFFFFFF]
    return min(wakes)[1] if wakes else None


def run_row(events, by_tid, by_cpu, main_tid, waiters, wakers, since):
    """One run: (timed calls, switch-outs, wakers switched out, waiter exits, timed calls per CPU, {kind: us summed
    over its wakers}, [thread_end of each waiter], {kind: times a waker left its CPU for it}, barrier releaser,
    [(the call's order on its CPU in the run or "releaser", its window in us if it left its CPU, else None)])."""
    total, left, preempted, exits, n, cpus = collections.Counter(), 0, 0, 0, 0, collections.Counter()
    left_for, calls, rel = collections.Counter(), [], releaser(events, by_tid, main_tid, wakers, since)
    for w in sorted(wakers):
        window = timed_window(events, by_tid[w], w, waiters)
        if window is None:
            continue
        start, end, woken, cpu = window

        def roles(p):
            return ("own waiter" if p in woken else "other waiters" if p in waiters else "other wakers"
                    if p in wakers else "main thread" if p == main_tid else "idle" if p == 0 else "other tasks")
        spent, w_left, w_exits, w_for = split_window(events, by_tid[w], by_cpu, w, start, end, roles)
        total.update(spent)
        left_for.update(w_for)
        left, preempted, exits, n = left + w_left, preempted + (w_left > 0), exits + w_exits, n + 1
        cpus[cpu] += 1
        calls.append((start, cpu, w, (end - start) * 1e6 if w_left else None))
    order, orders = collections.Counter(), []
    for _, cpu, w, off_window in sorted(calls):
        order[cpu] += 1
        orders.append(("releaser" if w == rel else order[cpu], off_window))
    ends = [e for e in (thread_end(events, by_tid[p], p) for p in waiters) if e]
    return (n, left, preempted, exits, cpus, total, ends, left_for,
            "none" if rel is None else "main thread" if rel == main_tid else "waker", orders)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    events, main_tid = parse(sys.argv[1]), int(sys.argv[2])
    split = float(sys.argv[4]) if len(sys.argv) == 5 else 15.0
    by_tid, by_cpu = index(events), {}
    for t, cpu, _, ev, f in events:
        if ev == "sched_switch":
            by_cpu.setdefault(cpu, ([], []))[0].append(t)
            by_cpu[cpu][1].append((t, f))
    values = tool_values(sys.argv[3])
    rows = [run_row(events, by_tid, by_cpu, main_tid, *run) for run in runs_of(events, main_tid)]
    print(f"{len(rows)} runs in the trace, {len(values)} in the tool's output"
          f"{'' if len(rows) == len(values) else ' (paired in order: the counts differ)'}" + (
              f"; the tool's figure (mean of its runs) {statistics.mean(values):.1f} us, median"
              f" {statistics.median(values):.1f} us, slow (above {split:g} us) {sum(v > split for v in values)}"
              if values else ""))
    print("run  tool us  trace us  timed  timed per CPU  left CPU  wakers left  waiter exits  us per waker: "
          + ", ".join(KINDS))
    for k, (n, left, pre, ex, cpus, total, *_) in enumerate(rows):
        tool = f"{values[k]:7.1f}" if k < len(values) else "      -"
        per_cpu = "/".join(str(cpus[c]) for c in sorted(by_cpu))
        print(f"{k + 1:3d}  {tool}  {sum(total[x] for x in KINDS) / max(n, 1):8.1f}  {n:5d}  {per_cpu:13s}  {left:8d}"
              f"  {pre:11d}  {ex:12d}  " + " ".join(f"{total[x] / max(n, 1):.1f}" for x in KINDS))
    paired = list(zip(values, rows))
    for name, group in (("slow", [r for v, r in paired if v > split]), ("fast", [r for v, r in paired if v <= split])):
        summary(f"{name} runs (tool {'above' if name == 'slow' else 'at most'} {split:g} us)",
                [v for v, r in paired if (v > split) == (name == "slow")], group)
    by_order = collections.defaultdict(list)
    for r in rows:
        for label, off_window in r[9]:
            by_order[label].append(off_window)
    print("timed calls that left their CPU, by the call's order on its CPU in its run (the barrier's releaser apart),"
          " and the median window of those: " + ", ".join(
              f"{x} {len(off)}/{len(by_order[x])}" + (f" ({statistics.median(off):.0f} us)" if off else "")
              for x, off in ((x, [u for u in by_order[x] if u is not None])
                             for x in sorted(by_order, key=lambda x: (x != "releaser", str(x))))))


def summary(name, values, group):
    """Means per run over GROUP; the kinds per waker add up to the trace's figure."""
    if not group:
        print(f"{name}: none")
        return
    per_waker = collections.Counter()
    for n, _, _, _, _, total, *_ in group:
        per_waker.update({x: us / max(n, 1) / len(group) for x, us in total.items()})
    trace = [sum(r[5][x] for x in KINDS) / max(r[0], 1) for r in group]
    others = sorted(((us, x[7:]) for x, us in per_waker.items() if x.startswith("other: ")), reverse=True)[:3]
    print(f"{name}: {len(group)}; tool median {statistics.median(values):.1f} mean {statistics.mean(values):.1f} us,"
          f" trace median {statistics.median(trace):.1f} mean {statistics.mean(trace):.1f} us; per run"
          f" {statistics.mean(r[2] for r in group):.1f} wakers left their CPU ({statistics.mean(r[1] for r in group):.1f}"
          f" times), {statistics.mean(r[3] for r in group):.1f} waiters ended their thread there meanwhile")
    ends = [e for r in group for e in r[6]]
    if ends:
        print(f"  {len(ends)} waiters' thread ends (running after the wake to gone): median"
              f" {statistics.median(e[0] for e in ends):.1f} us, on a CPU {statistics.median(e[1] for e in ends):.1f} us")
    left_for, released = collections.Counter(), collections.Counter(r[8] for r in group)
    for r in group:
        left_for.update(r[7])
    print("  a waker left its CPU for: " + ", ".join(f"{x} {left_for[x]}" for x in KINDS[1:] if left_for[x])
          + f"; the barrier released by: " + ", ".join(f"{x} {c}" for x, c in sorted(released.items())))
    print("  mean us per waker: " + ", ".join(f"{x} {per_waker[x]:.1f}" for x in KINDS)
          + ("; other tasks: " + ", ".join(f"{c} {us:.1f}" for us, c in others) if others else ""))


if __name__ == "__main__":
    main()
