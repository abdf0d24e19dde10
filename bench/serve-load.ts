// bench:serve — `distillguard serve` under load over loopback, measured (a benchmark, not a test).
//
//   npm run bench:serve -- [--scenario tiny] [--scale 2] [--seed 3] [--batch 500] [--clients 4]
//                          [--rate 0] [--json bench/results/serve-load.json]
//
// --rate R paces the clients to R records/s in total (0: as fast as the server acknowledges).
// The same input is also scanned in-process (`scan`, same engine) for a side-by-side ratio.
//
// 1. Simulates a scenario once (cached under .cache/bench-serve/).
// 2. Starts the real server as a child process (`node bin/distillguard.js serve`, keys on, default
//    lateness and high-water mark) on a fresh store and ingest log.
// 3. `--clients` clients post the traffic in time order as NDJSON batches of `--batch` lines (a 429
//    is waited out by its Retry-After and the batch re-sent); the clock stops when every batch is
//    acknowledged (durable), and again when the engine has consumed everything. One client by
//    default: the simulator packs a day into ~8k lines, so a 500-line batch spans ~1.5 h of event
//    time and two batches overtaking each other would be rejected as late (10-minute bound); the
//    bench refuses to report if any line was not accepted.
// 4. Reads the server's own Prometheus histogram `distillguard_ingest_to_verdict_seconds` (wall time
//    from a batch's arrival until its last record has been judged) and estimates p50/p99 the way
//    Prometheus' histogram_quantile does (linear within a bucket); ack latency p50/p99 is exact
//    (client side). Peak RSS is the child's VmHWM from /proc.
// 5. Restart: the server is stopped and the ingest log replayed in-process into a fresh engine
//    (what a restart does), timed; on that state a full store rewrite is timed against an incremental
//    flush after one more batch of 200 records.
//
// Event time runs much faster than wall time here (days of simulated traffic in seconds), so the
// ingest-to-verdict figure is processing delay, not the judgement interval. The machine is shared:
// expect noise, compare figures from one run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runSimulate } from '../src/sim/index.js';
import { buildEngineConfig } from '../src/config/schema.js';
import { scanSecretPath, withEmailKey } from '../src/config/secret.js';
import { decodeLine } from '../src/decode/index.js';
import { LiveService } from '../src/server/live.js';
import { openDuckDbStore } from '../src/store/duckdb.js';
import { cliNodeFlags } from './node-flags.js';

const { values: o } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'tiny' },
    scale: { type: 'string', default: '2' },
    seed: { type: 'string', default: '3' },
    batch: { type: 'string', default: '500' },
    clients: { type: 'string', default: '1' },
    rate: { type: 'string', default: '0' },
    json: { type: 'string', default: 'bench/results/serve-load.json' },
  },
});
const BATCH = Number(o.batch);
const CLIENTS = Number(o.clients);
const RATE = Number(o.rate);
const KEY = 'bench-ingest-key-0123456789';
const READ = 'bench-read-key-0123456789ab';

const cache = resolve('.cache/bench-serve', `${o.scenario}-${o.scale}-${o.seed}`);
if (!existsSync(join(cache, 'input.ndjson'))) {
  process.stderr.write(`simulating ${o.scenario} scale ${o.scale} seed ${o.seed}…\n`);
  await runSimulate({ scenario: o.scenario!, scale: Number(o.scale), seed: Number(o.seed), out: cache });
}
const lines = (await readFile(join(cache, 'input.ndjson'), 'utf8')).split('\n').filter((l) => l.length > 0);
const bodies: string[] = [];
for (let i = 0; i < lines.length; i += BATCH) bodies.push(`${lines.slice(i, i + BATCH).join('\n')}\n`);
const inputBytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);

const work = resolve('.cache/bench-serve/run');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
await writeFile(join(work, 'keys.json'), JSON.stringify({ keys: [{ id: 'gw', key: KEY, roles: ['ingest'] }, { id: 'ro', key: READ, roles: ['read'] }] }));
const db = join(work, 'store.duckdb');
// With the node flags bin/distillguard.js's shebang gives `npx distillguard serve`.
const child = spawn(process.execPath, [...cliNodeFlags(), 'bin/distillguard.js', 'serve', '--db', db, '--port', '0', '--keys', join(work, 'keys.json'), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
const url = await new Promise<string>((res, rej) => {
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s;
    const m = /listening on (\S+)/.exec(err);
    if (m) res(m[1]);
  });
  child.on('exit', (c) => rej(new Error(`serve exited ${c}: ${err}`)));
});

