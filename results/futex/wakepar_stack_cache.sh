#!/usr/bin/env bash
# Tests one hypothesis for the 356-435 us mode of the peer with perf bench futex wake-parallel's thread life at 8/8
# (docs/METHODOLOGY.md, "perf's `wake-parallel` figure against the peer given its thread life"): that the exiting
# threads' stack release (munmap, with its TLB shootdown of the other vCPU) lands inside a fresh waker's timed
# FUTEX_WAKE. glibc keeps freed thread stacks in a cache (glibc.pthread.stack_cache_size, 40 MiB by default) and
# unmaps them when it overflows; this runs the same peer line with the cache off (0: every stack unmapped at exit)
# and large (1 GiB: none unmapped), interleaved, three rounds. Its slow rounds are counted by
# `python3 results/futex/wakepar_modes.py results/futex/wakepar_stack_cache.txt 200` (wakepar_stack_cache_modes.txt).
# Holds the machine's quiet lock (results/quiet.sh). Output: results/futex/wakepar_stack_cache.txt (OUT names another).
set -u
cd "$(dirname "$0")/../.." && source results/quiet.sh && require_built build/peer-futex-wake-once
{
  wait_quiet
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- peers results/futex || echo ' (with uncommitted changes)')"
  for r in 1 2 3; do
    echo "=== round $r shape 8/8 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    for cache in 0 1073741824; do
      echo "\$ GLIBC_TUNABLES=glibc.pthread.stack_cache_size=$cache peer-futex-wake-once parallel 8 100 -1 100000 8 values,detail,exit,fresh-wakers"
      GLIBC_TUNABLES=glibc.pthread.stack_cache_size=$cache ./build/peer-futex-wake-once parallel 8 100 -1 100000 8 values,detail,exit,fresh-wakers
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > "${OUT:-results/futex/wakepar_stack_cache.txt}" 2>&1
