#!/usr/bin/env python3
"""Compares the per-session medians of ctxbench's futex_wake_parallel repetitions with those of the peer's
processes (one session each: a fresh set of waiter and waker threads), shape by shape
(results/futex/wake_parallel_30.sh, docs/METHODOLOGY.md "Why `wake_parallel` moves, measured").
Input lines (text): `SHAPE ctxbench|peer|peer+OPTIONS M1,M2,...` (per-session medians in µs; peer+OPTIONS: the
peer with those options, wake_parallel_30.sh's PEER_LINES). For each shape and each peer side it prints:
- both sides' session counts, the median of their session medians and their ratio ctxbench/peer;
- the two modes: the split of the pooled sessions (both sides) into a fast and a slow group that minimises the
  within-group variance of log(median) (1-D 2-means, exact), the split point, and each side's count of slow
  sessions; a shape is bimodal when the two groups' means differ by 1.5x or more, otherwise one mode;
- Fisher's exact test (two-sided) of the slow share, and the Mann-Whitney U test (two-sided, normal
  approximation with tie correction) of the two sides' session medians.
Verdict per shape: `same distribution` when both p >= 0.05, else `differ`.
For a bimodal shape, each side's sessions in run order as slow (S) and fast (f), with the Wald-Wolfowitz runs
test (two-sided, normal approximation): fewer runs than chance means slow sessions come in stretches, so they
do not settle independently of each other and a share over 30 sessions is not 30 independent draws.
--against SIDE compares every other peer side with SIDE instead of ctxbench (e.g. `--against peer`: the peer
against its own copy, an A/A line; results/futex/lock_pi_30.sh); SIDE then takes ctxbench's place in the output.
Several FILEs pool their runs: a side's sessions from every file, in file order, as one side (a side that appears
in some files only keeps the sessions it has). --alias NAME=SIDE reads side NAME as SIDE, for one option set
spelt two ways (wake_parallel_30.sh's PEER_LINES). Pooling answers whether runs that disagree one by one are
draws of one distribution: sessions that settle in stretches longer than a block of one run
(docs/METHODOLOGY.md, "The 8/8 runs pooled") make a 30-session comparison within one run differ by chance.
Usage: session_modes.py [--against SIDE] [--alias NAME=SIDE]... FILE..."""
import collections
import math
import statistics
import sys


def split_2means(values):
    """The threshold t (a session is slow when its median > t) minimising within-group variance of log."""
    xs = sorted(math.log(v) for v in values)
    best = None
    for k in range(1, len(xs)):
        lo, hi = xs[:k], xs[k:]
        cost = sum((x - statistics.fmean(lo)) ** 2 for x in lo) + sum((x - statistics.fmean(hi)) ** 2 for x in hi)
        if best is None or cost < best[0]:
            best = (cost, math.exp((xs[k - 1] + xs[k]) / 2), math.exp(statistics.fmean(lo)),
                    math.exp(statistics.fmean(hi)))
    return best[1:]


def fisher_two_sided(a, b, c, d):
    """Fisher's exact test of the 2x2 table [[a, b], [c, d]]: the sum of the probabilities of every table with
    the same margins no more likely than the observed one."""
    n, row1, col1 = a + b + c + d, a + b, a + c

    def p(x):
        return math.comb(col1, x) * math.comb(n - col1, row1 - x) / math.comb(n, row1)

    observed = p(a)
    lo, hi = max(0, row1 + col1 - n), min(row1, col1)
    return min(1.0, sum(p(x) for x in range(lo, hi + 1) if p(x) <= observed * (1 + 1e-9)))


