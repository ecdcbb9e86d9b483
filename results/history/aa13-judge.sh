#!/usr/bin/env bash
# An A/A set (the thirteenth, then the fourteenth: held out, run before the store used the pair readings) judged twice, by a build
# before store version 3 (OLD: every repetition) and by this one (NEW: cross-CPU records judged on their
# repetitions at the usual CPU distance, analysis/pair_distance.hpp), the same commands as aa12-detection.txt.
#   results/history/aa13-judge.sh OLD_CTXBENCH NEW_CTXBENCH [SET]   (SET: the run files' folder, default /work/aa13;
#                                                                  OLD_CTXBENCH -: the new build only)
# Output: results/history/aa13-detection.txt's body, on stdout.
set -u
old=$1 new=$2 set=${3:-/work/aa13}
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built $([[ $old == - ]] || echo "$old") "$new"
echo "# the set: $(head -1 "$set/log")"
echo "\$ python3 results/history/near_pairs.py $set"
python3 results/history/near_pairs.py "$set"
echo "\$ python3 results/history/pair_witness_split.py $set/plain-*.json   (near/far repetitions per run)"
python3 results/history/pair_witness_split.py "$set"/plain-*.json | grep -v '^  '
for which in old new; do
  bin=${!which}
  [[ $bin == - ]] && continue
  echo
  echo "# $which: $("$bin" --version 2>&1 | head -1)"
  wait_quiet
  echo "\$ python3 scripts/history_detection.py --ctxbench $which --work /tmp/i22/aa13-$which --steps 0.10 --seed 1 $set/plain-{01..22}.json"
  rm -rf "/tmp/i22/aa13-$which"
  python3 scripts/history_detection.py --ctxbench "$bin" --work "/tmp/i22/aa13-$which" --steps 0.10 --seed 1 \
    $(printf "$set/plain-%02d.json " $(seq 1 22))
  echo "\$ python3 scripts/history_detection.py --ctxbench $which --work /tmp/i22/aa13-$which-gate --gate-from 8 --steps 0.10 $set/plain-*.json"
  rm -rf "/tmp/i22/aa13-$which-gate"
  python3 scripts/history_detection.py --ctxbench "$bin" --work "/tmp/i22/aa13-$which-gate" --gate-from 8 --steps 0.10 \
    "$set"/plain-*.json
done
echo "# done $(date -u +%FT%TZ)"
