// Where a live store refresh's time goes (profile for issue 20): the engine is fed the input in
// order; every --every records the StoreWriter flushes, with derive and every SQL statement timed.
import { emailKeyOf } from '../src/config/secret.js';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { buildEngineConfig } from '../src/config/schema.js';
import { decodeLine } from '../src/decode/index.js';
import { emptyBatch, Ingestor } from '../src/order/pipeline.js';
import { Engine } from '../src/engine/engine.js';
import { openDuckDbStore } from '../src/store/duckdb.js';
import { StoreWriter } from '../src/server/store-writer.js';
import type { CanonicalRecord } from '../src/core/records.js';

const { values: o } = parseArgs({ options: { input: { type: 'string' }, every: { type: 'string', default: '100000' }, db: { type: 'string', default: '/tmp/h6-prof.duckdb' } } });
const cfg = buildEngineConfig({ emailKey: 'bench-email-key-0123456789' });
const engine = new Engine(cfg);
const store = await openDuckDbStore(o.db!);
const conn = (store as unknown as { writer: Record<string, (...a: unknown[]) => Promise<unknown>> }).writer;
const timings = new Map<string, number>();
for (const m of ['run', 'runAndReadAll', 'createAppender']) {
  const orig = conn[m].bind(conn);
  conn[m] = async (...a: unknown[]) => {
    const t = performance.now();
    try { return await orig(...a); } finally {
      const k = `${m}: ${String(a[0]).replace(/\s+/g, ' ').slice(0, 70)}`;
      timings.set(k, (timings.get(k) ?? 0) + performance.now() - t);
    }
  };
}
const writer = new StoreWriter(store, engine, emailKeyOf(cfg), () => ({ judgedThrough: null, engineClock: null, consumed: 0 }));
const summary = () => ({ version: 1 as const, inputs: [], lines_read: 0, accepted: 0, accepted_exchanges: 0, accepted_accounts_records: 0, rejected: 0, rejected_by_reason: {}, duplicates: 0, late: 0, accounts: 0, flagged_accounts: 0, suspicious_accounts: 0, campaigns: 0, first_event: null, last_event: null, wall_time_ms: 0, events_per_second: 0 }) as never;
await writer.writeFull(summary);
const ingestor = new Ingestor({ emailKey: Buffer.from(emailKeyOf(cfg)), maxLatenessMs: cfg.maxLatenessMs, maxLineBytes: cfg.maxLineBytes });
const ctx = { emailKey: Buffer.from(emailKeyOf(cfg)) };
const every = Number(o.every);
let engineMs = 0;
let version = 0;
const rl = createInterface({ input: createReadStream(o.input!), crlfDelay: Infinity });
const it = rl[Symbol.asyncIterator]();
let n = 0;
for (let done = false; !done; ) {
  const lines: string[] = [];
  while (lines.length < every) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    if (r.value.length > 0) lines.push(r.value);
  }
  const i = n;
  n += lines.length;
  const t0 = performance.now();
  const out = emptyBatch();
  for (let j = 0; j < lines.length; j++) {
    const raw = { file: 'p', line: i + j + 1, text: lines[j], bytes: lines[j].length };
    ingestor.admit(decodeLine(raw, ctx), raw, out);
  }
  for (const r of out.records as CanonicalRecord[]) engine.push(r);
  engineMs += performance.now() - t0;
  timings.clear();
  const t1 = performance.now();
  await writer.flush(++version, summary, true);
  const f = writer.lastFlush;
  const top = [...timings].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `    ${Math.round(v)} ms  ${k}`).join('\n');
  process.stdout.write(`${n} records (engine ${Math.round(engineMs)} ms so far): flush ${Math.round(performance.now() - t1)} ms, derive ${Math.round(f.deriveMs)} ms, rows ${f.accounts} accounts ${f.campaigns} campaigns; accounts ${engine.observer.list.length}\n${top}\n`);
}
await store.close();
