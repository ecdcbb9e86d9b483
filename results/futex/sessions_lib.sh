# Sourced by wake_parallel_30.sh, lock_pi_30.sh and wake_all_30.sh after results/quiet.sh, from the repository
# root, with $tmp set: ctxbench_block B FILTER PER runs one block of ctxbench's sessions, same-cpu --repetitions
# PER (each repetition a fresh session) of the records FILTER matches, into $tmp/cbB.json for
# repetition_medians.py, printing the block's start time and load, then ctxbench's exit status.
ctxbench_block() {
  echo "=== ctxbench --repetitions $3 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  ./build/ctxbench --suite ctxswitch --filter "$2" --placement same --repetitions "$3" --json "$tmp/cb$1.json" \
    > "$tmp/cb.txt" 2>&1
  echo "ctxbench exit $?"
}

# peer_session_medians FILE SHAPE SIDE: the per-session medians (µs) of the peer processes in FILE (each printed
# its rounds with `values`), as the line `SHAPE SIDE M1,M2,...` for session_modes.py, then `SHAPE
# SIDE_pooled_p50 P` (the median of all their rounds pooled, which session_modes.py skips).
peer_session_medians() {
  python3 - "$@" <<'PY'
import statistics, sys
procs = [[float(v) for v in l.split()[1:]] for l in open(sys.argv[1]) if l.startswith("  values:")]
print(sys.argv[2], sys.argv[3], ",".join(f"{statistics.median(p) / 1000:.2f}" for p in procs))
print(sys.argv[2], sys.argv[3] + "_pooled_p50", f"{statistics.median([v for p in procs for v in p]) / 1000:.2f}")
PY
}

# session_header COMMAND WHAT: an output file's head (after waiting for a quiet machine): the load, the kernel,
# the command that reproduces the run, the commit and this shell's CPUs ($cpus), then WHAT.
session_header() {
  wait_quiet
  uname -r
  echo "command: $1"
  echo "commit $(git rev-parse --short HEAD), CPUs ${cpus[*]}, $2"
}

# session_report SIDES VS AA: an output file's tail: $tmp/sessions.txt (`SHAPE SIDE M1,M2,...` lines, the
# per-session medians of ctxbench and SIDES), session_modes.py on it (ctxbench against VS), then `--against peer`
# (AA: the peer against its copy and any other side), and the load at the end.
session_report() {
  echo "=== per-session medians (us): ctxbench repetitions, $1 processes, in run order"
  cat "$tmp/sessions.txt"
  echo "=== results/futex/session_modes.py: ctxbench against $2"
  python3 results/futex/session_modes.py "$tmp/sessions.txt"
  echo "=== results/futex/session_modes.py --against peer: $3"
  python3 results/futex/session_modes.py --against peer "$tmp/sessions.txt"
  echo "load at end: $(cat /proc/loadavg)"
}
