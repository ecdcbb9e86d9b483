#!/usr/bin/env python3
"""Per explained server.* (or db.*) record of a ctxbench --explain JSON file (docs/METHODOLOGY.md, "A request,
explained"): the traced median request and the sum of the phase medians per group -- the client's own phases,
and the server's waiting to run, switching, working, waking the next (creation included) and the rest -- then
the tail's excess and its three largest named causes with their shares, and the record's untraced p99/p50
beside the share of the tail's excess the named causes account for (issue 23: >= 80% where p99 > 2 x p50).
Usage: summarize.py OUT.json [PREFIX]   (PREFIX: server. by default; db. for the db suite)"""
import json
import sys

WAIT = ("server_woken_", "server_idle_cpu_", "server_busy_cpu_", "server_runnable_")


def group(key):
    if not key.startswith("server_"):
        return "client"
    if key.startswith(WAIT):
        return "server wait"
    if key.startswith("server_switched_in_") or key.endswith("_until_switch"):
        return "server switch"
    if key == "server_user_space" or key.endswith("_whole_call") or key.startswith("server_page_faults"):
        return "server work"
    if "_until_wake" in key or "_after_wakeup_" in key or "runnable" in key:
        return "server wake/create"
    return "server other"


ORDER = ["client", "server wait", "server switch", "server work", "server wake/create", "server other"]


def main(path, prefix="server."):
    with open(path) as f:
        doc = json.load(f)
    for r in doc["results"]:
        x = r.get("explain")
        if not r["probe"].startswith(prefix) or x is None or x.get("status") not in ("ok", "incomplete"):
            continue
        sums = {g: 0.0 for g in ORDER}
        for p in x["phases"]:
            if p["key"] != "unattributed":
                sums[group(p["key"])] += p["median_ns"]
        parts = "  ".join(f"{g} {sums[g] / 1000:.1f}" for g in ORDER if sums[g] > 0)
        print(f"{r['id']}: traced median {x['traced_median_ns'] / 1000:.1f} us, untraced p50 "
              f"{x.get('untraced_median_ns', 0) / 1000:.1f} us; phase medians (us): {parts}")
        top = sorted(x["phases"], key=lambda p: -p["median_ns"])[:4]
        print("    largest phases: " + "; ".join(f"{p['phase']} {p['median_ns'] / 1000:.1f} us" for p in top))
        t = x.get("tail")
        if t:
            named = [c for c in t["causes"] if c["kind"] != "unnamed"]
            unnamed = sum(c["share"] for c in t["causes"] if c["kind"] == "unnamed")
            causes = "; ".join(f"{c['kind']} {c['name']} {100 * c['share']:.0f}%" for c in named[:3])
            print(f"    tail ({t['ops_in_tail']} ops): +{t['excess_ns'] / 1000:.1f} us over the median ops "
                  f"({t['median_op_ns'] / 1000:.1f} us); named {100 * (1 - unnamed):.0f}%: {causes}")
            st = r.get("statistics", {})
            if st.get("p50"):
                unnamed_ns = sum(c["ns"] for c in t["causes"] if c["kind"] == "unnamed")
                print(f"    untraced p99/p50 {st['p99'] / st['p50']:.2f} ({st['p50'] / 1000:.1f} / "
                      f"{st['p99'] / 1000:.1f} us); traced tail/median {t['tail_op_ns'] / t['median_op_ns']:.2f}; "
                      f"named causes {100 * (1 - unnamed):.0f}% of the excess, unnamed {unnamed_ns / 1000:.1f} us")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
