#!/usr/bin/env bash
# Bounded libFuzzer runs (clang, ASan+UBSan): the options parser, the machine-info parser and the
# result-file loader of `ctxbench compare`.
#   scripts/fuzz.sh [SECONDS]     default 30 s per target (FUZZ_SECONDS overrides too)
# Seeds: a few command lines, and the fixture machine trees (written by the target itself). A crash,
# a sanitizer report or a leak makes libFuzzer exit non-zero; the reproducer is left in build-fuzz/.
# Fix it, then add the input as a regression test (tests/options_test.cpp, tests/machine_test.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-30}}
dir=build-fuzz

CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCTXBENCH_SANITIZE=address,undefined -DCTXBENCH_FUZZ=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" --target options_fuzz machine_fuzz result_file_fuzz

corpus=$dir/corpus
rm -rf "$corpus"
mkdir -p "$corpus/options" "$corpus/machine" "$corpus/result_file"
i=0
for line in "--quick" "--json out.json --filter pipe.*same" "--cpus 0,1 --placement same,cross" \
            "--repetitions=5 --timeout 3 --label x --context k=v" "--benchmark_out=r.json --benchmark_filter=fork"; do
  printf '%s' "$line" | tr ' ' '\0' >"$corpus/options/seed$i"
  i=$((i + 1))
done

# Result-file seeds: the compare fixtures, each cut to three records of five samples so a seed fits -max_len.
/usr/bin/python3 - "$corpus/result_file" tests/fixtures/results/*.json <<'PY'
import json, sys
out = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    try:
        doc = json.load(open(path))
    except ValueError:
        text = open(path, errors="replace").read()[:4096]  # the not-JSON fixture, as it is
        open(f"{out}/seed{i}", "w").write(text)
        continue
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        doc["results"] = doc["results"][:3]
        for r in doc["results"]:
            if isinstance(r, dict) and isinstance(r.get("samples"), list):
                r["samples"] = r["samples"][:5]
        doc.pop("benchmarks", None)
    open(f"{out}/seed{i}", "w").write(json.dumps(doc))
PY

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for target in options_fuzz machine_fuzz result_file_fuzz; do
  sub=${target%_fuzz}
  echo "=== fuzz $target for ${seconds}s ===" >&2
  (cd "$dir" && CTXBENCH_FUZZ_SEED_DIR="corpus/$sub" "./$target" "corpus/$sub" -max_total_time="$seconds" \
     -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>"fuzz-$target.log") || status=1
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done)|ERROR|SUMMARY|Test unit written" \
    "$dir/fuzz-$target.log" >&2 || true
done
exit $status
