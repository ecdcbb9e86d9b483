#!/usr/bin/env bash
# futex_wake_parallel 8/8: which step of ctxbench's woken waiter makes it run longer than the peer's
# (docs/METHODOLOGY.md, "8/8: the waiters' run per round"). One round of results/futex/wake_parallel_lag.sh
# (run it three times back to back for three rounds) with the futex and clock_gettime syscalls traced beside the
# switches, so results/futex/wake_parallel_runtime.py splits each waiter's run per round into its kernel return
# from FUTEX_WAIT, user space, the last waiter's FUTEX_WAKE of the caller and its next FUTEX_WAIT's entry; the
# peer plain, then with ctxbench's post-wake work added one piece at a time (peers/futex_wake_once.c): wait-ran
# (count in `ran`, the last wakes the caller), stamp (a clock read stored in the waiter's own line), shared-stop
# (the stop word on the line of the wakers' done count, as in ctxbench's Shared). Holds the machine's quiet lock.
# Output appended to results/futex/wake_parallel_steps.txt (OUT names another; N, W and WAKINGS as in
# wake_parallel_lag.sh).
cd "$(dirname "$0")/../.."
STEPS=1 OUT=${OUT:-results/futex/wake_parallel_steps.txt} \
  PEER_LINES="${PEER_LINES:-serial-start serial-start,wait-ran serial-start,wait-ran,stamp serial-start,wait-ran,stamp,shared-stop}" \
  exec bash results/futex/wake_parallel_lag.sh
