#!/usr/bin/python3
"""Distribution of chosen probes: the ECDF (left) and the percentile spectrum (right: x = 1/(1-p) on a log
axis, so p50, p90, p99, p99.9 are evenly spaced and the tail is visible). Computed by hand from the raw
samples (repetition medians when a file has no samples).

  scripts/chart_distribution.py results/kvm2-guest.json -o dist --probe 'ctxswitch.pipe.process/'
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxpanels as cp  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DEFAULT = r"^ctxswitch\.pipe\.(process|thread)/"


def ecdf(values):
    x = np.sort(np.asarray(values, dtype=float))
    y = np.arange(1, len(x) + 1) / len(x)
    return x, y


def draw(doc, pattern=DEFAULT):
    rx = re.compile(pattern)
    recs = [r for r in cr.ok_records(doc) if rx.search(r.get("id", "")) and cr.samples(r)[0]]
    if not recs:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    for r in recs:
        vals, basis = cr.samples(r)
        x, y = ecdf(vals)
        lab = f"{r['id']} (n={len(vals)}{'' if basis == 'samples' else ', ' + basis})"
        ax1.step(x, y, where="post", label=lab, lw=1.2)
        # spectrum: the i-th sorted value is the p = (i+0.5)/n quantile; plot against 1/(1-p)
        p = (np.arange(len(x)) + 0.5) / len(x)
        ax2.plot(1 / (1 - p), x, lw=1.2, label=lab)
    ax1.set_xscale("log")
    ax1.set_xlabel("time per op (ns, log)")
    ax1.set_ylabel("fraction of samples <= x")
    ax1.set_title("ECDF")
    ax1.grid(alpha=0.3, which="both")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ticks = [2, 10, 100, 1000]
    ax2.set_xticks(ticks)
    ax2.set_xticklabels(["p50", "p90", "p99", "p99.9"])
    ax2.set_xlabel("percentile (x = 1/(1-p), log)")
    ax2.set_ylabel("time per op (ns, log)")
    ax2.set_title("percentile spectrum")
    ax2.grid(alpha=0.3, which="both")
    ax2.legend(fontsize=7, loc="upper left")
    ids = [r["id"] for r in recs]  # a --probe regex that picks two measures shows up in the manifest
    cp.tag(fig, "ECDF", cr.measure(recs[0]), cr.unit(recs[0]), ids)
    cp.tag(fig, "percentile spectrum", cr.measure(recs[0]), cr.unit(recs[0]), ids)
    fig.suptitle(f"ctxbench distribution: {cr.label(doc)}", fontsize=10)
    fig.tight_layout()
    return fig


def check_pattern(ap, a):
    try:
        re.compile(a.probe)
    except re.error as e:
        ap.error(f"--probe: {a.probe!r} is not a valid regular expression ({e})")


def main():
    cp.chart_main(
        __doc__, plt, lambda doc, a: draw(doc, a.probe), lambda a: f"no ok result with samples matches {a.probe!r}",
        add_arguments=lambda ap: ap.add_argument("--probe", default=DEFAULT,
                                                 help=f"regex over result ids (default {DEFAULT!r})"),
        check=check_pattern)

if __name__ == "__main__":
    main()
