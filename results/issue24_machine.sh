#!/usr/bin/env bash
# Issue 24's last done-means bullet, shown (results/issue24-done-means.md, section 4): this machine's record of
# the scheduler, autogroup, microcode and PCID (`ctxbench doctor --json`, the machine block a run writes), and
# `ctxbench doctor` on the sched_ext and hybrid fixture trees (tests/fixtures/machine/README.md). Holds the quiet
# lock (results/quiet.sh); no timing is measured. Output: results/issue24-machine.txt.
set -u
cd "$(dirname "$0")/.."
source results/quiet.sh
require_built build/ctxbench
{
  echo "$(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "\$ ./build/ctxbench doctor --json  (these fields of it)"
  ./build/ctxbench doctor --json | python3 -c '
import json, sys
m = json.load(sys.stdin)
m = m.get("machine", m)
for k in ("scheduler", "sched_ext_state", "sched_ext_ops", "sched_autogroup_enabled", "microcode",
          "microcode_sources", "pcid", "invpcid"):
    print(f"  {k}: {json.dumps(m.get(k))}")
print("  cpu_capacity per CPU:", [t.get("cpu_capacity") for t in m.get("topology", [])])
print("  findings:", "; ".join(f["topic"] for f in m.get("findings", [])))'
  for tree in scx hybrid; do
    echo "\$ ./build/ctxbench doctor --root tests/fixtures/machine/$tree"
    ./build/ctxbench doctor --root tests/fixtures/machine/$tree
    echo "exit $?"
  done
} > results/issue24-machine.txt 2>&1
