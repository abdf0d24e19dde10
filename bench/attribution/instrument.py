# Adds a trace to a COPY of the compiled gateway worker (bench/attribution/run.sh): its thread id,
# its GC pauses and the messages from main (arrival, handling time, changes), on CLOCK_MONOTONIC µs,
# appended every second to $DG_TRACE_OUT. Never applied to a build that is shipped.
import sys
p = sys.argv[1]
s = open(p).read()
head = '''import { PerformanceObserver as DgPO } from 'node:perf_hooks';
import { appendFileSync as dgAppend, readlinkSync as dgReadlink } from 'node:fs';
const DG_OUT = process.env.DG_TRACE_OUT;
const dgOrigin = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
const dgAbs = (ms) => Math.round(dgOrigin + ms * 1000);
const dgLines = [`tid ${dgReadlink('/proc/thread-self').split('/').pop()}`];
if (DG_OUT) new DgPO((l) => { for (const e of l.getEntries()) dgLines.push(`gc ${dgAbs(e.startTime)} ${Math.round(e.duration * 1000)} ${e.detail?.kind ?? e.kind}`); }).observe({ entryTypes: ['gc'] });
if (DG_OUT) setInterval(() => { dgAppend(DG_OUT, dgLines.splice(0).join('\\n') + '\\n'); }, 1000).unref();
'''
s = s.replace("const init = workerData;", head + "const init = workerData;", 1)
old = "port.on('message', (m) => {"
assert old in s
s = s.replace(old, "port.on('message', (m) => {\n    const dgT = performance.now();\n    try { return dgOnMessage(m); } finally { dgLines.push(`msg ${dgAbs(dgT)} ${Math.round((performance.now() - dgT) * 1000)} ${m.changes ? m.changes.length : 0}`); }\n});\nfunction dgOnMessage(m) {", 1)
# close the function: the original handler's closing '});' right after changes.push(m.changes);
old2 = "changes.push(m.changes);\n});"
assert old2 in s, 'handler end'
s = s.replace(old2, "changes.push(m.changes);\n}", 1)
open(p, 'w').write(s)
