#!/usr/bin/env python3
"""Lays a CPU's guest events (`perf script -F time,event --ns` lines "SECONDS.NANOS: EVENT:", recorded with
-k mono, the clock the peer reads) over the gaps build/peer-host-gaps saw on that CPU
("gap START END"): per size band, how many gaps and how much time had a guest event inside and how many had
none (time the guest kernel did not see being taken), with the rate per second of the spin.
Usage: host_gaps.py CPU GAPS_FILE EVENTS_FILE"""
import bisect
import sys

BANDS = [2e3, 5e3, 10e3, 20e3, 50e3, 100e3, 1e9]


def main(cpu, gaps_path, events_path):
    gaps, spun = [], None
    for line in open(gaps_path):
        f = line.split()
        if f[0] == "gap":
            gaps.append((int(f[1]), int(f[2])))
        elif f[0] == "spun":
            spun = float(f[1])
    events = sorted(int(f[0].rstrip(":").replace(".", "")) for f in (l.split() for l in open(events_path)) if f)
    if spun is None or not events:
        sys.exit(f"host_gaps.py: no spin summary in {gaps_path} or no events in {events_path}")
    lo, hi = gaps[0][0] if gaps else 0, gaps[-1][1] if gaps else 0
    print(f"cpu {cpu}: spun {spun:.1f} s, {len(gaps)} gaps >= 2 us, {len(events)} guest events ({lo}..{hi})")
    print(f"  {'gap size':>14} {'with event':>11} {'time':>9} {'no event':>9} {'time':>9} {'no event /s':>11}")
    total_unseen = 0
    for a, b in zip(BANDS, BANDS[1:]):
        seen = unseen = 0
        seen_ns = unseen_ns = 0
        for s, e in gaps:
            d = e - s
            if not a <= d < b:
                continue
            i = bisect.bisect_left(events, s)
            if i < len(events) and events[i] <= e:
                seen, seen_ns = seen + 1, seen_ns + d
            else:
                unseen, unseen_ns = unseen + 1, unseen_ns + d
        total_unseen += unseen_ns
        band = f"{a / 1e3:.0f}-{b / 1e3:.0f} us" if b < 1e9 else f">= {a / 1e3:.0f} us"
        print(f"  {band:>14} {seen:>11} {seen_ns / 1e6:>7.2f}ms {unseen:>9} {unseen_ns / 1e6:>7.2f}ms {unseen / spun:>11.1f}")
    print(f"  time taken with no guest event: {total_unseen / 1e6:.2f} ms of {spun:.1f} s ({100 * total_unseen / 1e9 / spun:.3f}%)")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
