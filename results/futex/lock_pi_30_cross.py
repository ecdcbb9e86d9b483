#!/usr/bin/env python3
"""Cross-CPU hand-off shares in a results/futex/lock_pi_30.sh output (docs/METHODOLOGY.md, "Futex contention",
"lock_pi hand-offs, measured"): per N, ctxbench's blocks' pooled shares (each block's record pools its
repetitions), the peer's and the copy's per-process shares (mean and median), and the median of the session
medians of each side with ctxbench/peer. Needs an output made after lock_pi_30.sh printed the shares.
Usage: lock_pi_30_cross.py FILE"""
import collections
import re
import statistics
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cross = collections.defaultdict(list)  # (n, side) -> shares
    us = {}
    side = None
    for line in open(sys.argv[1]):
        m = re.match(r"ctxbench pooled ctxswitch\.futex_lock_pi/waiters:(\d+)/.*cross-CPU ([0-9.]+)", line)
        if m:
            cross[(int(m.group(1)), "ctxbench")].append(float(m.group(2)))
            continue
        m = re.match(r"=== (peer|copy) (\d+):", line)
        if m:
            side = (int(m.group(2)), m.group(1))
            continue
        m = re.search(r"cross-CPU ([0-9.]+) of", line)
        if m and side:
            cross[side].append(float(m.group(1)))
            continue
        m = re.match(r"(\d+) (ctxbench|peer|peer\+copy) ([0-9.,]+)$", line.strip())
        if m:
            us[(int(m.group(1)), m.group(2).replace("peer+copy", "copy"))] = [float(v) for v in m.group(3).split(",")]
    for n in sorted({n for n, _ in cross}):
        parts = []
        for s in ("ctxbench", "peer", "copy"):
            xs = cross.get((n, s), [])
            if xs:
                parts.append(f"{s} cross-CPU mean {statistics.mean(xs):.3f} median {statistics.median(xs):.3f} "
                             f"({min(xs):.3f}-{max(xs):.3f}, {len(xs)} {'blocks' if s == 'ctxbench' else 'processes'})")
        t = {s: statistics.median(us[(n, s)]) for s in ("ctxbench", "peer", "copy") if (n, s) in us}
        times = ", ".join(f"{s} {v:.2f} us" for s, v in t.items())
        ratio = f" x{t['ctxbench'] / t['peer']:.2f}" if "ctxbench" in t and "peer" in t else ""
        print(f"N = {n}: " + "; ".join(parts) + f"; median of session medians {times}{ratio}")


main()
