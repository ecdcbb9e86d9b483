"""Reads `perf script -F pid,tid,event,trace` text of sched:sched_switch events (results/futex/switch_roles.py,
wake_parallel_sessions.py): returns ({tid: tgid} of every switching-out task, [(prev_pid, prev_comm,
prev_state, next_pid, next_comm)] in order)."""
import re

# "  1234/1236  sched:sched_switch: prev_comm=... prev_pid=1236 ... prev_state=S ==> next_comm=... next_pid=1240
#   next_prio=120"
LINE = re.compile(r"^\s*(\d+)/(\d+)\s+sched:sched_switch:.*prev_comm=(.*?) prev_pid=(\d+) .*prev_state=(\S+)"
                  r" ==> next_comm=(.*?) next_pid=(\d+)")


def read(path):
    tgid_of, events = {}, []
    for line in open(path):
        m = LINE.match(line)
        if not m:
            continue
        pid, tid, prev_comm, prev_pid, state, next_comm, next_pid = m.groups()
        tgid_of[int(tid)] = int(pid)
        events.append((int(prev_pid), prev_comm, state, int(next_pid), next_comm))
    return tgid_of, events
