#!/usr/bin/env bash
# The tail breakdown of issue 23's named records, repeated: three quiet rounds back to back, each one ctxbench
# --explain run (not --quick: 2000 traced ops, so the slowest 1% is 20 ops) over the same-cpu and cross-cpu pipe
# ping-pong, ipc.tcp.process/size:64, wakeup.timer.fifo, one server model of each kind (process and thread per
# connection, one connection) and PostgreSQL's direct persistent connection. Then per record and round
# (rounds_summary.py): p50, p99, p99/p50, the tail's excess over the median op, the share its named causes
# account for, the largest causes and the phases the unnamed rest sits in. As root; holds the quiet lock and
# waits for the 1-minute load below 0.3 before each round. Output: results/tail/rounds.txt, /tmp/tail_round_N.json.
# Usage: rounds.sh [FILTER OUTPUT]   (another --filter, written to OUTPUT instead)
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built ./build/ctxbench
filter='^ctxswitch\.pipe\.process/(same|cross)-cpu$|^ipc\.tcp\.process/size:64/(same|cross)-cpu$|^wakeup\.timer\.fifo$'
filter+='|^server\.(process|thread)_per_connection\.persistent/connections:1/work_ns:1000/'
filter+='|^db\.postgresql\.direct\.persistent/connections:1/'
out=results/tail/rounds.txt
if [[ $# -eq 2 ]]; then filter=$1 out=$2; fi
{
  git log -1 --format='commit %h %cI'
  for round in 1 2 3; do
    wait_quiet
    echo "\$ ./build/ctxbench --suite full --explain --filter '$filter' --json /tmp/tail_round_$round.json"
    ./build/ctxbench --suite full --explain --filter "$filter" --json /tmp/tail_round_$round.json >/dev/null
    echo "exit status $?"
  done
  python3 results/tail/rounds_summary.py /tmp/tail_round_1.json /tmp/tail_round_2.json /tmp/tail_round_3.json
} > "$out" 2>&1
