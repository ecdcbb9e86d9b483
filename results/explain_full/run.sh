#!/usr/bin/env bash
# `ctxbench --suite full --explain` (issue 23's first done-means), as root, cut by --filter into slices that
# each hold the quiet lock for under ~5 minutes (the plain full suite alone takes ~14 min here,
# results/kvm2-guest-full.json's wall_seconds). Each slice runs in its own process: it takes the lock
# (results/quiet.sh), waits for the 1-minute load below 0.3, runs, and lets the lock go before the next.
# Every probe of `ctxbench --list --suite full` matches exactly one slice: `run.sh --check` says so or names it.
#   bash results/explain_full/run.sh            # every probe once: slices 0 1 8 4 9 6 3 2 in turn
#   bash results/explain_full/run.sh 3 5        # slices 3 and 5 only
# Output per slice i: results/explain_full/slice<i>.json and slice<i>.txt (revision, load, the console's
# stdout and stderr, exit status, duration). The table: results/explain_families/summarize.py over the slices'
# JSON (README.md here).
set -u
cd "$(dirname "$0")/../.."
SLICES=(
  '^db\.postgresql\.direct\.per_request'
  '^db\.postgresql\.(direct\.persistent|pgbouncer)'
  '^db\.mariadb|^server\.(thread_per_connection|worker_pool|event_loop|process_pool)'
  '^server\.process_per_connection|^process\.'
  '^ipc\.(unix_stream|pipe)'
  '^ipc\.(tcp|unix_dgram)'
  '^ipc\.(udp|posix_mq|sysv_msg)'
  '^ipc\.(futex|signal|eventfd|sysv_sem)|^(thread|wakeup|shm|bw|baseline)\.'
  '^ctxswitch\.'
  # 9: slices 5 and 7 in one, run instead of them (fewer turns at the shared lock); --check checks 0-8
  '^ipc\.(tcp|unix_dgram|futex|signal|eventfd|sysv_sem)\.|^(thread|wakeup|shm|bw|baseline)\.'
  # 10: the hand-offs over eventfd, epoll and io_uring again, once they were made explainable (slice 8 ran
  # them unexplained; README.md here), with CTXBENCH=./build-fix/ctxbench, a build of that commit
  '^ctxswitch\.(eventfd|eventfd_epoll|pipe_epoll|eventfd_uring|pipe_uring|msg_ring)\.'
)
BIN=${CTXBENCH:-./build/ctxbench}
out=results/explain_full

if [[ ${1:-} == --check ]]; then  # --list is no measurement: no lock
  bad=0
  for p in $("$BIN" --list --suite full | grep -v '^ ' | awk '{print $1}'); do
    n=0
    for s in "${SLICES[@]:0:9}"; do grep -qE -- "$s" <<<"$p" && n=$((n + 1)); done
    ((n == 1)) || { echo "$p matches $n slices"; bad=1; }
  done
  exit $bad
fi

if [[ ${1:-} == --one ]]; then
  i=$2
  source results/quiet.sh
  require_built "$BIN"
  {
    echo "slice $i: ${SLICES[i]}"
    "$BIN" --version
    git log -1 --format='worktree commit %h %cI'
    wait_quiet
    start=$(date +%s)
    echo "\$ $BIN --suite full --explain --filter '${SLICES[i]}' --json $out/slice$i.json"
    "$BIN" --suite full --explain --filter "${SLICES[i]}" --json "$out/slice$i.json"
    echo "exit status $?"
    echo "took $(($(date +%s) - start)) s, ended $(date -u +%FT%TZ), load at end: $(cat /proc/loadavg)"
  } > "$out/slice$i.txt" 2>&1
  exit 0
fi

if (($# == 0)); then set -- 0 1 8 4 9 6 3 2; fi  # the order of 2026-12-06: the hand-offs before the servers
for i in "$@"; do
  bash "$0" --one "$i"
  tail -1 "$out/slice$i.txt"
done
