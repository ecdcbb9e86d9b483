#!/usr/bin/env bash
# What each A/A set's noise allows (results/history/detectable_steps.py): runs 1-22 of each set into a fresh
# SQLite store, `history show --json`, then the share of the series within +-30% an ideal t-test could find a
# 10% step in, 11 runs before against 10 after, at p <= 0.001 (the detection target's terms).
#   bash results/history/detectable_judge.sh CTXBENCH SET...     (SET: a run files' folder, /work/aaN)
# Output: results/history/detectable-steps.txt's body, on stdout.
set -u
bin=$1
shift
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built "$bin"
work=$(mktemp -d /tmp/ctxbench-detectable.XXXX)
trap 'rm -rf "$work"' EXIT
echo "# $("$bin" --version 2>&1 | head -1)"
for set in "$@"; do
  runs=$(printf "$set/plain-%02d.json " $(seq 1 22))
  store=$work/$(basename "$set").sqlite
  "$bin" history add --store "$store" $runs > /dev/null || exit 1
  "$bin" history show --json --store "$store" > "$work/show.json" || exit 1
  echo "== $set (runs 1-22; $(head -1 "$set/log"))"
  echo "\$ /usr/bin/python3 results/history/detectable_steps.py --show show.json $set/plain-{01..22}.json"
  /usr/bin/python3 results/history/detectable_steps.py --show "$work/show.json" $runs
done
