#!/usr/bin/env python3
"""Reads `perf script` text of sched:sched_switch events recorded over one ctxbench run of one contention
probe (results/futex/denominator.sh) and counts, per round, who switched out how: the probe process's caller
thread (the one that ran first, its tgid) and its partner threads (waiters and wakers), each split into sleeps
(prev_state S/D: voluntary) and preemptions (prev_state R: involuntary), and for the preemptions which task
came in: a thread of the same probe process or another task. Rounds are estimated from the partners' sleeps:
each of the N + W partner threads sleeps once per round. With COMM (e.g. peer-futex-lock, as perf truncates it)
the processes of that command are counted instead, and with N = W = 0 only totals are printed.
Usage: switch_roles.py PERF_SCRIPT_TEXT N W [COMM]"""
import collections
import sys

import sched_switch_text

text, n, w = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
comm = sys.argv[4] if len(sys.argv) > 4 else "ctxbench-probe"
tgid_of, events = sched_switch_text.read(text)

# The probe processes: every tgid whose command is COMM (ctxbench-probe: one per probe and placement run).
probe_tgids = {tgid_of[p] for p, c, *_ in events if c.startswith(comm) and p in tgid_of}
count = collections.Counter()
incoming = collections.Counter()
for prev, comm, state, nxt, ncomm in events:
    if tgid_of.get(prev) not in probe_tgids:
        continue
    role = "caller" if prev == tgid_of[prev] else "partner"
    kind = "preempted" if state.startswith("R") else "slept"
    count[role, kind] += 1
    if kind == "preempted":
        same = tgid_of.get(nxt) == tgid_of[prev] or (nxt not in tgid_of and ncomm.startswith(comm))
        incoming["own thread" if same else ("idle" if nxt == 0 else ncomm)] += 1

if n + w > 0:
    rounds = count["partner", "slept"] / (n + w)
    print(f"waiters {n} wakers {w}: processes {len(probe_tgids)}, rounds (partner sleeps / {n + w}) {rounds:.0f}")
else:
    rounds = 1
    print(f"{comm}: processes {len(probe_tgids)}, totals (per round: the totals)")
for role in ("caller", "partner"):
    for kind in ("slept", "preempted"):
        print(f"  {role:8s} {kind:9s} {count[role, kind]:8d}  {count[role, kind] / rounds:6.2f} per round")
total_pre = sum(incoming.values())
print(f"  preemptions: {total_pre} ({total_pre / rounds:.2f} per round), the task switched in:")
for who, k in incoming.most_common(6):
    print(f"    {who:20s} {k:8d}  {100 * k / total_pre:5.1f}%")
