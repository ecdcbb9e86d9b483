#!/usr/bin/env python3
"""Summarises results/futex/wake_all_30.sh outputs (docs/METHODOLOGY.md, "Futex contention", wake_all with 30
sessions a side), one file a run:
- per N and run: ctxbench/peer ratio of the median session medians with its Mann-Whitney p, the same against the
  round-end peer, the A/A line (peer/copy) and peer/round-end, all as session_modes.py printed them;
- per N and run, block by block (the sides interleave, so a block is one stretch of time): the median of each
  side's sessions in the block, ctxbench's pooled involuntary switches per op in it, and the median over the
  blocks of ctxbench/peer within a block, which a state of the machine that moves every side at once cancels.
Usage: wake_all_30_table.py FILE..."""
import re
import statistics
import sys

ROW = re.compile(r"^(\d+)(?: vs (\S+))?\s+\d+/\d+\s+[\d.]+/[\d.]+\s+x([\d.]+)\s.*\s([\d.]+|nan)\s+([\d.]+)\s+"
                 r"(same distribution|differ)$")


def parse(path):
    """The session_modes rows (by section), the per-session medians per side, the blocks and the pooled switches."""
    rows, sessions, invol = {}, {}, {}
    section, blocks = "cb", 6
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("command:"):
            blocks = int(re.search(r"BLOCKS=(\d+)", line).group(1))
        elif "--against peer" in line and line.startswith("==="):
            section = "aa"
        elif m := ROW.match(line):
            n, side = m.group(1), m.group(2) or "peer"
            rows[(section, n, side)] = (float(m.group(3)), float(m.group(5)))
        elif m := re.match(r"^(\d+) (ctxbench|peer(?:\+[\w-]+)?) ([\d.,]+)$", line):
            sessions[(m.group(1), m.group(2))] = [float(v) for v in m.group(3).split(",")]
        elif m := re.match(r"^ctxbench pooled \S+/waiters:(\d+)/\S+: .*involuntary ([\d.]+)\)", line):
            invol.setdefault(m.group(1), []).append(float(m.group(2)))
    return rows, sessions, invol, blocks


def cell(rows, key):
    r = rows.get(key)
    return f"x{r[0]:.2f} ({r[1]:.3f})" if r else "-"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = [parse(p) for p in sys.argv[1:]]
    print("N  run  ctxbench/peer (p)  ctxbench/round-end (p)  A/A peer/copy (p)  peer/round-end (p)")
    for n in ("1", "2", "4", "8"):
        for i, (rows, _, _, _) in enumerate(runs, 1):
            if ("cb", n, "peer") not in rows:
                continue
            print(f"{n}  {i}    {cell(rows, ('cb', n, 'peer')):17s}  {cell(rows, ('cb', n, 'peer+round-end')):22s}"
                  f"  {cell(rows, ('aa', n, 'peer+copy')):17s}  {cell(rows, ('aa', n, 'peer+round-end'))}")
    print("\nper block (us; ctxbench's pooled involuntary switches per op), median over blocks of ctxbench/peer")
    for n in ("1", "2", "4", "8"):
        for i, (_, sessions, invol, blocks) in enumerate(runs, 1):
            sides = [s for s in ("ctxbench", "peer", "peer+copy", "peer+round-end") if (n, s) in sessions]
            if "ctxbench" not in sides:
                continue
            per = len(sessions[(n, "ctxbench")]) // blocks
            med = {s: [statistics.median(sessions[(n, s)][b * per:(b + 1) * per]) for b in range(blocks)]
                   for s in sides}
            cols = " | ".join(f"{s} " + " ".join(f"{v:.1f}" for v in med[s]) for s in sides)
            ratio = statistics.median(c / p for c, p in zip(med["ctxbench"], med["peer"]))
            print(f"{n} run {i}: {cols} | involuntary " + " ".join(f"{v:.2f}" for v in invol.get(n, []))
                  + f" | x{ratio:.2f}")


main()
