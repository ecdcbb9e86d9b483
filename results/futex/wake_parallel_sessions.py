#!/usr/bin/env python3
"""Reads `perf script -F pid,tid,event,trace` text of sched:sched_switch events recorded over runs of one
futex_wake_parallel shape (results/futex/wake_parallel.sh) and counts, per session (one set of N waiter and
W waker threads: a ctxbench repetition, or one peer process), how often per round a waker thread was
preempted (switched out in state R) and which thread came in, beside that session's median round value.
Sessions: every process whose command starts with COMM; in it, the threads that sleep at least 50 times are
the partners (the waiters and wakers, each sleeping once per round), taken in creation (tid) order in chunks
of N + W per process, the last W of each chunk being the wakers (ctxbench and the peer create the waiters first).
Rounds of a session = the wakers' sleeps / W. MEDIANS_US: the sessions' medians in the same order
(comma-separated; ctxbench's repetitions, or the peer processes' p50s).
Last, a summary line: the median and range over the sessions of the wakers' preemptions per round.
Usage: wake_parallel_sessions.py PERF_SCRIPT_TEXT N W COMM MEDIANS_US"""
import collections
import sys

import sched_switch_text

text, n, w, comm, medians = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
medians = [float(m) for m in medians.split(",") if m]
tgid_of, events = sched_switch_text.read(text)

procs = sorted({tgid_of[p] for p, c, *_ in events if c.startswith(comm) and p in tgid_of})
sleeps = collections.Counter(p for p, c, s, *_ in events if not s.startswith("R") and tgid_of.get(p) in procs)
sessions = []
for proc in procs:
    partners = sorted(t for t, k in sleeps.items() if k >= 50 and t != proc and tgid_of[t] == proc)
    if len(partners) % (n + w):
        print(f"  {len(partners)} partner threads in process {proc}: not a multiple of N + W = {n + w}")
        sys.exit(0)
    sessions += [partners[i:i + n + w] for i in range(0, len(partners), n + w)]
role = {}
for k, s in enumerate(sessions):
    for i, t in enumerate(s):
        role[t] = (k, "waiter" if i < n else "waker")
pre = collections.defaultdict(collections.Counter)
for prev, _, state, nxt, _ in events:
    if prev in role and state.startswith("R"):
        k, r = role[prev]
        if r != "waker":
            continue
        came = role.get(nxt)
        who = (came[1] if came and came[0] == k else
               "caller" if tgid_of.get(nxt) == tgid_of[prev] and nxt == tgid_of[prev] else
               "idle" if nxt == 0 else "other")
        pre[k][who] += 1
print(f"  {len(sessions)} sessions in {len(procs)} processes (medians given: {len(medians)})")
print("  session  median_us  rounds  waker_preemptions/round  (by: waiter / waker / caller / other)")
for k, s in enumerate(sessions):
    rounds = sum(sleeps[t] for t in s[n:]) / w
    p = pre[k]
    tot = sum(p.values())
    med = f"{medians[k]:9.1f}" if k < len(medians) else "        -"
    print(f"  {k + 1:7d}  {med}  {rounds:6.0f}  {tot / rounds:23.2f}  ({p['waiter'] / rounds:.2f} / "
          f"{p['waker'] / rounds:.2f} / {p['caller'] / rounds:.2f} / {(p['other'] + p['idle']) / rounds:.2f})")
rates = []
for k, s in enumerate(sessions):
    rounds = sum(sleeps[t] for t in s[n:]) / w
    rates.append(sum(pre[k].values()) / rounds if rounds else 0.0)
if rates:
    srt = sorted(rates)
    print(f"  summary: waker preemptions per round, median of the {len(rates)} sessions {srt[len(srt) // 2]:.2f} "
          f"(range {srt[0]:.2f}-{srt[-1]:.2f}); rounds per session {min(sum(sleeps[t] for t in s[n:]) / w for s in sessions):.0f}"
          f"-{max(sum(sleeps[t] for t in s[n:]) / w for s in sessions):.0f}")
