# Sourced by wake_parallel_30.sh and lock_pi_30.sh after results/quiet.sh, from the repository root, with $tmp set:
# ctxbench_block B FILTER PER runs one block of ctxbench's sessions, same-cpu --repetitions PER (each repetition a
# fresh session) of the records FILTER matches, into $tmp/cbB.json for repetition_medians.py, printing the
# block's start time and load, then ctxbench's exit status.
ctxbench_block() {
  echo "=== ctxbench --repetitions $3 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  ./build/ctxbench --suite ctxswitch --filter "$2" --placement same --repetitions "$3" --json "$tmp/cb$1.json" \
    > "$tmp/cb.txt" 2>&1
  echo "ctxbench exit $?"
}