const peakRss = async (): Promise<number> => {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
};
const get = async (path: string): Promise<string> => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${READ}` } })).text();

// ---- load ----------------------------------------------------------------------------------------
const ackMs: number[] = [];
let refused = 0;
let next = 0;
const t0 = performance.now();
async function client(): Promise<void> {
  for (;;) {
    const b = next++;
    if (b >= bodies.length) return;
    if (RATE > 0) {
      const due = t0 + (b * BATCH * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
    for (;;) {
      const s = performance.now();
      const r = await fetch(`${url}/v1/records`, { method: 'POST', body: bodies[b], headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-ndjson' } });
      const text = await r.text();
      if (r.status === 429) {
        refused++;
        await new Promise((res) => setTimeout(res, 1000 * Number(r.headers.get('retry-after') ?? 1)));
        continue;
      }
      if (r.status !== 200) throw new Error(`batch ${b}: ${r.status} ${text}`);
      ackMs.push(performance.now() - s);
      break;
    }
  }
}
await Promise.all(Array.from({ length: CLIENTS }, client));
const ackedAt = performance.now() - t0;
let live: { backlog: number; consumed: number } = { backlog: 1, consumed: 0 };
let summary: { accepted: number } | null = null;
let storeFlush = { ms: 0, deriveMs: 0 };
for (;;) {
  const s = JSON.parse(await get('/v1/summary')) as { summary: { accepted: number } | null; live: { backlog: number; consumed: number } };
  live = s.live;
  summary = s.summary;
  if (live.backlog === 0) break;
  await new Promise((r) => setTimeout(r, 20));
}
const consumedAt = performance.now() - t0;
if (summary?.accepted !== lines.length) throw new Error(`only ${summary?.accepted} of ${lines.length} lines accepted (late batches? use one client)`);
const metrics = await get('/metrics');
const rss = await peakRss();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));

function quantileFromHistogram(text: string, name: string, q: number): number {
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  const total = buckets[buckets.length - 1][1];
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(count - prevCount, 1);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

// ---- restart and store writes ---------------------------------------------------------------------
const store = await openDuckDbStore(db);
const r0 = performance.now();
const svc = await LiveService.open({ cfg: await withEmailKey(buildEngineConfig({}), scanSecretPath()), store, logDir: `${db}.ingest`, flushMs: 3_600_000 });
const replayMs = performance.now() - r0;
const fullStart = performance.now();
await svc.storeWriter.writeFull(() => svc.summary());
const fullMs = performance.now() - fullStart;
// One more batch: the last 200 lines again under new ids, a minute after the newest record.
const extra = lines.slice(-200).map((l, i) => {
  const rec = JSON.parse(l) as Record<string, unknown>;
  if (rec.type === 'exchange') rec.id = `bench-extra-${i}`;
  rec.ts = (svc.counts.newestTs ?? 0) + 60_000 + i;
  const text = JSON.stringify(rec);
  const raw = { file: 'bench', line: i + 1, text, bytes: text.length };
  return { raw, rec: decodeLine(raw, svc.decodeContext) };
});
await svc.submit(extra);
await svc.drain();
const incStart = performance.now();
await svc.flush(true);
const incMs = performance.now() - incStart;
const inc = svc.storeWriter.lastFlush;
storeFlush = { ms: inc.ms, deriveMs: inc.deriveMs };
const accountsTotal = svc.counts.accounts;
await svc.close();
await store.close();

// The store writes at a larger state than the tiny scenario's: 100k accounts (sample output rows),
// a full rewrite against an upsert of 500 changed accounts and one campaign, median of 3 each.
const { sampleScan } = await import('../src/report/sample.js');
const big = sampleScan({ accounts: 100_000, campaigns: 20, days: 21, seed: 1 });
const bigStore = await openDuckDbStore(join(work, 'big.duckdb'));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fullTimes: number[] = [];
const deltaTimes: number[] = [];
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  await bigStore.writeScan(big);
  fullTimes.push(performance.now() - t);
  const changed = big.accounts.slice(i * 500, i * 500 + 500).map((a) => ({ ...a, exchanges: a.exchanges + 1 }));
  const ids = new Set(changed.map((a) => a.account_id));
  t = performance.now();
  await bigStore.writeLive({ accounts: changed, evidence: big.evidence.filter((e) => ids.has(e.account_id)), campaigns: [big.campaigns[0]], removedCampaigns: [], links: [], daily: big.daily, summary: big.summary });
  deltaTimes.push(performance.now() - t);
}
await bigStore.close();

// The same input through `scan` (same engine, files instead of HTTP, no fsync), for the ratio.
const { runScan } = await import('../src/cli/scan.js');
const scanned = await runScan({ inputs: [join(cache, 'input.ndjson')], out: join(work, 'scan'), quiet: true });

const m = (x: number): number => Math.round(x * 10) / 10;
const result = {
  scenario: o.scenario,
  scale: Number(o.scale),
  seed: Number(o.seed),
  lines: lines.length,
  input_mib: m(inputBytes / 2 ** 20),
  batch: BATCH,
  clients: CLIENTS,
  accepted: summary?.accepted ?? null,
  refused_429: refused,
  acked_s: m(ackedAt / 1000),
  consumed_s: m(consumedAt / 1000),
  ingest_records_per_s: Math.round(lines.length / (ackedAt / 1000)),
  end_to_end_records_per_s: Math.round(lines.length / (consumedAt / 1000)),
  ack_ms_p50: m(pct(ackMs, 0.5)),
  ack_ms_p99: m(pct(ackMs, 0.99)),
  ingest_to_verdict_ms_p50: m(1000 * quantileFromHistogram(metrics, 'distillguard_ingest_to_verdict_seconds', 0.5)),
  ingest_to_verdict_ms_p99: m(1000 * quantileFromHistogram(metrics, 'distillguard_ingest_to_verdict_seconds', 0.99)),
  peak_rss_mib: m(rss / 2 ** 20),
  restart_replay_ms: Math.round(replayMs),
  accounts: accountsTotal,
  store_full_rewrite_ms: Math.round(fullMs),
  store_incremental_flush_ms: Math.round(incMs),
  store_incremental_derive_ms: Math.round(storeFlush.deriveMs),
  store_incremental_rows: { accounts: inc.accounts, campaigns: inc.campaigns },
  store_100k_accounts_full_rewrite_ms: Math.round(median(fullTimes)),
  store_100k_accounts_upsert_500_ms: Math.round(median(deltaTimes)),
  scan_events_per_s: scanned.summary.events_per_second,
  serve_to_scan_ratio: Math.round((lines.length / (consumedAt / 1000) / scanned.summary.events_per_second) * 100) / 100,
  rate: RATE,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (o.json) {
  await mkdir(resolve(o.json, '..'), { recursive: true });
  await writeFile(o.json, `${JSON.stringify(result, null, 2)}\n`);
}
