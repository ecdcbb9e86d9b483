#!/usr/bin/env bash
# A provoked cause, named (issue 23, "Provoke a known cause and show it named"): the same-cpu pipe ping-pong
# under --explain, back to back,
#   A.json  on a quiet machine;
#   B.json  with stress-ng --cpu 1 pinned to the record's CPU (started just before, killed right after);
#   C.json  with a loopback UDP flood (stress-ng --udp 1) pinned to the other CPU, the loopback's receive
#           processing steered to the record's CPU by RPS (/sys/class/net/lo/queues/rx-0/rps_cpus), so the
#           NET_RX softirq runs there while no flood task does.
# Holds the quiet lock; waits for the 1-minute load below 0.3 before each run. Needs root (--explain, RPS).
# Writes A/B/C.json, output.txt (the console) and summary.txt (summarize.py) beside this script.
set -u
cd "$(dirname "$0")/../.."
out=results/explain_provoked
source results/quiet.sh
# The id is probe/placement (build/ctxbench --list): '^ctxswitch\.pipe\.process$' matches no probe.
filter='^ctxswitch\.pipe\.process/'
rps=/sys/class/net/lo/queues/rx-0/rps_cpus
rps_before=$(cat $rps)
load_pid=""
# Nothing this script starts outlives it, and lo's RPS mask goes back to what it was.
cleanup() {
  if [[ -n $load_pid ]]; then
    kill "$load_pid" 2>/dev/null
    wait "$load_pid" 2>/dev/null
    load_pid=""
  fi
  echo "$rps_before" > $rps
}
trap cleanup EXIT
trap 'exit 130' INT TERM
{
  wait_quiet
  ./build/ctxbench --explain --filter "$filter" --placement same --json $out/A.json
  # The CPU the same-cpu placement pinned both tasks to (the record's placement.cpus[0]), and another one.
  cpu=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["placement"]["cpus"][0])' $out/A.json)
  other=$(python3 -c 'import os,sys; c=int(sys.argv[1]); print(next(x for x in sorted(os.sched_getaffinity(0)) if x != c))' "$cpu")
  echo "same-cpu placement ran on CPU $cpu; the flood's tasks go to CPU $other"

  wait_quiet
  stress-ng --cpu 1 --taskset "$cpu" --timeout 600s & load_pid=$!
  sleep 1
  ./build/ctxbench --explain --filter "$filter" --placement same --json $out/B.json
  cleanup

  wait_quiet
  printf '%x\n' $((1 << cpu)) > $rps
  echo "lo rps_cpus: $(cat $rps) (was $rps_before)"
  stress-ng --udp 1 --taskset "$other" --timeout 600s & load_pid=$!
  sleep 1
  ./build/ctxbench --explain --filter "$filter" --placement same --json $out/C.json
  cleanup
  echo "lo rps_cpus restored: $(cat $rps)"
  echo "load at end: $(cat /proc/loadavg)"
} > $out/output.txt 2>&1
{
  python3 $out/summarize.py stress-ng $out/A.json $out/B.json
  python3 $out/summarize.py NET_RX $out/C.json
} > $out/summary.txt
