// bench:store-refresh — the live store refresh's write alone (issue 20), side by side across builds.
//
//   npm run bench:store-refresh -- --input traffic.ndjson [--every 100000]
//        [--deltas .cache/store-refresh/<name>] [--build /work/base-be823dc] [--rounds 3]
//        [--json bench/results/store-refresh.json]
//
// 1. Capture (once per input and --every, cached in --deltas): the engine is fed the input in order;
//    every --every records the live service's own OutputDelta derives what changed, and that delta is
//    kept as JSON. The first delta is the whole state, as at start-up.
// 2. Replay: for each build (this one, and every --build: a built checkout whose
//    dist/src/store/duckdb.js is loaded), a fresh store file; the first delta through writeScan, each
//    later one through writeLive, each timed; the builds alternate within every round, so both see the
//    same machine load. Medians over rounds per delta, and the sum, are printed and written to --json.
// The figures are the store's alone: the engine and the derivation are not in them.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildEngineConfig } from '../src/config/schema.js';
import { emailKeyOf } from '../src/config/secret.js';
import type { CanonicalRecord } from '../src/core/records.js';
import type { Summary } from '../src/core/output.js';
import { decodeLine } from '../src/decode/index.js';
import { Engine } from '../src/engine/engine.js';
import { emptyBatch, Ingestor } from '../src/order/pipeline.js';
import { OutputDelta } from '../src/server/output-delta.js';
import type { LiveDelta, Store } from '../src/store/store.js';

