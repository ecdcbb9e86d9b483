#!/usr/bin/env bash
# --explain over the db suite's one-connection records (docs/METHODOLOGY.md, "A request, explained"), on a quiet
# machine, as root: each query of a real PostgreSQL / PgBouncer / MariaDB split into the client's and the
# server's phases (the server's tasks followed from their creation; recorded from the first traced query).
# cross-cpu only (as results/explain_server; time). Not --quick: its db sweep is 4 connections only, whose records are skipped (overlapping requests); the db
# budget holds every record to 3 repetitions anyway. Then per record the explained_fraction of the median op
# and of the tail (results/explain_families/summarize.py), and the phases grouped per side, the tail's named
# causes and p99/p50 (results/explain_server/summarize.py). Holds the quiet lock; waits for load below 0.3.
# Output: results/explain_db/output.txt (console and summaries), results/explain_db/db.json.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
{
  wait_quiet
  echo "\$ ./build/ctxbench --suite db --placement cross --filter '/connections:1/' --explain --json results/explain_db/db.json"
  ./build/ctxbench --suite db --placement cross --filter '/connections:1/' --explain --json results/explain_db/db.json
  echo "exit status $?"
  python3 results/explain_families/summarize.py results/explain_db/db.json
  python3 results/explain_server/summarize.py results/explain_db/db.json db.
} > results/explain_db/output.txt 2>&1
