#!/usr/bin/env bash
# Every test: installs what is missing, checks every C/C++ file's format (clang-format), then builds and
# runs the GoogleTest suite (unit + integration) three times: Release, ASan+UBSan, TSan, then fuzzes the
# parsers for a bounded time (scripts/fuzz.sh). On x86-64 it also cross-builds for aarch64 and tests that
# build under qemu-user (scripts/test-aarch64.sh).
# CTXBENCH_SANITIZERS=0 runs the Release pass only; CTXBENCH_FUZZ=0 skips fuzzing; CTXBENCH_AARCH64=0 the
# aarch64 step.
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh --test

# Formatting first: seconds, and a mis-formatted file fails here rather than after 40 minutes.
echo "=== clang-format ===" >&2
git ls-files -z '*.c' '*.h' '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run -Werror

# Each step's wall seconds, printed at the end: where the test command's time goes (CI allows 90 minutes).
timings=()
timed() {  # label, command...
  local label=$1 start=$SECONDS
  shift
  "$@"
  timings+=("$label: $((SECONDS - start)) s")
  echo "--- $label took $((SECONDS - start)) s" >&2
}

run_pass() {  # name, build dir, extra cmake args...
  local name=$1 dir=$2
  shift 2
  echo "=== $name ===" >&2
  cmake -S . -B "$dir" "$@" >/dev/null
  timed "$name build" cmake --build "$dir" -j"$(nproc)"
  # -j: the suites CMakeLists.txt names parallel-safe share the CPUs; every other test runs alone.
  timed "$name tests" bash -c "cd '$dir' && ctest --output-on-failure --timeout 900 -j$(nproc)"
}

run_pass release build -DCMAKE_BUILD_TYPE=Release
ln -sf build/ctxbench ctxbench
# The Python scripts (charts, report, exports) and the CI workflow check, with Debian's python3: its
# matplotlib/numpy/scipy/yaml are the ones install-deps installs (a pyenv python3 first in PATH has none).
echo "=== scripts (pytest) ===" >&2
timed pytest /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
# aarch64 (README.md, "On aarch64"): cross-built and run under qemu-user, so an x86-only change cannot land.
# On an aarch64 machine the passes above already ran natively. CTXBENCH_AARCH64=0 skips it.
if [[ "${CTXBENCH_AARCH64:-1}" != 0 && $(uname -m) == x86_64 ]]; then
  echo "=== aarch64 (cross-build, unit tests and --quick under qemu-user) ===" >&2
  timed aarch64 scripts/test-aarch64.sh
fi
if [[ "${CTXBENCH_SANITIZERS:-1}" != 0 ]]; then
  # halt_on_error: a sanitizer report fails the test instead of scrolling past.
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  run_pass "asan+ubsan" build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCTXBENCH_SANITIZE=address,undefined
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  run_pass tsan build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCTXBENCH_SANITIZE=thread
fi
if [[ "${CTXBENCH_FUZZ:-1}" != 0 ]]; then
  # Bounded libFuzzer runs (clang): options parser and machine-info parser, 30 s each by default.
  timed fuzz scripts/fuzz.sh "${CTXBENCH_FUZZ_SECONDS:-30}"
fi
printf '%s\n' "${timings[@]}" >&2
echo "all tests passed in $SECONDS s" >&2
