# Prints the cells of the "Beside the peers" table (docs/METHODOLOGY.md) from the files peers/peer_table.sh
# wrote: the median of three rounds and the three values, peer and ctxbench side by side.
import json, re, glob, statistics as st, os
import sys
D = sys.argv[1]
def peer(name, rx, scale=1.0):
    vals = []
    for r in (1, 2, 3):
        try: t = open(f'{D}/{name}.{r}').read()
        except OSError: vals.append(None); continue
        m = re.findall(rx, t)
        vals.append(float(m[-1]) * scale if m else None)
    return vals
def cb(fname, rid):
    vals = []
    for r in (1, 2, 3):
        try: d = json.load(open(f'{D}/{fname}.{r}.json'))
        except Exception: vals.append(None); continue
        v = None
        for rec in d['results']:
            if rec['id'] == rid and rec['status'] == 'ok':
                v = rec['statistics']['p50'] / 1000
        vals.append(v)
    return vals
def fmt(vals, unit='µs'):
    ok = [v for v in vals if v is not None]
    if not ok: return '—'
    return f"{st.median(ok):.3g} {unit} [" + ', '.join(f'{v:.3g}' if v is not None else '—' for v in vals) + ']'
rows = [
 ('pipe same p', peer('perf_same_p', r'([\d.]+) usecs/op'), cb('r', 'ctxswitch.pipe.process/same-cpu')),
 ('pipe same t', peer('perf_same_t', r'([\d.]+) usecs/op'), cb('r', 'ctxswitch.pipe.thread/same-cpu')),
 ('pipe unp', peer('perf_unp', r'([\d.]+) usecs/op'), cb('r', 'ctxswitch.pipe.process/unpinned')),
 ('pipe unp spin', peer('perf_unp_spin', r'([\d.]+) usecs/op'), cb('awake', 'ctxswitch.pipe.process/unpinned/keep-awake')),
 ('pipe cross', [None]*3, cb('r', 'ctxswitch.pipe.process/cross-cpu')),
 ('pipe cross spin', [None]*3, cb('r', 'ctxswitch.pipe.process/cross-cpu/keep-awake')),
 ('switch', peer('stressng', r'([\d.]+) nanosecs per context switch', 1e-3), cb('r', 'ctxswitch.pipe.process.per_switch/same-cpu')),
 ('futex same', peer('ptsem_same', r'Avg\s+(\d+)'), cb('r', 'ctxswitch.futex.thread/same-cpu')),
 ('futex unp', peer('ptsem_unp', r'Avg\s+(\d+)'), cb('r', 'ctxswitch.futex.thread/cross-cpu')),
 ('futex unp spin', peer('ptsem_unp_spin', r'Avg\s+(\d+)'), cb('r', 'ctxswitch.futex.thread/cross-cpu/keep-awake')),
 ('ipc.pipe.self', [None]*3, cb('r', 'ipc.pipe.self')),
 ('futex unpinned (cb)', [None]*3, cb('r', 'ctxswitch.futex.thread/unpinned')),
]
for name, p, c in rows: print(f'{name:22s} peer {fmt(p):40s} ctxbench {fmt(c)}')
h = []
for r in (1, 2, 3):
    try:
        lines = open(f'{D}/hyper.{r}.csv').read().splitlines(); hdr = lines[0].split(','); v = lines[1].split(',')
        h.append(float(v[hdr.index('median')]) * 1e6)
    except Exception: h.append(None)
print(f"{'spawn':22s} peer {fmt(h):40s} ctxbench {fmt(cb('r', 'process.posix_spawn.bin_true/unpinned'))}")
