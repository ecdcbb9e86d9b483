#!/usr/bin/env python3
"""Summarises results/futex/lock_pi_cause.sh's per-session lines (docs/METHODOLOGY.md, "Futex contention",
"lock_pi hand-offs, measured"). Input lines `SIDE N us acquisitions/s switches/acq handoff_share cross_cpu_share`
(lines starting with # are skipped; a "-" column is missing: such sessions count in the time column only). Prints, per N and side, the session count and the median (min-max) of each
column; then per N, over every session of every side, Spearman's rank correlation of the time per op with the
cross-CPU share and with switches per acquisition (ties get mean ranks), and the median time of the sessions
below and above the pooled median cross-CPU share; and the least-squares line us = a + b x (x the cross-CPU share)
over those sessions, with each side's median x, the line's time at it, and the median residual (us - line): a
side whose residual is near the others' differs from them by its cross-CPU share alone.
Usage: lock_pi_cause.py FILE"""
import collections
import statistics
import sys

COLUMNS = ["us_per_op", "acq_per_s", "switches_per_acq", "handoff_share", "cross_cpu_share"]


def ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(xs, ys):
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.mean(rx), statistics.mean(ry)
    num = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    den = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return num / den if den > 0 else float("nan")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows = collections.defaultdict(list)  # (n, side) -> [values]
    for line in open(sys.argv[1]):
        f = line.split()
        if len(f) != 7 or f[0].startswith("#"):
            continue
        rows[(int(f[1]), f[0])].append([float("nan") if x == "-" else float(x) for x in f[2:]])
    print("N  side                 sessions  " + "  ".join(f"{c}: median (min-max)" for c in COLUMNS))
    for (n, side), vs in sorted(rows.items()):
        cells = []
        for k in range(len(COLUMNS)):
            col = [v[k] for v in vs if v[k] == v[k]]
            if not col:
                cells.append("-")
                continue
            cells.append(f"{statistics.median(col):.3f} ({min(col):.3f}-{max(col):.3f})")
        print(f"{n}  {side:20s} {len(vs):3d}       " + "  ".join(cells))
    for n in sorted({n for n, _ in rows}):
        pooled = [v for (m, _), vs in rows.items() if m == n for v in vs if v[4] == v[4]]
        us = [v[0] for v in pooled]
        cross = [v[4] for v in pooled]
        sw = [v[2] for v in pooled]
        cut = statistics.median(cross)
        low = [v[0] for v in pooled if v[4] <= cut]
        high = [v[0] for v in pooled if v[4] > cut]
        print(f"N = {n}: {len(pooled)} sessions; Spearman(us, cross-CPU share) {spearman(us, cross):+.2f}, "
              f"Spearman(us, switches/acq) {spearman(us, sw):+.2f}; cross-CPU share <= {cut:.3f}: median "
              f"{statistics.median(low):.2f} us ({len(low)}), above: "
              f"{statistics.median(high) if high else float('nan'):.2f} us ({len(high)})")
    lines(rows)


def fit(xs, ys):
    """a, b, R^2 of the least-squares line y = a + b x."""
    mx, my = statistics.mean(xs), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else 0.0
    a = my - b * mx
    ss = sum((y - my) ** 2 for y in ys)
    res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    return a, b, 1 - res / ss if ss > 0 else float("nan")


def lines(rows):
    for n in sorted({n for n, _ in rows}):
        pooled = [v for (m, _), vs in rows.items() if m == n for v in vs if v[4] == v[4]]
        a, b, r2 = fit([v[4] for v in pooled], [v[0] for v in pooled])
        print(f"N = {n}: us = {a:.1f} + {b:.1f} x (R^2 {r2:.2f}); per side: median x, line at it, median us, "
              "median residual")
        for (m, side), vs in sorted(rows.items()):
            vs = [v for v in vs if v[4] == v[4]]
            if m != n or not vs:
                continue
            x = statistics.median(v[4] for v in vs)
            print(f"  {side:20s} x {x:.3f}  line {a + b * x:.2f}  us {statistics.median(v[0] for v in vs):.2f}  "
                  f"residual {statistics.median(v[0] - a - b * v[4] for v in vs):+.2f}")


main()
