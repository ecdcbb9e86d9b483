"""Units and their words for ctxbench's scripts: a value in its unit, short (5.44 us, 1.2 GB/s), and what
each `measure` of a record is called on an axis. Stdlib only.
"""
import math

# Every measure a record states (docs/contracts.md, "Schema 2"), in the order panels show them.
MEASURES = ["round_trip", "one_way", "per_switch", "single_op", "lateness", "per_request", "bandwidth", "per_mib"]
AXIS_TEXT = {"round_trip": "round trip", "one_way": "one-way time", "per_switch": "one switch (derived)",
             "single_op": "time per op", "lateness": "wake-up lateness", "per_request": "time per request",
             "bandwidth": "bandwidth", "per_mib": "ns per MiB of parent RSS"}


def fmt(v, unit_="ns"):
    """A value in its unit, short: 5.44 us, 1.2 GB/s."""
    if unit_ == "ns":
        return fmt_ns(v)
    if unit_.startswith("ns/"):  # ns/MiB -> 20.1 us/MiB
        return fmt_ns(v) + unit_[2:]
    if v is None or not math.isfinite(v):
        return "-"
    if unit_ == "B/s":
        for u, div in (("GB/s", 1e9), ("MB/s", 1e6), ("kB/s", 1e3)):
            if abs(v) >= div:
                return f"{v / div:.3g} {u}"
        return f"{v:.3g} B/s"
    return f"{v:.3g} {unit_}"


def fmt_ns(ns):
    if ns is None or not math.isfinite(ns):
        return "-"
    for unit, div in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= div:
            return f"{ns / div:.3g} {unit}"
    return f"{ns:.3g} ns"


def human(x, name):
    if "byte" in name or name in ("size", "ws", "stack"):
        for u, div in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
            if x >= div:
                return f"{x / div:g}{u}"
    return f"{x:g}"
