# Attributes each slow request (wrk latency > LIMIT ms, default 1) to what overlapped it most: the
# listener's GC, a message from main, the listener runnable but off-CPU (and who held the CPUs
# meanwhile), wrk's own thread off-CPU, or none of these. Inputs: $DG_ATTRIBUTION_DIR/NAME.* (run.sh).
import os, sys, re, collections, bisect
name = sys.argv[1]; LIMIT = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
base = f"{os.environ.get('DG_ATTRIBUTION_DIR', '/tmp/dg-attribution')}/{name}"
req = [tuple(map(int, l.split())) for l in open(base + '.req') if l.strip()]
gcs, msgs, tid = [], [], None
try:
    for l in open(base + '.trace'):
        p = l.split()
        if not p: continue
        if p[0] == 'tid': tid = p[1]
        elif p[0] == 'gc': gcs.append((int(p[1]), int(p[1]) + int(p[2]), p[3]))
        elif p[0] == 'msg': msgs.append((int(p[1]), int(p[1]) + int(p[2]), int(p[3])))
except FileNotFoundError: pass
# perf sched timehist: time [cpu] comm[tid/pid] wait sch_delay run (ms)
rx = re.compile(r'^\s*([\d.]+)\s+\[(\d+)\]\s+(.*?)\[(\d+)(?:/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)')
runs = collections.defaultdict(list)  # tid -> [(start,end)]
waits = collections.defaultdict(list)  # tid -> runqueue [(start,end)]
oncpu = collections.defaultdict(list)  # cpu -> [(start,end,comm,tid)]
comm = {}
busy = collections.Counter()
pidof = {}
for l in open(base + '.timehist'):
    m = rx.match(l)
    if not m: continue
    t = float(m.group(1)) * 1e6; cpu = int(m.group(2)); c = m.group(3).strip(); th = m.group(4)
    sd = float(m.group(7)) * 1e3; rn = float(m.group(8)) * 1e3
    comm[th] = c
    runs[th].append((t - rn, t)); waits[th].append((t - rn - sd, t - rn))
    oncpu[cpu].append((t - rn, t, c, th)); busy[th] += rn; pidof[th] = m.group(5) or th
wrk = max((th for th in runs if comm[th].startswith('wrk')), key=lambda th: busy[th], default=None)
if tid is None:  # not instrumented: the busiest node thread that is not the main one
    tid = max((th for th in runs if comm[th].startswith('node')), key=lambda th: busy[th])
def overlap(iv, a, b):
    s = 0
    for x, y in iv:
        if y > a and x < b: s += min(y, b) - max(x, a)
    return s
_idx = {}
def window(iv, a, b):  # iv sorted by start
    k = id(iv)
    if k not in _idx: _idx[k] = ([v[0] for v in iv], max((v[1] - v[0] for v in iv), default=0))
    starts, md = _idx[k]
    i = bisect.bisect_left(starts, a - md); j = bisect.bisect_right(starts, b)
    return [v for v in iv[i:j] if v[1] > a and v[0] < b]
for k in (runs, waits): 
    for th in k: k[th].sort()
for cpu in oncpu: oncpu[cpu].sort()
t0 = min(r[0] for r in req); t1 = max(r[0] for r in req)
# only requests inside the perf window
pw0 = min(v[0] for v in runs[tid]); pw1 = max(v[1] for v in runs[tid])
req = [r for r in req if r[0] >= pw0 and r[0] + r[1] <= pw1]
slow = [r for r in req if r[1] > LIMIT * 1000]
lats = sorted(r[1] for r in req)
q = lambda p: lats[min(len(lats) - 1, int(p * len(lats)))] / 1000
print(f'{name}: {len(req)} requests in the perf window, p50 {q(.5):.3f} p99 {q(.99):.3f} p99.9 {q(.999):.3f} ms; > {LIMIT} ms: {len(slow)} ({100*len(slow)/len(req):.2f}%)')
print(f'  listener tid {tid} ({comm.get(tid)}), wrk tid {wrk}; listener GCs {len(gcs)} (median {sorted(g[1]-g[0] for g in gcs)[len(gcs)//2] if gcs else 0} us, max {max((g[1]-g[0] for g in gcs), default=0)} us), messages {len(msgs)}')
lw = waits[tid]; ww = waits.get(wrk, [])
tot = {'listener GC': 0, 'message from main': 0, 'listener waiting for a CPU': 0, 'wrk waiting for a CPU': 0, 'neither (listener/wrk running, kernel)': 0}
holders = collections.Counter()
for s, l in slow:
    a, b = s, s + l
    o = {'listener GC': overlap([(g[0], g[1]) for g in window(gcs, a, b)], a, b),
         'message from main': overlap([(m[0], m[1]) for m in window(msgs, a, b)], a, b),
         'listener waiting for a CPU': overlap(window(lw, a, b), a, b),
         'wrk waiting for a CPU': overlap(window(ww, a, b), a, b)}
    k, v = max(o.items(), key=lambda kv: kv[1])
    if v < 0.3 * (l - 200): k = 'neither (listener/wrk running, kernel)'
    tot[k] += 1
    if k in ('listener waiting for a CPU', 'wrk waiting for a CPU'):
        for x, y in window(lw if k.startswith('listener') else ww, a, b):
            for cpu in oncpu:
                for (u, v2, c, th) in window(oncpu[cpu], max(x, a), min(y, b)):
                    if th in (tid,): continue
                    holders[('wrk' if th == wrk else 'serve (its other threads)' if pidof.get(th) == pidof.get(tid) else 'other processes')] += min(v2, y, b) - max(u, x, a)
for k, v in tot.items(): print(f'  slow requests mostly overlapping {k}: {v} ({100*v/max(1,len(slow)):.0f}%)')
tw = sum(y - x for x, y in lw); tr = sum(y - x for x, y in runs[tid])
print(f'  listener over the window: ran {tr/1000:.0f} ms, waited for a CPU {tw/1000:.0f} ms; wrk ran {sum(y-x for x,y in runs.get(wrk,[]))/1000:.0f} ms, waited {sum(y-x for x,y in ww)/1000:.0f} ms')
print('  CPU time held by others while a slow request waited on a CPU (ms):', ', '.join(f'{k} {v/1000:.1f}' for k, v in holders.most_common(8)))
# GC alone: fraction of requests overlapping a GC and their p99
ingc = [r for r in req if overlap([(g[0], g[1]) for g in window(gcs, r[0], r[0] + r[1])], r[0], r[0] + r[1]) > 0]
if ingc: print(f'  requests overlapping a listener GC: {len(ingc)} ({100*len(ingc)/len(req):.2f}%), of them > {LIMIT} ms: {sum(1 for r in ingc if r[1] > LIMIT*1000)}')
