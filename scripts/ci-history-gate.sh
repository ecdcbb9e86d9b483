#!/usr/bin/env bash
# The CI gate over history, with Chromium Pinpoint's rerun (docs/ci.md): `ctxbench history check` of the
# run; when it exits 3 (a regression one run shows, and --confirm 2 asks two runs to call it), ctxbench runs
# again with the same arguments and both runs are checked together.
#   scripts/ci-history-gate.sh RUN.json [CTXBENCH_ARGS...]    (the arguments RUN.json was measured with)
# THRESHOLD (default 5%) goes to --threshold. Exit status: history check's (0 no regression, 1 a regression
# both runs call, 2 bad input, 3 the runs disagree), or the rerun's own when it fails.
set -u
run="$1"
shift
rerun="${run%.json}-rerun.json"
threshold="${THRESHOLD:-5%}"
status=0
./build/ctxbench history check "$run" --threshold "$threshold" || status=$?
[ "$status" = 3 ] || exit "$status"
echo "ci-history-gate: a regression one run shows; measuring again to confirm it ($rerun)"
./build/ctxbench "$@" --json "$rerun" || { status=$?; echo "ci-history-gate: the rerun failed (exit $status)" >&2; exit "$status"; }
./build/ctxbench history check "$run" "$rerun" --threshold "$threshold"