def mann_whitney(xs, ys):
    """Two-sided p of the Mann-Whitney U test, normal approximation with tie correction and continuity."""
    both = sorted([(v, 0) for v in xs] + [(v, 1) for v in ys])
    ranks, i = [0.0] * len(both), 0
    ties = 0.0
    while i < len(both):
        j = i
        while j + 1 < len(both) and both[j + 1][0] == both[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    n1, n2 = len(xs), len(ys)
    r1 = sum(r for r, (_, side) in zip(ranks, both) if side == 0)
    u1 = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    if sigma == 0:
        return u1, 1.0
    z = (abs(u1 - n1 * n2 / 2) - 0.5) / sigma
    return u1, min(1.0, math.erfc(max(z, 0) / math.sqrt(2)))


def runs_test(flags):
    """Runs of equal flags in order, their expectation under independence, and the two-sided p."""
    n1, n2 = sum(flags), len(flags) - sum(flags)
    runs = 1 + sum(a != b for a, b in zip(flags, flags[1:]))
    if n1 == 0 or n2 == 0:
        return runs, float(runs), 1.0
    n = n1 + n2
    mean = 1 + 2 * n1 * n2 / n
    var = 2 * n1 * n2 * (2 * n1 * n2 - n) / (n * n * (n - 1))
    z = (runs - mean) / math.sqrt(var) if var > 0 else 0.0
    return runs, mean, math.erfc(abs(z) / math.sqrt(2))


def main():
    args = sys.argv[1:]
    ref, alias = "ctxbench", {}
    while len(args) >= 2 and args[0] in ("--against", "--alias"):
        if args[0] == "--against":
            ref = args[1]
        elif "=" in args[1]:
            name, side = args[1].split("=", 1)
            alias[name] = side
        else:
            sys.exit(f"--alias {args[1]}: expected NAME=SIDE")
        args = args[2:]
    if not args or any(a.startswith("--") for a in args):
        sys.exit(__doc__)
    data = collections.defaultdict(lambda: collections.defaultdict(list))
    for path in args:
        for line in open(path):
            parts = line.split()
            if len(parts) == 3 and (parts[1] in ("ctxbench", "peer") or parts[1].startswith("peer+")) \
                    and not parts[1].endswith("_pooled_p50"):
                side = alias.get(parts[1], parts[1])
                data[parts[0]][side] += [float(v) for v in parts[2].split(",") if v]
    if not data:
        sys.exit(f"{' '.join(args)}: no `SHAPE ctxbench|peer M1,M2,...` lines")
    short = "cb" if ref == "ctxbench" else ref
    print(f"shape  sessions {short}/peer  median of session medians {short}/peer (us), ratio  modes (fast/slow mean,"
          f" split)  slow {short}/peer  Fisher p  Mann-Whitney p  verdict")
    for shape, sides in data.items():
        for name in (s for s in sides if s not in ("ctxbench", ref)):
            compare(shape, ref, sides.get(ref, []), name, sides[name])


def compare(shape, ref, cb, name, peer):
    """One row of the table: the sessions of SHAPE on side ref (ctxbench unless --against) against one peer
    side's."""
    label = shape if name == "peer" and ref == "ctxbench" else f"{shape} vs {name}"
    if not cb or not peer:
        print(f"{label}: one side has no sessions")
        return
    t, fast, slow = split_2means(cb + peer)
    bimodal = slow / fast >= 1.5
    s_cb, s_peer = sum(v > t for v in cb), sum(v > t for v in peer)
    pf = fisher_two_sided(s_cb, len(cb) - s_cb, s_peer, len(peer) - s_peer) if bimodal else float("nan")
    _, pu = mann_whitney(cb, peer)
    modes = f"{fast:.1f}/{slow:.1f}, {t:.1f}" if bimodal else f"one mode ({fast:.1f}/{slow:.1f})"
    slow_txt = f"{s_cb}/{s_peer}" if bimodal else "-"
    verdict = "same distribution" if pu >= 0.05 and (not bimodal or pf >= 0.05) else "differ"
    mc, mp = statistics.median(cb), statistics.median(peer)
    print(f"{label:5s}  {len(cb):3d}/{len(peer):<3d}  {mc:6.2f}/{mp:<6.2f} x{mc / mp:.2f}"
          f"  {modes}  {slow_txt}  {pf:.3f}  {pu:.3f}  {verdict}")
    print(f"       {ref}: {' '.join(f'{v:.1f}' for v in sorted(cb))}")
    print(f"       {name}: {' '.join(f'{v:.1f}' for v in sorted(peer))}")
    for side_name, side in ((ref, cb), (name, peer)):
        if bimodal:
            flags = [v > t for v in side]
            runs, mean, p = runs_test(flags)
            print(f"       {side_name} in run order: {''.join('S' if f else 'f' for f in flags)}  runs {runs}"
                  f" (independent: {mean:.1f}), runs test p {p:.3f}")


main()
