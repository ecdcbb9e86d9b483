#!/usr/bin/env bash
# The observer effect of --explain (docs/METHODOLOGY.md, "What the tracer costs"), before and after its cuts,
# three rounds back to back on a quiet machine, as root. "before" is main's fc978db, built in build-before/src/build of
# this worktree (git archive fc978db | tar -x -C build-before/src; cmake -S build-before/src -B build-before/src/build ...); "after" is
# build/. Per round, for each build (their order alternates by round):
#   ctxbench --explain and ctxbench without it on ctxswitch.pipe.process same-cpu and cross-cpu: the traced
#     median, the untraced p50 beside it, and the p50 of a run that never loaded the tracer;
#   peer-tracer-cost (peers/tracer_cost.c, built against each build's own BPF skeleton): the same ping-pong in
#     C, one round trip timed at a time, with nothing loaded (off), every program attached but nothing traced
#     (idle: what the timed samples of a --explain run saw before the cuts), all armed (all), and all but one
#     event group (-GROUP): a group's cost per round trip = all - (-GROUP);
#   the peer tracer on the same loop: perf stat (counting) and perf record (recording, per CPU) of the same
#     tracepoints, around peer-tracer-cost off.
# Output: results/observer/output.txt (raw files in $OUT), summarized by results/observer/summarize.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/ctxbench-observer}
mkdir -p "$out"
cc -O2 -Wall -Wextra -Werror -Ibuild-before/src/build/generated -I. peers/tracer_cost.c -lbpf -o "$out/tracer-cost-before"
cc -O2 -Wall -Wextra -Werror -Ibuild/generated -I. peers/tracer_cost.c -lbpf -o "$out/tracer-cost-after"
ops=20000
tps=sched:sched_switch,sched:sched_waking,sched:sched_wakeup,sched:sched_wakeup_new,raw_syscalls:sys_enter,raw_syscalls:sys_exit
tps=$tps,ipi:ipi_send_cpu,irq_vectors:reschedule_entry,irq_vectors:call_function_single_entry,irq:irq_handler_entry
tps=$tps,irq:irq_handler_exit,irq_vectors:local_timer_entry,irq_vectors:local_timer_exit,irq:softirq_entry,irq:softirq_exit
tps=$tps,exceptions:page_fault_user,exceptions:page_fault_kernel,kmem:rss_stat,sched:sched_migrate_task
source results/quiet.sh
{
  for round in 1 2 3; do
    order="before after"
    [[ $round == 2 ]] && order="after before"
    wait_quiet
    for b in $order; do
      dir=build
      [[ $b == before ]] && dir=build-before/src/build
      filter='^ctxswitch\.pipe\.(process|thread)/(same|cross)-cpu$'
      "$dir/ctxbench" --explain --filter "$filter" --json "$out/explain-$b-$round.json" >"$out/explain-$b-$round.txt" 2>&1
      "$dir/ctxbench" --filter "$filter" --json "$out/plain-$b-$round.json" >"$out/plain-$b-$round.txt" 2>&1
    done
    for b in $order; do
      echo "ctxbench $b round $round: $(python3 results/observer/summarize.py "$out/explain-$b-$round.json" "$out/plain-$b-$round.json")"
    done
    for where in same cross; do
      for mode in off idle all -sys -switch -switchend -wake -ipi -irq -fault -other; do
        for b in $order; do
          echo "harness $b round $round: $("$out/tracer-cost-$b" "$mode" "$where" $ops)"
        done
      done
      echo "perf-stat round $round $where: $(perf stat -x, -e "$tps" -- "$out/tracer-cost-after" off "$where" $ops 2>"$out/perfstat-$where-$round.csv")"
      awk -F, -v n=$ops '$1 ~ /^[0-9]+$/ && $1 > 0 { printf "  %s %.2f/op", $3, $1 / n } END { print "" }' "$out/perfstat-$where-$round.csv"
      echo "perf-record round $round $where: $(perf record -q -C 0,1 -e "$tps" -o "$out/perf-$where-$round.data" -- "$out/tracer-cost-after" off "$where" $ops 2>&1 | tail -1)"
    done
  done
  echo "end: $(cat /proc/loadavg)"
} | tee results/observer/output.txt
