#!/usr/bin/env python3
"""Splits each line of a wakepar_perf.sh output (results/futex/wakepar_perf.sh) into its fast and slow runs: perf's
runs (`[Run N]: ... in X ms`) and each peer line's rounds (its `values:` line, ns), per round of the script. A run is
slow above SPLIT_US (default 15 µs: between the two modes of 8/8 on this machine, docs/METHODOLOGY.md "perf's
`wake-parallel` figure against the peer given its thread life"). Prints per line: runs, median, mean, the count of
slow runs and the median of the fast ones, so a gap between two lines can be read as a different share of slow runs
or a different cost of a mode.
Usage: wakepar_modes.py FILE [SPLIT_US]"""
import re
import statistics
import sys


def lines_of(block):
    """(name, values in µs) for perf and every peer line of one round of the script's output."""
    perf = [float(x) * 1000 for x in re.findall(r"\[Run \d+\]: .* in ([0-9.]+) ms", block)]
    out = [("perf", perf)] if perf else []
    # An environment the line ran with (LD_PRELOAD=..., GLIBC_TUNABLES=...) names it too.
    peer = r"\$ ((?:[A-Z_]+=\S+ )*)peer-futex-wake-once parallel \S+ \S+ \S+ \S+ \S+ (\S+)\n\s*values: ([0-9 ]+)"
    for m in re.finditer(peer, block):
        env = m.group(1).strip()
        prefix = "preload " if env.startswith("LD_PRELOAD=") else (env.split("=", 1)[1] + " " if env else "")
        name = prefix + (m.group(2).replace("values,detail", "").strip(",") or "kept")
        out.append((name, [int(x) / 1000 for x in m.group(3).split()]))
    return out


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    split = float(sys.argv[2]) if len(sys.argv) == 3 else 15.0
    rounds = open(sys.argv[1]).read().split("=== round ")[1:]
    if not rounds:
        sys.exit(f"{sys.argv[1]}: no `=== round` blocks (not a wakepar_perf.sh output)")
    print(f"round shape  line                          runs  median   mean  slow(>{split:g} us)  fast median (us)")
    for block in rounds:
        head = block.split()[:3]  # "1 shape 8/8"
        for name, v in lines_of(block):
            fast = [x for x in v if x <= split]
            fast_median = f"{statistics.median(fast):5.1f}" if fast else "    -"
            print(f"{head[0]:5s} {head[2]:5s}  {name:28s} {len(v):4d} {statistics.median(v):7.1f} {statistics.mean(v):6.1f}"
                  f"  {sum(x > split for x in v):4d}            {fast_median}")


main()