const { values: o } = parseArgs({
  options: {
    input: { type: 'string' },
    every: { type: 'string', default: '100000' },
    deltas: { type: 'string' },
    build: { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string', default: '3' },
    json: { type: 'string', default: 'bench/results/store-refresh.json' },
  },
});
if (o.input === undefined) throw new Error('--input <traffic.ndjson> is required');
const every = Number(o.every);
const dir = resolve(o.deltas ?? join('.cache/store-refresh', `${o.input.replace(/[^\w.-]+/g, '_')}-${every}`));

const summary = (n: number): Summary =>
  ({ version: 1, inputs: [], lines_read: n, accepted: n, accepted_exchanges: n, accepted_accounts_records: 0, rejected: 0, rejected_by_reason: {}, duplicates: 0, late: 0, accounts: 0, flagged_accounts: 0, suspicious_accounts: 0, campaigns: 0, first_event: null, last_event: null, wall_time_ms: 0, events_per_second: 0 }) as unknown as Summary;

async function capture(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const cfg = buildEngineConfig({ emailKey: 'bench-email-key-0123456789' });
  const engine = new Engine(cfg);
  const delta = new OutputDelta(engine, emailKeyOf(cfg));
  const ingestor = new Ingestor({ emailKey: Buffer.from(emailKeyOf(cfg)), maxLatenessMs: cfg.maxLatenessMs, maxLineBytes: cfg.maxLineBytes });
  const ctx = { emailKey: Buffer.from(emailKeyOf(cfg)) };
  const rl = createInterface({ input: createReadStream(o.input!), crlfDelay: Infinity });
  let n = 0;
  let k = 0;
  let out = emptyBatch();
  const cut = async (): Promise<void> => {
    for (const r of out.records as CanonicalRecord[]) engine.push(r);
    out = emptyBatch();
    const d = k === 0 ? await delta.all() : await delta.changes();
    const { counts: _counts, ...rows } = d;
    writeFileSync(join(dir, `delta-${String(k).padStart(4, '0')}.json`), JSON.stringify({ ...rows, summary: summary(n) }));
    process.stderr.write(`captured delta ${k} at ${n} records: ${d.accounts.length} accounts, ${d.evidence.length} evidence, ${d.campaigns.length} campaigns\n`);
    k++;
  };
  for await (const line of rl) {
    if (line.length === 0) continue;
    n++;
    const raw = { file: 'p', line: n, text: line, bytes: Buffer.byteLength(line) };
    ingestor.admit(decodeLine(raw, ctx), raw, out);
    if (n % every === 0) await cut();
  }
  await cut();
  writeFileSync(join(dir, 'done'), String(n));
}

interface Build {
  name: string;
  open: (path: string) => Promise<Store>;
}

async function loadBuild(root: string): Promise<Build> {
  const mod = (await import(pathToFileURL(join(root, 'dist/src/store/duckdb.js')).href)) as { openDuckDbStore: (p: string) => Promise<Store> };
  return { name: root, open: mod.openDuckDbStore };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (!existsSync(join(dir, 'done'))) await capture();
const deltas = readdirSync(dir)
  .filter((f) => f.startsWith('delta-'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as LiveDelta);
const here = resolve(new URL('../..', import.meta.url).pathname);
const builds = [await loadBuild(here), ...(await Promise.all(o.build!.map((b) => loadBuild(resolve(b)))))];
const rounds = Number(o.rounds);
const load: number[] = [];
/** ms[build][delta][round] */
const ms = builds.map(() => deltas.map(() => [] as number[]));
/** The longest the event loop was held during a build's live refreshes, per round (ms). */
const blocked = builds.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => i).reverse();
  for (const b of order) {
    const file = join(tmpdir(), `store-refresh-${process.pid}-${b}.duckdb`);
    rmSync(file, { force: true });
    rmSync(`${file}.wal`, { force: true });
    const store = await builds[b].open(file);
    load.push(loadavg()[0]);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    for (let i = 0; i < deltas.length; i++) {
      const d = deltas[i];
      const t = performance.now();
      if (i === 0) await store.writeScan({ summary: d.summary, accounts: d.accounts, campaigns: d.campaigns, evidence: d.evidence, daily: d.daily, links: d.links });
      else {
        if (i === 1) loop.enable();
        await store.writeLive(d);
      }
      ms[b][i].push(performance.now() - t);
    }
    loop.disable();
    blocked[b].push(loop.max / 1e6);
    await store.close();
    rmSync(file, { force: true });
    rmSync(`${file}.wal`, { force: true });
    process.stderr.write(`round ${r + 1} ${builds[b].name}: ${Math.round(ms[b].reduce((s, x) => s + x[r], 0))} ms for ${deltas.length} refreshes\n`);
  }
}
const result = {
  input: o.input,
  every,
  refreshes: deltas.length,
  rows: deltas.map((d) => ({ accounts: d.accounts.length, evidence: d.evidence.length, campaigns: d.campaigns.length, links: d.links.length, daily: d.daily.length })),
  rounds,
  machine: `${cpus().length} cores, load average during the run ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
  builds: builds.map((b, i) => ({
    build: b.name,
    median_ms_per_refresh: ms[i].map((x) => Math.round(median(x))),
    median_ms_live_total: Math.round(median(Array.from({ length: rounds }, (_, r) => ms[i].slice(1).reduce((s, x) => s + x[r], 0)))),
    median_ms_last_refresh: Math.round(median(ms[i][ms[i].length - 1])),
    /** Event-loop delay: the longest the JS thread was held at once during the live refreshes. */
    median_event_loop_max_ms: Math.round(median(blocked[i])),
  })),
};
for (const b of result.builds) {
  console.log(`${b.build}: live refreshes ${b.median_ms_live_total} ms in all (median of ${rounds}), last ${b.median_ms_last_refresh} ms, event loop held at most ${b.median_event_loop_max_ms} ms; per refresh ${b.median_ms_per_refresh.join(' ')}`);
}
if (result.builds.length > 1) {
  console.log(`ratio this/other (live total): ${(result.builds[0].median_ms_live_total / result.builds[1].median_ms_live_total).toFixed(2)}`);
}
console.log(result.machine);
writeFileSync(o.json!, `${JSON.stringify(result, null, 2)}\n`);
