#!/usr/bin/env python3
"""Reads `perf script -F comm,pid,tid,cpu,time,event,trace` text of sched:sched_switch events recorded over runs
of one futex_wake_parallel shape (results/futex/wake_parallel_lag.sh) and prints per session (one set of N waiter
and W waker threads: a ctxbench repetition or one peer process, found as wake_parallel_sessions.py finds them:
the threads of a COMM process that sleep at least 50 times, in tid order, N waiters then W wakers) how long its
threads ran per round, from the switch timestamps:
  waiter_us  a waiter's time on a CPU per round (switched in to switched out, summed over the session's rounds,
             mean over the N waiters): its run after its wake-up, back to FUTEX_WAIT;
  waker_us   the same for a waker (its timed FUTEX_WAKE, the bookkeeping after it, back to FUTEX_WAIT);
  preempted  the wakers' preemptions per round (switched out runnable, state R);
beside the session's median round value (MEDIANS_US, comma-separated, in session order).
When the text also holds raw_syscalls:sys_enter/sys_exit events of futex (202) and clock_gettime (228)
(results/futex/wake_parallel_steps.sh), a second table splits a waiter's time on a CPU per round into steps:
  wait_out   in its FUTEX_WAIT after it was woken (the kernel's return path, from switch-in to sys_exit);
  user       outside any traced syscall (user space: ctxbench's stamp, counts and loop; the peer's loop);
  wake       in a FUTEX_WAKE (the round's last waiter waking the caller, when the caller waits for them);
  clock      in a clock_gettime syscall (none when the vDSO answers);
  wait_in    in its next FUTEX_WAIT before it sleeps (entry, the hash bucket's lock, queueing);
each the mean over the session's N waiters per round, µs.
Rounds of a session = the wakers' sleeps / W. Last, a summary line: the medians over the sessions.
When the text also holds sched:sched_waking (results/futex/wake_parallel_steps.sh with WAKINGS=1), a third table
says where the wakers' wake-ups of the waiters landed, per round: `woken` waiters woken by a waker of the session,
`own_cpu` those whose target CPU is the waker's own (the ones that can preempt it), and `preempt_at_once` the
share of the own-CPU wake-ups after which the CPU's next switch puts that waker out runnable.
Usage: wake_parallel_runtime.py PERF_SCRIPT_TEXT N W COMM MEDIANS_US"""
import bisect
import collections
import re
import statistics
import sys

SYSCALL = re.compile(r"^\s*(.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+raw_syscalls:sys_(enter|exit):\s+NR (\d+)"
                     r"(?: \((\w+), (\w+))?")
LINE = re.compile(r"^\s*(.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:sched_switch:\s+.*prev_pid=(\d+) .*"
                  r"prev_state=(\S+) ==> next_comm=.*? next_pid=(\d+)")
WAKING = re.compile(r"^\s*(.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:sched_waking:\s+.*pid=(\d+) .*target_cpu=(\d+)")

path, n, w, comm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
medians = [float(m) for m in sys.argv[5].split(",") if m]
tgid_of, comms, events = {}, collections.defaultdict(set), []
syscalls = []  # (cpu, time, tid, "enter"/"exit", nr, futex op)
wakings = []  # (cpu, time, waking tid, woken tid, target cpu)
for line in open(path):
    m = WAKING.match(line)
    if m:
        _, _, tid, cpu, t, woken, target = m.groups()
        wakings.append((int(cpu), float(t), int(tid), int(woken), int(target)))
        continue
    m = SYSCALL.match(line)
    if m:
        _, _, tid, cpu, t, kind, nr, _, op = m.groups()
        syscalls.append((int(cpu), float(t), int(tid), kind, int(nr), int(op, 16) & 0x7F if op else -1))
        continue
    m = LINE.match(line)
    if not m:
        continue
    c, pid, tid, cpu, t, prev, state, nxt = m.groups()
    tgid_of[int(tid)] = int(pid)
    comms[int(pid)].add(c)
    events.append((int(cpu), float(t), int(prev), state, int(nxt)))

sleeps = collections.Counter(prev for _, _, prev, state, _ in events if not state.startswith("R"))
procs = sorted(p for p, cs in comms.items() if any(c.startswith(comm) for c in cs))
sessions = []
for proc in procs:
    partners = sorted(t for t, k in sleeps.items() if k >= 50 and t != proc and tgid_of.get(t) == proc)
    if len(partners) % (n + w):
        print(f"  {len(partners)} partner threads in process {proc}: not a multiple of N + W = {n + w}")
        sys.exit(0)
    sessions += [partners[i:i + n + w] for i in range(0, len(partners), n + w)]

ran = collections.Counter()  # tid -> seconds on a CPU
preempted = collections.Counter()
running = {}  # cpu -> (tid, since)
for cpu, t, prev, state, nxt in events:
    if cpu in running and running[cpu][0] == prev:
        ran[prev] += t - running[cpu][1]
    running[cpu] = (nxt, t)
    if state.startswith("R"):
        preempted[prev] += 1

