"""results/futex/repetition_medians.py and session_modes.py --against on literal inputs (lock_pi_30.sh's path)."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUTEX = os.path.join(ROOT, "results", "futex")


def run(script, *args):
    return subprocess.run([sys.executable, os.path.join(FUTEX, script), *args], capture_output=True, text=True,
                          timeout=60)


def rep(median_us, samples=10, ops=100):
    return {"median_ns": median_us * 1000, "mean_ns": median_us * 1000, "samples": samples, "ops_per_sample": ops}


def test_repetition_medians_names_shapes_and_keeps_block_order(tmp_path):
    # cb10 must come after cb2: a plain sort would put block 10 first.
    for k, us in ((2, 20.0), (10, 30.0)):
        (tmp_path / f"cb{k}.json").write_text(json.dumps({"results": [
            {"id": "ctxswitch.futex_lock_pi/waiters:2/same-cpu", "repetitions": [rep(us)]},
            {"id": "ctxswitch.futex_wake_parallel/waiters:8/wakers:4/same-cpu", "repetitions": [rep(us / 10)]}]}))
    out = run("repetition_medians.py", str(tmp_path / "cb10.json"), str(tmp_path / "cb2.json"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "2 ctxbench 20.00,30.00" in lines
    assert "8/4 ctxbench 2.00,3.00" in lines
    assert "2 ops_per_sample 100" in lines
    # 10 samples x 100 ops x 20-30 µs: 20 and 30 ms, median 25.
    assert "2 ms 25" in lines


def test_session_modes_against_peer_compares_the_copy_not_ctxbench(tmp_path):
    cb = ",".join(["10.0"] * 15 + ["11.0"] * 15)
    peer = ",".join(f"{20 + i / 10:.1f}" for i in range(30))
    copy = ",".join(f"{20.05 + i / 10:.2f}" for i in range(30))
    f = tmp_path / "s.txt"
    f.write_text(f"2 ctxbench {cb}\n2 peer {peer}\n2 peer+copy {copy}\n")
    default = run("session_modes.py", str(f))
    assert default.returncode == 0, default.stderr
    assert "differ" in default.stdout  # ctxbench at half the peer's level
    aa = run("session_modes.py", "--against", "peer", str(f))
    assert aa.returncode == 0, aa.stderr
    rows = [l for l in aa.stdout.splitlines() if l.startswith("2 ")]
    assert len(rows) == 1 and "vs peer+copy" in rows[0] and "same distribution" in rows[0], aa.stdout
    assert "x1.00" in rows[0]


def test_session_modes_pools_files_and_reads_an_alias_as_its_side(tmp_path):
    # Run 1 has ctxbench low, run 2 high: each run alone differs from the peer, pooled they are one distribution.
    low, high = ",".join(["10.0"] * 30), ",".join(["14.0"] * 30)
    mid = ",".join(f"{11.5 + i / 30:.2f}" for i in range(30))
    (tmp_path / "r1.txt").write_text(f"8/8 ctxbench {low}\n8/8 peer+a,b {mid}\n8/8 peer+a,b_pooled_p50 12.0\n")
    (tmp_path / "r2.txt").write_text(f"8/8 ctxbench {high}\n8/8 peer+b,a {mid}\n")
    one = run("session_modes.py", str(tmp_path / "r1.txt"))
    assert one.returncode == 0, one.stderr
    assert "differ" in one.stdout
    pooled = run("session_modes.py", "--alias", "peer+b,a=peer+a,b", str(tmp_path / "r1.txt"), str(tmp_path / "r2.txt"))
    assert pooled.returncode == 0, pooled.stderr
    rows = [l for l in pooled.stdout.splitlines() if l.startswith("8/8 ")]
    # One peer side (the alias read as it) of 60 sessions against ctxbench's 60.
    assert len(rows) == 1 and " 60/60 " in rows[0] and "vs peer+a,b" in rows[0], pooled.stdout
    assert "same distribution" in rows[0]
    unaliased = run("session_modes.py", str(tmp_path / "r1.txt"), str(tmp_path / "r2.txt"))
    assert len([l for l in unaliased.stdout.splitlines() if l.startswith("8/8 ")]) == 2, unaliased.stdout
    bad = run("session_modes.py", "--alias", "nameonly", str(tmp_path / "r1.txt"))
    assert bad.returncode != 0 and "--alias nameonly" in bad.stderr


def test_wake8_preempt_splits_timed_loops_and_off_cpu_time(tmp_path):
    # Waker 100, 2 waiters: each loop starts after a sleep of at least 50 ms. Loop 1: preempted by waiter 101 (whose
    # exit's switch perf prints with tid -1) for 50 us between its wakes; loop 2: preempted right after its 2nd wake,
    # which ends the loop where the waker is back (80 us later).
    def switch(tid, t, prev, state, nxt):
        return (f"{tid} [000] {t:.6f}: sched:sched_switch: prev_comm=x prev_pid={prev} prev_prio=120 "
                f"prev_state={state} ==> next_comm=y next_pid={nxt} next_prio=120")

    def waking(t, pid):
        return f"100 [000] {t:.6f}: sched:sched_waking: comm=y pid={pid} prio=120 target_cpu=000"

    lines = [switch(100, 1.0, 100, "S", 0), switch(0, 1.1, 0, "R", 100), waking(1.10001, 101),
             switch(100, 1.100011, 100, "R", 101), switch(-1, 1.100061, 101, "X", 100), waking(1.10007, 102),
             switch(100, 1.10008, 100, "S", 0), switch(0, 1.2, 0, "R", 100), waking(1.20001, 103),
             waking(1.20002, 104), switch(100, 1.200021, 100, "R", 104), switch(104, 1.200101, 104, "S", 100)]
    (tmp_path / "sched.txt").write_text("\n".join(lines) + "\n")
    out = run("wake8_preempt.py", str(tmp_path / "sched.txt"), "100", "2")
    assert out.returncode == 0, out.stderr
    assert "2 repetitions; per repetition (window us, preemptions, us off CPU): (60, 1, 50) (91, 1, 80)" in out.stdout


def test_wakepar_modes_counts_slow_runs_of_perf_and_each_peer_line(tmp_path):
    # perf: runs of 5, 6 and 40 us; the peer: rounds of 7, 8, 9 and 30 us (ns in its values line).
    text = ("=== round 1 shape 8/8 09:15:45 load 0.27\n"
            "[Run 1]: Avg per-thread latency (waking 1/8 threads) in 0.0050 ms (+-1.00%)\n"
            "[Run 2]: Avg per-thread latency (waking 1/8 threads) in 0.0060 ms (+-1.00%)\n"
            "[Run 3]: Avg per-thread latency (waking 1/8 threads) in 0.0400 ms (+-1.00%)\n"
            "$ peer-futex-wake-once parallel 8 4 -1 100000 8 values,detail,exit\n"
            "  values: 7000 8000 9000 30000\n"
            "$ GLIBC_TUNABLES=glibc.pthread.stack_cache_size=0 peer-futex-wake-once parallel 8 2 -1 100000 8 values,detail,exit\n"
            "  values: 3000 400000\n")
    f = tmp_path / "w.txt"
    f.write_text(text)
    out = run("wakepar_modes.py", str(f))
    assert out.returncode == 0, out.stderr
    rows = {l.split()[2]: l.split() for l in out.stdout.splitlines()[1:]}
    assert rows["perf"][3:] == ["3", "6.0", "17.0", "1", "5.5"], out.stdout
    assert rows["exit"][3:] == ["4", "8.5", "13.5", "1", "8.0"], out.stdout
    # The line run with an environment is named by it, apart from the plain line.
    assert "glibc.pthread.stack_cache_size=0 exit" in out.stdout and len(rows) == 3, out.stdout
    assert run("wakepar_modes.py", str(f), "50").stdout.splitlines()[1].split()[6] == "0"


def test_wakepar_trace_splits_each_wakers_timed_call_by_who_ran_instead(tmp_path):
    # Process 100 (its main thread). Run 1: waiters 101, 102 born before its 100 ms sleep, wakers 111, 112 after,
    # released by the main thread. 111 (CPU 0) wakes 101, is switched out runnable right after its call's exit, 101
    # runs 40 us and ends its thread (X), then 111 is back: window 61 us. 112 (CPU 1) wakes 102 and then sleeps: its
    # window ends at its exit, 30 us. Run 2, released by 113: 113 is switched out 25 us after its exit (past LAG_US:
    # not its window): 5 us; 114 is switched out inside its call for a kworker for 10 us: 23 us.
    def ev(tid, cpu, t, name, rest):
        return f"{tid:>6}/{tid:<6} [{cpu:03d}] {t:.6f}: {name}: {rest}"

    def switch(cpu, t, prev, state, nxt, comm="x"):
        return ev(prev, cpu, t, "sched:sched_switch", f"prev_comm=x prev_pid={prev} prev_prio=120 prev_state={state}"
                  f" ==> next_comm={comm} next_pid={nxt} next_prio=120")

    def born(t, pid):
        return ev(100, 0, t, "sched:sched_wakeup_new", f"comm=x pid={pid} prio=120 target_cpu=000")

    def wake(tid, cpu, t, woken, ret):
        return [ev(tid, cpu, t, "syscalls:sys_enter_futex", "uaddr: 0x55d0, op: 0x00000081, val: 0x00000001, "
                   "utime: 0x00000000, uaddr2: 0x00000000, val3: 0x00000000"),
                ev(tid, cpu, t + 0.000001, "sched:sched_waking", f"comm=x pid={woken} prio=120 target_cpu={cpu:03d}"),
                ev(tid, cpu, ret, "syscalls:sys_exit_futex", "0x1")]

    def release(tid, cpu, t):  # glibc's barrier: the last thread to arrive wakes all (INT_MAX)
        return [ev(tid, cpu, t, "syscalls:sys_enter_futex", "uaddr: 0x55e0, op: 0x00000081, val: 0x7fffffff, "
                   "utime: 0x00000000, uaddr2: 0x00000000, val3: 0x00000000"),
                ev(tid, cpu, t + 0.000001, "syscalls:sys_exit_futex", "0x2")]

    lines = ([born(0.5, 101), born(0.5001, 102), switch(0, 1.0, 100, "S", 0), switch(0, 1.1, 0, "R", 100),
              born(1.1001, 111), born(1.1002, 112)] + release(100, 0, 1.1003) + wake(111, 0, 1.101, 101, 1.10102)
             + [switch(0, 1.101021, 111, "R", 101), switch(0, 1.101061, 101, "X", 111)]
             + wake(112, 1, 1.102, 102, 1.10203) + [switch(1, 1.103, 112, "S", 0)]
             + [born(1.5, 103), born(1.5001, 104), switch(0, 2.0, 100, "S", 0), switch(0, 2.1, 0, "R", 100),
                born(2.1001, 113), born(2.1002, 114)] + release(113, 0, 2.1005) + wake(113, 0, 2.101, 103, 2.101005)
             + [switch(0, 2.10103, 113, "R", 0), switch(0, 2.10105, 0, "R", 113)]
             + wake(114, 1, 2.102, 104, 2.102013)[:2]
             + [switch(1, 2.102011, 114, "R", 7, "kworker/1:1"), switch(1, 2.102021, 7, "S", 114)]
             + wake(114, 1, 2.102, 104, 2.102023)[2:])
    (tmp_path / "sched.txt").write_text("\n".join(sorted(lines, key=lambda l: float(l.split()[2][:-1]))) + "\n")
    (tmp_path / "tool.txt").write_text("[Run 1]: Avg per-thread latency (waking 1/2 threads) in 0.0460 ms (+-1%)\n"
                                       "[Run 2]: Avg per-thread latency (waking 1/2 threads) in 0.0090 ms (+-1%)\n")
    out = run("wakepar_trace.py", str(tmp_path / "sched.txt"), "100", str(tmp_path / "tool.txt"))
    assert out.returncode == 0, out.stderr
    rows = [l.split() for l in out.stdout.splitlines() if l[:3].strip().isdigit()]
    # run, tool, trace, timed, per CPU, left CPU, wakers left, exits, on CPU, own waiter, ..., other tasks
    assert rows[0][:10] == ["1", "46.0", "45.5", "2", "1/1", "1", "1", "1", "25.5", "20.0"], out.stdout
    assert rows[1][:9] == ["2", "9.0", "14.0", "2", "1/1", "1", "1", "0", "9.0"] and rows[1][-1] == "5.0", out.stdout
    assert "slow runs (tool above 15 us): 1;" in out.stdout and "fast runs (tool at most 15 us): 1;" in out.stdout
    assert "other tasks 5.0; other tasks: kworker/1:1 5.0\n" in out.stdout, out.stdout
    assert "a waker left its CPU for: own waiter 1; the barrier released by: main thread 1" in out.stdout
    assert "a waker left its CPU for: other tasks 1; the barrier released by: waker 1" in out.stdout
    # Run 1: 111 the first call on CPU 0 (left), 112 on CPU 1; run 2: 113 the releaser, 114 first on CPU 1 (left).
    assert out.stdout.rstrip().endswith("the median window of those: releaser 0/1, 1 2/3 (42 us)"), out.stdout
    assert "1 waiters' thread ends (running after the wake to gone): median 40.0 us, on a CPU 40.0 us" in out.stdout
