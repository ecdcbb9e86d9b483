#!/usr/bin/env python3
"""The table of results/epoll_peer/measure.sh's three rounds: ctxbench's ctxswitch.eventfd_epoll.thread round
trip (p50, switches per op) same-cpu and cross-cpu, and perf bench epoll wait's figure per setting turned into
a time per op (1e9 / the worker's "Averaged N operations/sec"), with the writer's loops per worker op.
Usage: table.py DIR"""
import json
import re
import sys

SETTINGS = ["shipped", "same-cpu", "same-slack", "cross-slack"]
RUNTIME_S = 5  # measure.sh's -r 5; the writer loops one second more after the workers stop (perf's "sleep(1)")


def peer(path):
    text = open(path).read()
    ops = re.search(r"Averaged (\d+) operations/sec", text)
    loops = re.search(r"total full-loops: (\d+)", text)
    if not ops:
        return None
    per_sec = int(ops.group(1))
    return {
        "per_sec": per_sec,
        "ns_per_op": 1e9 / per_sec if per_sec else float("nan"),
        "loops_per_op": (int(loops.group(1)) / (per_sec * (RUNTIME_S + 1))) if loops and per_sec else None,
    }


def writer(path):
    m = re.search(r"([0-9.]+) ns per loop", open(path).read())
    return float(m.group(1)) if m else None


def ctxbench(path):
    out = {}
    for r in json.load(open(path))["results"]:
        if r["status"] != "ok":
            continue
        out[r["placement"]["kind"]] = (r["statistics"]["p50"], r.get("switches_per_op", {}).get("measured"))
    return out


def main(d):
    rows = []
    print("| round | ctxbench same-cpu round trip (switches/op) | ctxbench cross-cpu round trip (switches/op) | "
          + " | ".join(f"perf `{s}` ns/op (writer loops/op)" for s in SETTINGS) + " |")
    print("|---" * (3 + len(SETTINGS)) + "|")
    for r in (1, 2, 3):
        c = ctxbench(f"{d}/ctxbench_r{r}.json")
        p = {s: peer(f"{d}/peer_r{r}_{s}.txt") for s in SETTINGS}
        rows.append((c, p))

        def cb(kind):
            if kind not in c:
                return "-"
            sw = c[kind][1]
            return f"{c[kind][0]:.0f} ns ({sw:.2f})" if sw is not None else f"{c[kind][0]:.0f} ns"

        def pc(s):
            if not p[s]:
                return "-"
            lo = p[s]["loops_per_op"]
            return f"{p[s]['ns_per_op']:.0f} ns" + (f" ({lo:.2f})" if lo is not None else "")

        print(f"| {r} | {cb('same-cpu')} | {cb('cross-cpu')} | " + " | ".join(pc(s) for s in SETTINGS) + " |")
    print()
    print("The writer's loop alone on CPU 0 (writer_alone.c: write + nanosleep(500 ns), no worker), ns per loop:")
    print()
    print("| round | default timer slack | timer slack 1 ns |")
    print("|---|---|---|")
    for r in (1, 2, 3):
        w = [writer(f"{d}/writer_r{r}_{k}.txt") for k in ("default", "slack")]
        print(f"| {r} | " + " | ".join("-" if x is None else f"{x:.0f} ns" for x in w) + " |")
    print()
    print("Ratios, perf ns/op over ctxbench's round trip of the same placement (within 15%: 0.85-1.15):")
    print()
    print("| round | `same-slack` / same-cpu | `same-cpu` / same-cpu | `cross-slack` / cross-cpu | `shipped` / cross-cpu |")
    print("|---|---|---|---|---|")
    for i, (c, p) in enumerate(rows, 1):
        def ratio(s, kind):
            if not p[s] or kind not in c:
                return "-"
            return f"{p[s]['ns_per_op'] / c[kind][0]:.2f}"
        print(f"| {i} | {ratio('same-slack', 'same-cpu')} | {ratio('same-cpu', 'same-cpu')} | "
              f"{ratio('cross-slack', 'cross-cpu')} | {ratio('shipped', 'cross-cpu')} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
