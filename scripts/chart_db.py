#!/usr/bin/python3
"""The db.* suite as line charts against the number of concurrent client connections (log2 axis): queries/s,
server context switches per query and server CPU per query. One row per (scenario, database): PostgreSQL
(direct, PgBouncer) and MariaDB (thread per connection, pool of threads), each real server a solid line and
the synthetic server.* model meant to predict it a dashed line of the same colour (db_table.py's pairing).

  scripts/chart_db.py db.json -o db        # db.png + db.svg
  scripts/chart_db.py db.json              # db-db.png + db-db.svg beside the input
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxpanels as cp  # noqa: E402
import db_table as dt  # noqa: E402
import server_table as st  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.ticker  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

DATABASES = [("PostgreSQL", ["postgresql.direct", "postgresql.pgbouncer"]),
             ("MariaDB", ["mariadb.thread_per_connection", "mariadb.pool_of_threads"])]
METRICS = [("rps", "queries/s", 1.0, False), ("switches", "server switches per query", 1.0, True),
           ("cpu", "server CPU per query (µs)", 1e-3, True)]


def series(pts, scenario, kind, server):
    """[(connections, point)] of the ok points of one server (real id or synthetic model name), by connections."""
    return sorted(((p["connections"], p) for p in pts if p["scenario"] == scenario and p["server"] == server
                   and p["placement"].kind == kind and p["status"] == "ok"), key=lambda t: t[0])


def draw(doc):
    real, synth = dt.points(doc)
    if not real:
        return None
    rows = []
    for placement, scenario in dt.groups(real):
        for name, servers in DATABASES:
            if any(p["server"] in servers and p["scenario"] == scenario for p in real):
                rows.append((placement, scenario, name, servers))
    fig, axes = plt.subplots(len(rows), len(METRICS), figsize=(13, 3.0 * len(rows) + 0.8), squeeze=False)
    for ax_row, (placement, scenario, name, servers) in zip(axes, rows):
        kind = placement.kind
        ticks = set()
        for ax, (key, label, scale, log) in zip(ax_row, METRICS):
            ids = []
            for server in servers:
                color = st.MODEL_COLORS.get(dt.SYNTHETIC[server], "#555")
                for who, style, pts in ((server, "o-", real), (f"~ {dt.SYNTHETIC[server]}", "s--", synth)):
                    ser = series(pts, scenario, kind, who.lstrip("~ "))
                    xy = [(c, p[key] * scale) for c, p in ser if p[key] is not None and p[key] > 0]
                    ids += [p["id"] for _, p in ser]
                    if xy:
                        ax.plot([x for x, _ in xy], [y for _, y in xy], style, color=color, ms=3.5, lw=1.3,
                                alpha=1.0 if style == "o-" else 0.6, label=who + (" (server.*)" if who[0] == "~" else ""))
                        ticks |= {x for x, _ in xy}
            ax.set_xscale("log", base=2)
            if log:
                ax.set_yscale("log")
            else:
                ax.set_ylim(bottom=0)
            ax.set_xlabel("concurrent connections (log2)")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3, which="both")
            ax.set_title(f"{name}, {scenario}: {label}", fontsize=8)
            cp.tag(fig, f"{name}, {scenario}: {label}", label, label, ids, field=f"metrics.{key}")
        for ax in ax_row:
            if ticks:
                ax.set_xticks(sorted(ticks))
                ax.set_xticklabels([str(t) for t in sorted(ticks)], fontsize=7)
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax_row[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"ctxbench db suite: {cr.label(doc)}\nreal servers (solid) beside the synthetic server.* model "
                 "meant to predict each (dashed, 50 µs of work per request)", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / (3.0 * len(rows) + 0.8)))
    return fig


def main():
    cp.chart_main(__doc__, plt, lambda doc, a: draw(doc),
                  lambda a: f"{a.result}: no db.* records (run ctxbench --suite db)", default_suffix="-db")

if __name__ == "__main__":
    main()
