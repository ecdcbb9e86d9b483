#!/usr/bin/env python3
"""One line per ctxswitch.pairs* record of an --explain run (results/pairs/measure.sh explain): how pair 0's
round trip splits (docs/METHODOLOGY.md, "Many pairs, explained") beside every pair's throughput, switches and
the CPUs' idle share. Usage: explain_summary.py FILE.json. Prints what the file holds; computes nothing but
shares of figures ctxbench wrote."""
import json
import sys


def main():
    if len(sys.argv) != 2:
        print("usage: explain_summary.py FILE.json", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1]) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"explain_summary.py: cannot read {sys.argv[1]}: {e}", file=sys.stderr)
        return 2
    rows = []
    for r in doc.get("results", []):
        if not r.get("probe", "").startswith("ctxswitch.pairs"):
            continue
        rows.append(table_row(r))
        m = r.get("metrics", {})
        x = r.get("explain", {})
        head = (f"{r['id']}: p50 {r.get('statistics', {}).get('p50', 0) / 1000:.2f} us; all pairs "
                f"{m.get('handoffs_per_second', 0) / 1000:.0f}k hand-offs/s, "
                f"{m.get('round_trip_ns_all_pairs', 0) / 1000:.1f} us per round trip, "
                f"{m.get('switches_per_round_trip_all_pairs', 0):.2f} switches per round trip, "
                f"CPUs idle {100 * m.get('cpu_idle_share', 0):.0f}%")
        print(head)
        status = x.get("status", "absent")
        if status not in ("ok", "incomplete"):
            print(f"  explain {status}: {x.get('reason', '')}")
            continue
        print(f"  explain {status}: {x['followed_ops']}/{x['traced_ops']} ops followed, traced median "
              f"{x['traced_median_ns'] / 1000:.2f} us, explained_fraction {x['explained_fraction']:.3f}, "
              f"lost events {x['lost_events']}")
        phases = sorted(x.get("phases", []), key=lambda p: -p["share"])
        for p in phases[:6]:
            print(f"    {p['key']:<44} mean {p['mean_ns'] / 1000:6.2f} us  share {100 * p['share']:5.1f}%  "
                  f"median {p['median_ns'] / 1000:6.2f} us  in {100 * p['present']:5.1f}% of ops")
        load = [p for p in x.get("phases", []) if p["key"] == "runnable_behind_load"]
        load_share = load[0]["share"] if load else 0.0
        print(f"    behind the other pairs (runnable_behind_load): {100 * load_share:.1f}% of the mean op; "
              f"wake_to_run median {x['wake_to_run'].get('median_ns', 0) / 1000:.2f} us, queued_to_run median "
              f"{x['queued_to_run'].get('median_ns', 0) / 1000:.2f} us over {x['wake_to_run']['hand_offs']} hand-offs")
        tail = x.get("tail")
        if tail:
            tasks = [c for c in tail["causes"] if c["kind"] == "task"][:3]
            named = ", ".join(f"{c['name']} ({c.get('class', '')}, pid {c.get('pid', 0)}) {c['ns'] / 1000:.1f} us"
                              for c in tasks)
            print(f"    tail ({tail['ops_in_tail']} ops): {tail['tail_op_ns'] / 1000:.1f} us vs median "
                  f"{tail['median_op_ns'] / 1000:.1f} us; tasks that ran instead: {named or 'none'}")
    print()
    print("| record | hand-offs/s, all pairs | switches per round trip | CPUs idle | pair 0 p50 | traced median "
          "| behind the other pairs: share, mean, in ops | runnable_preempted share | queued_to_run median |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    return 0


def table_row(r):
    m = r.get("metrics", {})
    x = r.get("explain", {})
    phases = {p["key"]: p for p in x.get("phases", [])}
    behind = phases.get("runnable_behind_load", {})
    preempted = phases.get("runnable_preempted", {})
    return (f"| {r['id']} | {m.get('handoffs_per_second', 0) / 1000:.0f}k | "
            f"{m.get('switches_per_round_trip_all_pairs', 0):.2f} | {100 * m.get('cpu_idle_share', 0):.0f}% | "
            f"{r.get('statistics', {}).get('p50', 0) / 1000:.1f} us | {x.get('traced_median_ns', 0) / 1000:.1f} us | "
            f"{100 * behind.get('share', 0):.0f}%, {behind.get('mean_ns', 0) / 1000:.1f} us, "
            f"{100 * behind.get('present', 0):.0f}% | {100 * preempted.get('share', 0):.0f}% | "
            f"{x.get('queued_to_run', {}).get('median_ns', 0) / 1000:.1f} us |")


if __name__ == "__main__":
    sys.exit(main())
