#!/usr/bin/env bash
# --explain over the server suite (docs/METHODOLOGY.md, "A request, explained"), --quick, on a quiet machine,
# as root: every connections:1 record's request split into the client's and the server's phases, the C > 1
# records' skip reason; then per record the explained_fraction of the median op and of the tail
# (results/explain_families/summarize.py) and the phases grouped per side with the tail's named causes
# (summarize.py here). Holds the quiet lock; waits for the 1-minute load below 0.3.
# Output: results/explain_server/output.txt (console and summaries), results/explain_server/server.json.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
{
  wait_quiet
  echo "\$ ./build/ctxbench --suite server --quick --explain --json results/explain_server/server.json"
  ./build/ctxbench --suite server --quick --explain --json results/explain_server/server.json
  echo "exit status $?"
  python3 results/explain_families/summarize.py results/explain_server/server.json
  python3 results/explain_server/summarize.py results/explain_server/server.json
} > results/explain_server/output.txt 2>&1
