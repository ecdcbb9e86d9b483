#!/usr/bin/env bash
# Store version 3 at scale (docs/contracts.md, "The results store"): scripts/history_scale.py --runs 1000
# --records 800 into SQLite, the same store's `show` again with every pair reading set to NULL (does reading
# them cost show's time?), then into PostgreSQL in a private cluster this script starts and stops.
#   bash results/history/scale-v3.sh [CTXBENCH [sqlite|postgres|both]]   (default build/ctxbench both; output:
#   results/history/scale.txt). As root, the PostgreSQL cluster runs as nobody (initdb refuses root).
set -u
bin=${1:-build/ctxbench} which=${2:-both}
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built "$bin"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/ctxbench-scale.XXXX)
pgdir=$work/pg
as_owner=()
[[ $(id -u) == 0 ]] && as_owner=(runuser -u nobody --)
stop_pg() { [[ -f $pgdir/data/postmaster.pid ]] && "${as_owner[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null; rm -rf "$work"; }
trap stop_pg EXIT
echo "# $("$bin" --version 2>&1 | head -1); $(uname -r); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
if [[ $which != postgres ]]; then
wait_quiet
echo "== SQLite: scripts/history_scale.py --store $work/scale.sqlite --runs 1000 --records 800"
python3 scripts/history_scale.py --ctxbench "$bin" --store "$work/scale.sqlite" --runs 1000 --records 800
echo "== the same store, every pair reading set to NULL (sqlite3: UPDATE records SET pair_round_trips = NULL), show only"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE records SET pair_round_trips = NULL'); c.commit()" "$work/scale.sqlite"
wait_quiet
python3 scripts/history_scale.py --ctxbench "$bin" --store "$work/scale.sqlite" --skip-add
rm -f "$work/scale.sqlite"
fi
[[ $which == sqlite ]] && exit 0
mkdir -p "$pgdir"
chmod 755 "$work"
[[ ${#as_owner[@]} -gt 0 ]] && chown nobody "$pgdir"
"${as_owner[@]}" "$pgbin/initdb" -D "$pgdir/data" -U scale --auth=trust --no-sync >/dev/null
"${as_owner[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -o "-k $pgdir -c listen_addresses='' -c fsync=off" -l "$pgdir/log" -w start >/dev/null
"$pgbin/createdb" -h "$pgdir" -U scale scale
wait_quiet
echo "== PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'): scripts/history_scale.py --store postgresql://scale@/scale?host=PRIVATE --runs 1000 --records 800"
python3 scripts/history_scale.py --ctxbench "$bin" --store "postgresql://scale@/scale?host=$pgdir" --runs 1000 --records 800
echo "database size: $("$pgbin/psql" -h "$pgdir" -U scale -At -c "SELECT pg_size_pretty(pg_database_size('scale'))" scale)"
echo "# done $(date -u +%FT%TZ)"
