#!/usr/bin/env bash
# The aarch64 step of ./test.sh (README.md, "On aarch64"): cross-builds (scripts/build-aarch64.sh), runs the
# aarch64 unit tests under qemu-user (the subset CMakeLists.txt builds for a cross-build: pure code, fixture
# trees, doctor/compare/history through the binary), then a --quick run of a few probes of each kind (a
# one-task probe, a switch between processes and threads, fork+exec of the static helper and of /bin/true,
# a thread, a spinning pair) whose records must each be ok, or skipped with a reason, in a JSON that says it
# was emulated. Functional only: no figure of it is a measurement (docs/METHODOLOGY.md, "Emulated runs").
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${CTXBENCH_AARCH64_DIR:-build-aarch64}
export CTXBENCH_AARCH64_DIR=$dir

scripts/build-aarch64.sh
"$dir/ctxbench_tests" --gtest_brief=1

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
filter='^(baseline\.syscall|ipc\.pipe\.self|ctxswitch\.pipe\.(process|thread)|process\.fork_exec\.(static|bin_true)'
filter+='|process\.posix_spawn|thread\.create_join|shm\.pingpong)/'
"$dir/ctxbench" --quick --filter "$filter" --json "$out/quick.json" >"$out/table.txt"
head -1 "$out/table.txt" >&2
/usr/bin/python3 - "$out/quick.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
emulated = doc["machine"].get("emulated", {})
problems = []
if emulated.get("emulated") is not True:
    problems.append(f"machine.emulated does not say the run was emulated: {emulated}")
ok = 0
for r in doc["results"]:
    if r["status"] == "ok":
        ok += 1
    elif r["status"] != "skipped" or not r.get("reason"):
        problems.append(f"{r['id']}: {r['status']} {r.get('reason', '(no reason)')}")
if ok < 10:
    problems.append(f"only {ok} records ok")
for p in problems:
    print("aarch64 smoke run:", p, file=sys.stderr)
print(f"aarch64 smoke run under {emulated.get('emulator')}: {ok} of {len(doc['results'])} records ok, "
      f"the rest skipped with a reason", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
