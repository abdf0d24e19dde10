// What holds serve's main thread: a CPU profile (node --cpu-prof, e.g. `bench:soak -- --profile DIR`)
// cut into stretches of consecutive samples of one kind (engine slice, store write, gunzip, GC, ...).
// A stretch is time the event loop could not answer anything else (/healthz included); a busy loop
// runs many of them back to back. Prints, per kind, the total, the number of stretches, p99, max and
// how many lasted 50 ms or more. Samples are wall time: on a loaded machine a stretch also holds the
// time the thread waited for a core, so compare builds from runs alternated under the same load.
//   node dist/bench/profile-stretches.js DIR/CPU.*.cpuprofile   (the main thread's is the one with thread id 0)
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A mark is `function@file` (the function in a file whose path ends so) or a part of a file's path. */
function frameMatches(f: CallFrame, mark: string): boolean {
  const at = mark.indexOf('@');
  return at > 0 ? f.functionName === mark.slice(0, at) && f.url.endsWith(mark.slice(at + 1)) : f.url.includes(mark);
}

/** Kinds by a frame on the sample's stack, first match wins (the engine slice before what it calls). */
const KINDS: [string, string[]][] = [
  ['engine slice', ['slice@server/live.js']],
  ['refresh derive', ['derive@server/store-writer.js', 'server/output-delta.js']],
  ['store write (DuckDB)', ['writeStore@server/store-writer.js', 'store/duckdb.js', '/@duckdb/']],
  ['ingest log', ['server/ingest-log.js']],
  ['gunzip', ['node:zlib']],
  ['body read (fastify)', ['content-type-parser.js']],
  ['ingest route', ['routes/ingest.js', 'server/pooled-decode.js', 'engine/decode-pool.js', 'server/record-count.js', 'server/json-items.js']],
  ['otlp route', ['routes/otlp.js']],
  ['http', ['/fastify/', '/find-my-way/', '/light-my-request/', 'node:_http', 'node:net']],
];

function kindOf(stack: CallFrame[]): string {
  const leaf = stack[0].functionName;
  if (leaf === '(idle)') return 'idle';
  if (leaf === '(garbage collector)') return 'GC';
  for (const [kind, marks] of KINDS) if (stack.some((f) => marks.some((m) => frameMatches(f, m)))) return kind;
  return 'other';
}

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const kinds = new Map<number, string>();
const kind = (id: number): string => {
  let k = kinds.get(id);
  if (k === undefined) {
    const stack: CallFrame[] = [];
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) stack.push(byId.get(x)!.callFrame);
    kinds.set(id, (k = kindOf(stack)));
  }
  return k;
};

const stretches = new Map<string, number[]>();
let current = '';
let length = 0;
let wall = 0;
const close = (): void => {
  if (current === '' || current === 'idle') return;
  const list = stretches.get(current) ?? [];
  list.push(length);
  stretches.set(current, list);
};
for (let i = 0; i < profile.samples.length; i++) {
  const k = kind(profile.samples[i]);
  const ms = profile.timeDeltas[i] / 1000;
  wall += ms;
  if (k !== current) {
    close();
    current = k;
    length = 0;
  }
  length += ms;
}
close();

const rows = [...stretches].map(([k, v]) => {
  v.sort((a, b) => a - b);
  return { kind: k, total_ms: Math.round(v.reduce((a, b) => a + b, 0)), stretches: v.length, p99_ms: Math.round(v[Math.floor(v.length * 0.99)] * 10) / 10, max_ms: Math.round(v[v.length - 1] * 10) / 10, over_50ms: v.filter((x) => x >= 50).length };
});
rows.sort((a, b) => b.total_ms - a.total_ms);
const busy = rows.reduce((a, r) => a + r.total_ms, 0);
process.stdout.write(`${JSON.stringify({ wall_s: Math.round(wall / 100) / 10, busy_s: Math.round(busy / 100) / 10, kinds: rows }, null, 1)}\n`);
