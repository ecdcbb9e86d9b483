#!/usr/bin/env bash
# The gate on held-out A/A sets, judged by a build before the rule "a figure its own run questions needs two
# runs" (OLD) and by one with it (NEW; analysis/figure_warnings.hpp): each run from the 8th checked alone
# (--confirm 1) and with the run after it, A/A and with a 10% step in 30% of the records.
#   bash results/history/figure_warnings_gate.sh OLD_CTXBENCH NEW_CTXBENCH SET...   (SET: a run files' folder)
# Output: results/history/figure-warnings-gate.txt's body, on stdout.
set -u
old=$1 new=$2
shift 2
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built "$old" "$new"
for set in "$@"; do
  echo "# the set: $(head -1 "$set/log")"
  for which in old new; do
    bin=${!which}
    echo "# $which: $("$bin" --version 2>&1 | head -1)"
    wait_quiet
    work=/tmp/i22/flag-$(basename "$set")-$which
    rm -rf "$work"
    echo "\$ python3 scripts/history_detection.py --ctxbench $which --work $work --gate-from 8 --steps 0.10 $set/plain-*.json"
    python3 scripts/history_detection.py --ctxbench "$bin" --work "$work" --gate-from 8 --steps 0.10 "$set"/plain-*.json |
      grep '^gate'
  done
done
echo "# done $(date -u +%FT%TZ)"