print(f"  {len(sessions)} sessions in {len(procs)} processes (medians given: {len(medians)})")
print("  session  median_us  rounds  waiter_us/round  waker_us/round  waker_preemptions/round")
rows = []
for k, s in enumerate(sessions):
    rounds = sum(sleeps[t] for t in s[n:]) / w
    waiter = statistics.mean(ran[t] for t in s[:n]) / rounds * 1e6
    waker = statistics.mean(ran[t] for t in s[n:]) / rounds * 1e6
    pre = sum(preempted[t] for t in s[n:]) / rounds
    rows.append((waiter, waker, pre))
    med = f"{medians[k]:9.2f}" if k < len(medians) else "        -"
    print(f"  {k + 1:7d}  {med}  {rounds:6.0f}  {waiter:15.2f}  {waker:14.2f}  {pre:23.2f}")
if rows:
    med = [statistics.median(col) for col in zip(*rows)]
    print(f"  summary (median of {len(rows)} sessions): waiter {med[0]:.2f} us/round, waker {med[1]:.2f} us/round, "
          f"waker preemptions {med[2]:.2f}/round, session median "
          f"{statistics.median(medians) if medians else float('nan'):.2f} us")

if wakings and rows:
    switches_on = collections.defaultdict(list)  # cpu -> [(time, prev, state)] in time order
    for cpu, t, prev, state, _ in events:
        switches_on[cpu].append((t, prev, state))
    for cpu in switches_on:
        switches_on[cpu].sort()
    print("  session  median_us  woken/round  own_cpu/round  preempt_at_once")
    table = []
    for k, s in enumerate(sessions):
        rounds = sum(sleeps[t] for t in s[n:]) / w
        waiters, wakers = set(s[:n]), set(s[n:])
        mine = [x for x in wakings if x[2] in wakers and x[3] in waiters]
        own = [x for x in mine if x[0] == x[4]]
        at_once = 0
        for cpu, t, waker_tid, _, _ in own:
            later = switches_on[cpu][bisect.bisect_right(switches_on[cpu], (t, float("inf"), "")):][:1]
            at_once += bool(later) and later[0][1] == waker_tid and later[0][2].startswith("R")
        row = (len(mine) / rounds, len(own) / rounds, at_once / len(own) if own else float("nan"))
        table.append(row)
        med = f"{medians[k]:9.2f}" if k < len(medians) else "        -"
        print(f"  {k + 1:7d}  {med}  {row[0]:11.2f}  {row[1]:13.2f}  {row[2]:15.2f}")
    med = [statistics.median(col) for col in zip(*table)]
    print(f"  wakes summary (median of {len(table)} sessions): woken {med[0]:.2f}/round, on the waker's own CPU "
          f"{med[1]:.2f}/round, preempting it at once {med[2]:.2f} of those")

if not syscalls or not rows:
    sys.exit(0)
# Steps: walk each CPU's switches and syscalls in time order; the time of the thread running there goes to the
# step it is in. A syscall event of a thread the CPU's last switch did not put there (a switch the trace lost)
# restarts that CPU's clock with it, so a lost switch drops time instead of adding a sleep to a step.
STEPS = ("wait_out", "user", "wake", "clock", "wait_in")
merged = sorted([(cpu, t, 0, prev, state, nxt) for cpu, t, prev, state, nxt in events] +
                [(cpu, t, 1, tid, kind, (nr, op)) for cpu, t, tid, kind, nr, op in syscalls],
                key=lambda e: (e[1], e[2]))
step_ns = collections.defaultdict(collections.Counter)  # tid -> step -> seconds
on_cpu, in_call, slept = {}, {}, {}  # cpu -> (tid, since); tid -> (nr, op) of the syscall it is in; slept in it
resyncs = 0


def step(tid):
    call = in_call.get(tid)
    if call is None:
        return "user"
    nr, op = call
    if nr == 228:
        return "clock"
    if op == 1:  # FUTEX_WAKE
        return "wake"
    return "wait_out" if slept.get(tid) else "wait_in"


for cpu, t, kind, tid, what, extra in merged:
    if kind == 0:  # a switch: tid is prev, what its state, extra next
        if cpu in on_cpu and on_cpu[cpu][0] == tid:
            step_ns[tid][step(tid)] += t - on_cpu[cpu][1]
        if not what.startswith("R") and tid in in_call:
            slept[tid] = True
        on_cpu[cpu] = (extra, t)
        continue
    if cpu in on_cpu and on_cpu[cpu][0] == tid:
        step_ns[tid][step(tid)] += t - on_cpu[cpu][1]
    else:
        resyncs += 1
    on_cpu[cpu] = (tid, t)
    if what == "enter":
        in_call[tid], slept[tid] = extra, False
    else:
        in_call.pop(tid, None)

if resyncs:
    print(f"  {resyncs} syscall events on a CPU the last recorded switch gave another thread (time dropped, not given to a step)")
print("  waiter steps, us per round (mean over the session's waiters): " + "  ".join(STEPS))
split = []
for k, s in enumerate(sessions):
    rounds = sum(sleeps[t] for t in s[n:]) / w
    row = [statistics.mean(step_ns[t][x] for t in s[:n]) / rounds * 1e6 for x in STEPS]
    split.append(row)
    print(f"  {k + 1:7d}  " + "  ".join(f"{v:{len(x)}.2f}" for v, x in zip(row, STEPS)))
med = [statistics.median(col) for col in zip(*split)]
print("  steps summary (median of sessions): " + ", ".join(f"{x} {v:.2f}" for x, v in zip(STEPS, med)) + " us/round")
