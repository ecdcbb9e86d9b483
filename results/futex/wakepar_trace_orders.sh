#!/usr/bin/env bash
# Splits the traces a `KEEP=DIR bash results/futex/wakepar_trace.sh` run kept (DIR/sched_K.txt.gz, DIR/tool_K.txt,
# K = 0..5: even K perf, odd K the peer, rounds 1, 1, 2, 2, 3, 3) again with the current wakepar_trace.py and keeps
# its summaries (no per-run table): no measurement, run under the quiet lock as any analysis.
# Usage: bash results/futex/wakepar_trace_orders.sh DIR > OUT
set -u
cd "$(dirname "$0")/../.."
echo "# $(date -u +%FT%TZ) \$ bash results/futex/wakepar_trace_orders.sh $1 (from the stored traces: no measurement)"
for k in 0 1 2 3 4 5; do
  tool=$1/tool_$k.txt
  echo "=== trace $k: $([[ $((k % 2)) == 0 ]] && echo perf || echo peer), round $((k / 2 + 1))"
  python3 results/futex/wakepar_trace.py "$1/sched_$k.txt.gz" "$(awk '/^pid / { print $2; exit }' "$tool")" "$tool" \
    | grep -vE '^ *[0-9]+ +[0-9.]+ +[0-9.]+ '
done
