# Sourced by every measurement script in results/ and scripts/measure_db.sh (results/README.md, "How these
# were measured"): take the machine's quiet lock for the whole script, so no build, test or second benchmark
# runs beside it, and wait for a quiet machine before each measured step.
#   source results/quiet.sh      # holds /tmp/ctxbench-quiet.lock on fd 9 until the script exits
#   wait_quiet                   # blocks until the 1-minute load is under 0.3 (gives up after 10 min)
# wait_quiet prints the load it started with, so every output file says how quiet its machine was.
if [[ -z "${CTXBENCH_QUIET_HELD:-}" ]]; then
  exec 9>/tmp/ctxbench-quiet.lock
  flock 9
  export CTXBENCH_QUIET_HELD=1  # a script this one runs sources quiet.sh too: it must not wait on our own lock
fi

wait_quiet() {
  local i load
  for i in $(seq 120); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$load" 'BEGIN { exit !(l < 0.3) }' && break
    sleep 5
  done
  echo "load at start: $(cat /proc/loadavg) ($(date -u +%FT%TZ), waited $(((i - 1) * 5)) s)"
}

# Exits 2, naming the script and the binary, unless every given binary is built (run from the repository root).
require_built() {
  local b
  for b in "$@"; do
    [[ -x $b ]] || { echo "$(basename "$0"): $b is missing: build it first (cmake --build build)" >&2; exit 2; }
  done
}
