// bench:serve — `distillguard serve` under load over loopback, against `scan` of the same traffic
// (a benchmark, not a test; figures are printed and written to --json).
//
//   npm run bench:serve -- [--scenario default] [--scale 2] [--seed 3] [--batch 5000]
//                          [--bin bin/distillguard.js] [--pace 0.5,0.9] [--pace-seconds 0] [--clients 4]
//                          [--scan-dir DIR] [--accept-loaded-scan]
//                          [--json bench/results/serve-load.json] [--no-restart] [--no-reader] [--paced-restart]
//
// Everything is black-box over HTTP against the real process (`node <bin> serve`, keys on, default
// options), so the same script measures an older build: `--bin /path/to/old/bin/distillguard.js`.
//
// 1. scan: `node <bin> scan` of the input (same engine, files, decode workers); its events/s is the
//    reference rate and its accounts.ndjson / summary.json the expected final state.
// 2. fast: one client posts the traffic in time order, batches of --batch lines, each sent once
//    the previous is acknowledged (a 429 is waited out by its Retry-After); then a watermark past the
//    newest record. Measured: acknowledged lines/s; seconds from the watermark's answer until
//    GET /v1/accounts equals scan's accounts exactly (every field of every account) and
//    GET /v1/summary's counts equal scan's; and, all along, a reader fetching /v1/summary and the
//    flagged accounts back to back: a disagreement is a pair that reflects the same refresh (or, for a
//    build without refresh ids, any pair) whose flagged counts differ.
// 3. restart (not with --no-restart): the server is stopped (SIGTERM; fast.stop_s) and started again
//    on the same store and ingest log; seconds until it listens (replay + store rebuilt) and until
//    the read API equals scan.
// 4. paced: a fresh server, traffic posted at each --pace share of scan's rate for --pace-seconds
//    (0: the whole input once; otherwise the input loops, later in event time, until the time is up:
//    see loopBatch) by --clients clients at once (default 4, each its own Distillguard-Source, one
//    batch in flight each: bench/paced-clients.ts); asked vs achieved lines/s, and when the pace was
//    not reached, what held it (limited_by: serve's 429s, serve keeping every client waiting, or the
//    client itself). acknowledged→visible, client side: every 250 ms an acknowledged batch is
//    sampled and its own probe asks for the account of its last exchange until its last_seen reaches
//    that exchange's time (p50/p99 over the samples); the server's RSS sampled every 2 s (first vs
//    last third: flat or not; and its first and last minute); its CPU seconds per line; and its own
//    histograms when it has them. With --paced-restart, each paced run ends with a restart: once the
//    read API has settled, the server is stopped and started again on its store and log, and the
//    seconds until it listens and until it answers the same accounts and counts as before the stop.
//
// The machine is shared: compare figures from one run, side by side. The scan's rate paces phase 4,
// so a scan made on a busy machine is refused (bench/scan-trust.ts): bench:serve writes
// bench-serve-scan.json beside each scan it makes (its CPU, the machine's, the load average) and uses a
// scan, its own or one reused with --scan-dir, only if other processes took at most 15% of the
// machine's CPU while it ran (--accept-loaded-scan overrides for a fresh scan, recorded in the JSON).
// Without a paced phase (--pace=) such a scan is only compared with: no ratio to its rate.
//
// Side by side against an older build (what issue 20's figures come from; say `uptime` with them):
//   npm run build
//   node dist/bench/serve-load.js --scale 2 --bin /work/base-61bd306/bin/distillguard.js \
//        --work .cache/bench-serve/base --json bench/results/serve-load-base.json
//   node dist/bench/serve-load.js --scale 2 --scan-dir .cache/bench-serve/base/scan \
//        --work .cache/bench-serve/after --json bench/results/serve-load-after.json
// (the second reuses the first's scan, so both are paced at the same rates). For the 10-minute paced
// target: --skip-fast --pace 0.5,0.9 --pace-seconds 600 --batch 500 (a batch's last records are judged
// only once the next batch moves event time past them, so ack→visible includes the batch interval:
// batches of 5,000 lines at 600 lines/s alone add 8 s).
//
// Printed (stderr, then the JSON on stdout and in --json): scan.events_per_s / wall_s; fast.acked_s,
// acked_lines_per_s, refused_429, equal_to_scan_after_watermark_s (the read API equal to scan),
// consistency {pairs, samePairs, disagreements}, peak_rss_mib, server_histograms (p50/p99 ms of
// ack_to_judged, judged_to_visible, ack_to_visible, store_refresh); restart.listening_s, replay_s and
// publish_s (from the server's listening line, builds that say it), equal_to_scan_s; per pace share:
// achieved_lines_per_s, refused_429, ack_to_visible_ms_p50/p99/max (client side), rss_mib_first_third
// / last_third, heap_used_mib_* and external_mib_* (first / last third, from the server's /metrics),
// peak_rss_mib, server_histograms.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runSimulate } from '../src/sim/index.js';
import { shiftBody } from './loop-traffic.js';
import { cliNodeFlags } from './node-flags.js';
import { pacedLimit, runPaced } from './paced-clients.js';
import { distrustOfScan, machineCpu, readScanRecord, SCAN_RECORD, scanRecord, type ScanRecord } from './scan-trust.js';
import { awaitStderr, LISTENING } from './serve-child.js';

const { values: o } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'default' },
    scale: { type: 'string', default: '2' },
    seed: { type: 'string', default: '3' },
    input: { type: 'string' },
    batch: { type: 'string', default: '5000' },
    bin: { type: 'string', default: 'bin/distillguard.js' },
    pace: { type: 'string', default: '0.5,0.9' },
    'pace-seconds': { type: 'string', default: '0' },
    /** Paced phase: clients posting at once (each with one batch in flight, each its own Distillguard-Source), so a pace is not held to one client's round trips. */
    clients: { type: 'string', default: '4' },
    'skip-fast': { type: 'boolean', default: false },
    /** Fast phase without the summary/accounts reader: the server's CPU per line is then ingest and judgement alone (the reader's listings cost the server CPU too, more the faster it answers). */
    'no-reader': { type: 'boolean', default: false },
    /** Fast phase without the restart that follows it (alternated throughput runs: the restart takes as long again). */
    'no-restart': { type: 'boolean', default: false },
    /** After each paced run, a restart: the read API once settled, the server stopped and started again on its store and log, and the time until it answers the same. */
    'paced-restart': { type: 'boolean', default: false },
    /** A scan output folder of the same input (summary.json, accounts.ndjson) to compare against instead of scanning again; refused unless bench:serve made it on a quiet machine (bench/scan-trust.ts). */
    'scan-dir': { type: 'string' },
    /** Use a scan made now on a busy machine anyway (recorded in the JSON as scan.trusted false): only ratios within this run mean anything. */
    'accept-loaded-scan': { type: 'boolean', default: false },
    json: { type: 'string', default: 'bench/results/serve-load.json' },
    work: { type: 'string', default: '.cache/bench-serve/run' },
    /** Extra node flags for the server processes only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (profiling serve). */
    'serve-node-flags': { type: 'string', default: '' },
  },
});
const BATCH = Number(o.batch);
const BIN = resolve(o.bin!);
const PACES = o.pace!.split(',').filter((x) => x.length > 0).map(Number);
const PACE_SECONDS = Number(o['pace-seconds']);
const CLIENTS = Number(o.clients);
if (!Number.isInteger(CLIENTS) || CLIENTS < 1) throw new Error(`--clients: a whole number of 1 or more, not ${o.clients}`);
const KEY = 'bench-ingest-key-0123456789';
const READ = 'bench-read-key-0123456789ab';
const EQUAL_TIMEOUT_MS = 600_000;

// ---- input ----------------------------------------------------------------------------------------
let inputPath = o.input;
if (inputPath === undefined) {
  const cache = resolve('.cache/bench-serve', `${o.scenario}-${o.scale}-${o.seed}`);
  inputPath = join(cache, 'input.ndjson');
  if (!existsSync(inputPath)) {
    process.stderr.write(`simulating ${o.scenario} scale ${o.scale} seed ${o.seed}…\n`);
    await runSimulate({ scenario: o.scenario!, scale: Number(o.scale), seed: Number(o.seed), out: cache });
  }
}
// The input stays one Buffer (a million lines is over 1 GiB: too long for one string); a batch is a
// slice of it, and for each batch the account and time of its last exchange (for the prober).
const input = await readFile(inputPath);
interface Batch {
  body: Buffer;
  lines: number;
  probe: { account: string; ts: number } | null;
}
const batches: Batch[] = [];
let newestTs = -Infinity;
{
  let start = 0;
  let n = 0;
  let pos = 0;
  let lastLine = '';
  while (pos < input.length) {
    let end = input.indexOf(10, pos);
    if (end < 0) end = input.length;
    if (end > pos) {
      n++;
      lastLine = input.toString('utf8', pos, end);
      const ts = Date.parse(/"ts":"([^"]+)"/.exec(lastLine)?.[1] ?? '');
      if (ts > newestTs) newestTs = ts;
    }
    pos = end + 1;
    if (n === BATCH || pos >= input.length) {
      if (n > 0) batches.push({ body: input.subarray(start, Math.min(pos, input.length)), lines: n, probe: probeOf(lastLine) });
      start = pos;
      n = 0;
    }
  }
}
const totalLines = batches.reduce((s, b) => s + b.lines, 0);
/** Lines of the input before batch i. */
const linesBefore: number[] = [];
for (let i = 0, n = 0; i < batches.length; n += batches[i++].lines) linesBefore.push(n);
const PROBE_EVERY_MS = 250;

/**
 * Batch i of the traffic looped: pass k (k = 0 is the input as it is) moves every record's ts k
 * input spans later (whole days) and gives exchanges new ids (`<id>~k`), so a paced run lasts as long
 * as asked with the same population of accounts carrying on (their records are sent again, later).
 */
const spanMs = Math.ceil((newestTs - Date.parse(/"ts":"([^"]+)"/.exec(input.toString('utf8', 0, Math.min(input.length, 65536)))![1])) / 86_400_000) * 86_400_000;
function loopBatch(i: number): { body: Buffer; lines: number; probe: Batch['probe']; newest: number } {
  const b = batches[i % batches.length];
  const k = Math.floor(i / batches.length);
  const shift = k * spanMs;
  const probe = b.probe && { account: b.probe.account, ts: b.probe.ts + shift };
  return { body: k === 0 ? b.body : shiftBody(b.body, shift, k), lines: b.lines, probe, newest: probe?.ts ?? -Infinity };
}
function probeOf(line: string): Batch['probe'] {
  const r = JSON.parse(line) as { type?: string; account_id?: string; ts?: string | number };
  if (r.type !== 'exchange' || typeof r.account_id !== 'string') return null;
  return { account: r.account_id, ts: typeof r.ts === 'number' ? r.ts : Date.parse(String(r.ts)) };
}

const work = resolve(o.work!);
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
await writeFile(join(work, 'keys.json'), JSON.stringify({ keys: [{ id: 'gw', key: KEY, roles: ['ingest'] }, { id: 'ro', key: READ, roles: ['read'] }] }));
const SERVE_FLAGS = o['serve-node-flags']!.split(' ').filter(Boolean);
const node = (args: string[], flags: string[] = []): ChildProcess => spawn(process.execPath, [...cliNodeFlags(), ...flags, BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const m1 = (x: number): number => Math.round(x * 10) / 10;
const pct = (xs: number[], q: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

// ---- 1. scan ------------------------------------------------------------------------------------
type Account = Record<string, unknown> & { account_id: string; verdict: string };
process.stderr.write(`scan of ${totalLines} lines…\n`);
const scanOut = o['scan-dir'] === undefined ? join(work, 'scan') : resolve(o['scan-dir']);
const inputId = { path: inputPath, bytes: input.length, lines: totalLines };
// A scan's rate is judged (bench/scan-trust.ts), a reused one before anything runs. Without a paced
// phase an untrusted scan still gives the expected accounts, but no ratio to its rate.
let scanTrusted = true;
const judged = (where: string, why: string | undefined): void => {
  if (why === undefined) return;
  scanTrusted = false;
  if (o['accept-loaded-scan'] && o['scan-dir'] === undefined) {
    process.stderr.write(`bench:serve: --accept-loaded-scan: using the scan anyway (${why}); its rate and every ratio to it are those of a shared machine\n`);
  } else if (PACES.length > 0) refuseScan(`${where}: ${why}`);
  else process.stderr.write(`bench:serve: ${where}: ${why}; no paced phase, so its accounts are compared with but its rate is not used (serve_to_scan_ratio null)\n`);
};
if (o['scan-dir'] !== undefined) {
  judged(`--scan-dir ${scanOut}`, distrustOfScan(await readScanRecord(scanOut), (JSON.parse(await readFile(join(scanOut, 'summary.json'), 'utf8')) as { events_per_second: number }).events_per_second, inputId));
}
const scanStart = performance.now();
let scanCpuS: number | null = null;
let scanRecordMade: ScanRecord | undefined;
if (o['scan-dir'] === undefined) {
  const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  const machineBefore = await machineCpu();
  const t0 = performance.now();
  const p = node(['scan', inputPath, '--out', scanOut]);
  // scan's CPU seconds, sampled every 100 ms until it exits (the last 100 ms are not counted).
  const sampler = setInterval(() => void procCpu(p.pid!).then((c) => (scanCpuS = c), () => undefined), 100);
  const code = await new Promise<number | null>((r) => p.on('exit', r));
  const wallS = (performance.now() - t0) / 1000;
  const machineAfter = await machineCpu();
  clearInterval(sampler);
  if (code !== 0) throw new Error(`scan exited ${code}`);
  const eventsPerS = (JSON.parse(await readFile(join(scanOut, 'summary.json'), 'utf8')) as { events_per_second: number }).events_per_second;
  scanRecordMade = scanRecord({ input: inputId, eventsPerS, wallS, cpuS: scanCpuS ?? 0, machineBefore, machineAfter, loadBefore, loadAfter: loadavg().map((x) => Math.round(x * 100) / 100) });
  // Written whatever the verdict, so a later --scan-dir of this folder is judged the same way.
  await writeFile(join(scanOut, SCAN_RECORD), `${JSON.stringify(scanRecordMade, null, 2)}\n`);
  judged('the scan just made', distrustOfScan(scanRecordMade, eventsPerS, inputId));
}
const scanWallS = (performance.now() - scanStart) / 1000;
function refuseScan(why: string): never {
  process.stderr.write(
    `bench:serve: refusing to pace serve against this scan: ${why}.\n` +
      `Run without --scan-dir on a quiet machine (the scan is made afresh and judged the same way), or wait for the other work to finish.\n`,
  );
  process.exit(2);
}
async function procCpu(pid: number, file = `/proc/${pid}/stat`): Promise<number> {
  // Fields 14 and 15 of /proc/PID/stat (after the parenthesised name): user and system clock ticks (1/100 s).
  const f = (await readFile(file, 'utf8')).split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * CPU seconds of each of a process's threads so far, by thread id (/proc/PID/task). Node names every
 * thread `node`, so the main thread is told by its id (the pid) and a decode worker by its CPU: the
 * busiest other thread (the rest are V8's GC helpers, libuv's pool and DuckDB's).
 */
async function threadCpu(pid: number): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const t of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const c = await procCpu(pid, `/proc/${pid}/task/${t}/stat`).catch(() => undefined);
    if (c !== undefined) out.set(Number(t), c);
  }
  return out;
}

/**
 * Each thread's CPU between two threadCpu readings: the main thread, the busiest other, the second
 * busiest (serve's second decode worker, from builds with two on two cores), and the rest (seconds).
 */
function threadShares(pid: number, before: Map<number, number>, after: Map<number, number>): { main: number; busiestOther: number; secondOther: number; rest: number } {
  let main = 0;
  const others: number[] = [];
  for (const [tid, c] of after) {
    const d = c - (before.get(tid) ?? 0);
    if (tid === pid) main = d;
    else others.push(d);
  }
  others.sort((a, b) => b - a);
  return { main, busiestOther: others[0] ?? 0, secondOther: others[1] ?? 0, rest: others.slice(2).reduce((a, b) => a + b, 0) };
}
const scanSummary = JSON.parse(await readFile(join(scanOut, 'summary.json'), 'utf8')) as Record<string, number>;
const scanAccounts = (await readFile(join(scanOut, 'accounts.ndjson'), 'utf8')).split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Account);
const scanRate = scanSummary.events_per_second;
const scanById = new Map(scanAccounts.map((a) => [a.account_id, JSON.stringify(sortKeys(a))]));
process.stderr.write(`scan: ${scanRate} events/s, ${scanAccounts.length} accounts, ${scanSummary.flagged_accounts} flagged, ${m1(scanWallS)} s\n`);

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
}

// ---- a server -------------------------------------------------------------------------------------
interface Server {
  url: string;
  child: ChildProcess;
  startedMs: number;
  replayMs: number | null;
  publishMs: number | null;
  get(path: string): Promise<{ status: number; headers: Headers; body: string }>;
  rss(): Promise<{ rss: number; hwm: number }>;
  /** CPU seconds the server process has used so far (all its threads, user + system). */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

async function startServer(dir: string): Promise<Server> {
  await mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const child = node(['serve', '--db', join(dir, 'store.duckdb'), '--port', '0', '--keys', join(work, 'keys.json'), '--log-level', 'warn'], SERVE_FLAGS);
  const [listening] = await awaitStderr(child, [LISTENING]);
  const url = listening[1];
  // What the server says of its start (builds that say it): the log replay, and publishing its results.
  const line = listening.input.slice(listening.index).split('\n')[0];
  const replayMs = /in (\d+) ms/.exec(line);
  const publishMs = /published in (\d+) ms/.exec(line);
  return {
    url,
    child,
    startedMs: performance.now() - t0,
    replayMs: replayMs ? Number(replayMs[1]) : null,
    publishMs: publishMs ? Number(publishMs[1]) : null,
    async get(path) {
      // A keep-alive connection the server closed as the request went out fails at once: ask again.
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${READ}` } });
          return { status: r.status, headers: r.headers, body: await r.text() };
        } catch (e) {
          if (attempt === 3 || child.exitCode !== null) throw e;
        }
      }
    },
    async rss() {
      const s = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) * 1024;
      return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
    },
    cpu: () => procCpu(child.pid!),
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.on('exit', r));
    },
  };
}

/** Posts until acknowledged, waiting out each 429's Retry-After; `source`: the Distillguard-Source it names (paced clients: one each). */
async function post(s: Server, path: string, body: Buffer | string, stats: { refused: number; resets?: number }, source?: string): Promise<void> {
  const headers: Record<string, string> = { authorization: `Bearer ${KEY}`, 'content-type': path === '/v1/watermark' ? 'application/json' : 'application/x-ndjson' };
  if (source !== undefined) headers['distillguard-source'] = source;
  for (let resets = 0; ; ) {
    let r: Response;
    try {
      r = await fetch(`${s.url}${path}`, { method: 'POST', body, headers });
    } catch (e) {
      // A keep-alive connection the server closed as the request went out (idle 5 s, e.g. after a
      // Retry-After wait; seen at load 17) resets before any answer: the batch was not taken, so it
      // is sent again, at most twice. Were it taken, the duplicates would show: the summary would
      // not equal scan's.
      if (++resets > 2 || s.child.exitCode !== null || (e as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw e;
      stats.resets = (stats.resets ?? 0) + 1;
      continue;
    }
    const text = await r.text();
    if (r.status === 429) {
      stats.refused++;
      await sleep(1000 * Number(r.headers.get('retry-after') ?? 1));
      continue;
    }
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${text.slice(0, 300)}`);
    return;
  }
}

/** Every account the query lists, page by page (1,000 a page), and the refresh ids the pages gave. */
async function allAccounts(s: Server, query: string): Promise<{ accounts: Account[]; refreshes: Set<string | null> }> {
  const accounts: Account[] = [];
  const refreshes = new Set<string | null>();
  for (let offset = 0; ; offset += 1000) {
    const a = await s.get(`/v1/accounts?${query}${query ? '&' : ''}limit=1000&offset=${offset}`);
    if (a.status !== 200) throw new Error(`/v1/accounts: ${a.status} ${a.body.slice(0, 200)}`);
    refreshes.add(a.headers.get('distillguard-refresh'));
    const page = (JSON.parse(a.body) as { accounts: Account[] }).accounts;
    accounts.push(...page);
    if (page.length < 1000) return { accounts, refreshes };
  }
}

/** The summary counts compared (with scan's, or across a restart). */
const SUMMARY_KEYS = ['accounts', 'flagged_accounts', 'suspicious_accounts', 'campaigns', 'accepted', 'rejected', 'duplicates'];

/** Differences between the served accounts (and summary counts) and scan's; 0 when equal. */
async function differences(s: Server): Promise<{ accounts: number; missing: number; summary: string | null }> {
  const served = (await allAccounts(s, '')).accounts;
  let diff = 0;
  const seen = new Set<string>();
  for (const x of served) {
    seen.add(x.account_id);
    if (scanById.get(x.account_id) !== JSON.stringify(sortKeys(x))) diff++;
  }
  const missing = scanAccounts.length - [...scanById.keys()].filter((id) => seen.has(id)).length;
  const sum = (JSON.parse((await s.get('/v1/summary')).body) as { summary: Record<string, number> }).summary;
  const bad = SUMMARY_KEYS.filter((k) => sum[k] !== scanSummary[k]).map((k) => `${k} ${sum[k]} vs ${scanSummary[k]}`);
  return { accounts: diff + (served.length - seen.size), missing, summary: bad.length === 0 ? null : bad.join(', ') };
}

async function untilEqual(s: Server): Promise<{ seconds: number | null; last: Awaited<ReturnType<typeof differences>> }> {
  const t0 = performance.now();
  let last = await differences(s);
  while (last.accounts + last.missing > 0 || last.summary !== null) {
    if (performance.now() - t0 > EQUAL_TIMEOUT_MS) return { seconds: null, last };
    await sleep(250);
    last = await differences(s);
  }
  return { seconds: m1((performance.now() - t0) / 1000), last };
}

function histogramQuantile(text: string, name: string, q: number): number | null {
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  if (buckets.length === 0 || buckets[buckets.length - 1][1] === 0) return null;
  const rank = q * buckets[buckets.length - 1][1];
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) return le === Infinity ? prevLe : prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(count - prevCount, 1);
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

async function serverHistograms(s: Server): Promise<Record<string, number | null>> {
  const text = (await s.get('/metrics')).body;
  const out: Record<string, number | null> = {};
  for (const name of ['distillguard_ack_to_judged_seconds', 'distillguard_judged_to_visible_seconds', 'distillguard_ack_to_visible_seconds', 'distillguard_store_refresh_seconds']) {
    const short = name.replace(/^distillguard_/, '').replace(/_seconds$/, '');
    const p50 = histogramQuantile(text, name, 0.5);
    const p99 = histogramQuantile(text, name, 0.99);
    out[`${short}_ms_p50`] = p50 === null ? null : m1(p50 * 1000);
    out[`${short}_ms_p99`] = p99 === null ? null : m1(p99 * 1000);
  }
  return out;
}

/**
 * Where an ingest request's wall time went, per stage (builds whose /metrics say it:
 * distillguard_ingest_stage_seconds): mean ms per request, and the mean ms of engine slices on the
 * main thread within each stage. null for an older build.
 */
async function ingestStages(s: Server): Promise<Record<string, { ms: number; engine_ms: number | null }> | null> {
  const text = (await s.get('/metrics')).body;
  const out: Record<string, { ms: number; engine_ms: number | null }> = {};
  for (const m of text.matchAll(/^distillguard_ingest_stage_seconds_sum\{stage="([^"]+)"\} (\S+)/gm)) {
    const count = Number(new RegExp(`^distillguard_ingest_stage_seconds_count\\{stage="${m[1]}"\\} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
    if (count === 0) continue;
    const engine = new RegExp(`^distillguard_ingest_stage_engine_seconds_total\\{stage="${m[1]}"\\} (\\S+)`, 'm').exec(text);
    out[m[1]] = { ms: m1((Number(m[2]) * 1000) / count), engine_ms: engine ? m1((Number(engine[1]) * 1000) / count) : null };
  }
  return Object.keys(out).length === 0 ? null : out;
}

/** Reads summary and flagged accounts back to back until stopped; counts pairs that disagree. */
function consistencyReader(s: Server): { stop(): Promise<{ pairs: number; samePairs: number; disagreements: number; example: string | null }> } {
  let running = true;
  const r = { pairs: 0, samePairs: 0, disagreements: 0, example: null as string | null };
  const loop = (async () => {
    while (running) {
      const sum = await s.get('/v1/summary');
      const acc = await allAccounts(s, 'verdict=distillation');
      if (sum.status === 200) {
        const sRefresh = sum.headers.get('distillguard-refresh');
        const flaggedSummary = (JSON.parse(sum.body) as { summary: { flagged_accounts: number } | null }).summary?.flagged_accounts ?? 0;
        const flaggedAccounts = acc.accounts.length;
        r.pairs++;
        // Without refresh ids (an older build) every pair is meant to agree.
        const same = acc.refreshes.size === 1 && acc.refreshes.has(sRefresh);
        if (same) r.samePairs++;
        if (same && flaggedSummary !== flaggedAccounts) {
          r.disagreements++;
          r.example ??= `summary says ${flaggedSummary} flagged, accounts lists ${flaggedAccounts} (refresh ${sRefresh ?? 'not given'})`;
        }
      }
      await sleep(200);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return r;
    },
  };
}

/** The server's V8 heap in use and external memory now (MiB), from its /metrics; null when it does not say. */
async function processMemory(s: Server): Promise<{ heap: number; external: number } | null> {
  const text = (await s.get('/metrics')).body;
  const heap = /^distillguard_process_nodejs_heap_size_used_bytes (\S+)/m.exec(text);
  const external = /^distillguard_process_nodejs_external_memory_bytes (\S+)/m.exec(text);
  return heap && external ? { heap: Number(heap[1]) / 2 ** 20, external: Number(external[1]) / 2 ** 20 } : null;
}

/** Means of the first and last third of the memory samples: which part of the RSS grew. */
function memoryThirds(xs: { t: number; heap: number; external: number }[]): Record<string, number | null> {
  if (xs.length < 3) return { heap_used_mib_first_third: null, heap_used_mib_last_third: null, external_mib_first_third: null, external_mib_last_third: null };
  const third = Math.floor(xs.length / 3);
  const mean = (ys: typeof xs, k: 'heap' | 'external'): number => m1(ys.reduce((a, y) => a + y[k], 0) / ys.length);
  return {
    heap_used_mib_first_third: mean(xs.slice(0, third), 'heap'),
    heap_used_mib_last_third: mean(xs.slice(-third), 'heap'),
    external_mib_first_third: mean(xs.slice(0, third), 'external'),
    external_mib_last_third: mean(xs.slice(-third), 'external'),
  };
}

/** Starts the server again on its store and log after a stop: when it was started, and the seconds until it listened, replayed and published. */
async function startAgain(dir: string): Promise<{ again: Server; r0: number; started: { listening_s: number; replay_s: number | null; publish_s: number | null } }> {
  const r0 = performance.now();
  const again = await startServer(dir);
  const listeningS = (performance.now() - r0) / 1000;
  return {
    again,
    r0,
    started: {
      listening_s: m1(listeningS),
      replay_s: again.replayMs === null ? null : m1(again.replayMs / 1000),
      publish_s: again.publishMs === null ? null : m1(again.publishMs / 1000),
    },
  };
}

// ---- 2. fast, 3. restart --------------------------------------------------------------------------
const result: Record<string, unknown> = {
  bin: BIN,
  input: inputPath,
  lines: totalLines,
  input_mib: m1(input.length / 2 ** 20),
  batch: BATCH,
  scan: { events_per_s: scanRate, wall_s: m1(o['scan-dir'] === undefined ? scanWallS : scanSummary.wall_time_ms / 1000), reused_from: o['scan-dir'], record: scanRecordMade ?? (await readScanRecord(scanOut)), trusted: scanTrusted, cpu_s: scanCpuS, cpu_us_per_line: scanCpuS === null ? null : Math.round((scanCpuS * 1e6) / totalLines), accounts: scanAccounts.length, flagged: scanSummary.flagged_accounts },
};
const watermarkBody = JSON.stringify({ ts: new Date(newestTs + 3_600_000).toISOString() });

if (!o['skip-fast']) {
  process.stderr.write('fast: posting as fast as acknowledged…\n');
  const dir = join(work, 'fast');
  const s = await startServer(dir);
  const reader = o['no-reader'] ? { stop: async () => null } : consistencyReader(s);
  const stats: { refused: number; resets?: number } = { refused: 0 };
  const rssSamples: number[] = [];
  const sampler = setInterval(() => void s.rss().then((r) => rssSamples.push(r.rss), () => undefined), 2000);
  const cpu0 = await s.cpu();
  const threads0 = await threadCpu(s.child.pid!);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  for (const b of batches) await post(s, '/v1/records', b.body, stats);
  const ackedS = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(client0);
  const ackedCpuS = (await s.cpu()) - cpu0;
  const threads = threadShares(s.child.pid!, threads0, await threadCpu(s.child.pid!));
  const stages = await ingestStages(s);
  await post(s, '/v1/watermark', watermarkBody, stats);
  const wmS = (performance.now() - t0) / 1000;
  const eq = await untilEqual(s);
  const visibleS = (performance.now() - t0) / 1000;
  const visibleCpuS = (await s.cpu()) - cpu0; // includes the reads of the consistency reader and the equality check
  const consistency = await reader.stop();
  clearInterval(sampler);
  const hist = await serverHistograms(s);
  const { hwm } = await s.rss();
  const stop0 = performance.now();
  await s.stop();
  const stopS = (performance.now() - stop0) / 1000;
  process.stderr.write(`stopped in ${m1(stopS)} s\n`);
  let restart: Record<string, unknown> | null = null;
  if (!o['no-restart']) {
    process.stderr.write('restart…\n');
    const { again, r0, started } = await startAgain(dir);
    const eq2 = await untilEqual(again);
    const restartEqualS = (performance.now() - r0) / 1000;
    await again.stop();
    restart = {
      ...started,
      equal_to_scan_s: eq2.seconds === null ? null : m1(restartEqualS),
      not_equal: eq2.seconds === null ? eq2.last : undefined,
    };
  }
  result.fast = {
    acked_s: m1(ackedS),
    acked_lines_per_s: Math.round(totalLines / ackedS),
    refused_429: stats.refused,
    connection_resets: stats.resets ?? 0,
    watermark_answered_s: m1(wmS),
    equal_to_scan_after_watermark_s: eq.seconds,
    equal_to_scan_at_s: m1(visibleS),
    end_to_end_lines_per_s: Math.round(totalLines / visibleS),
    serve_to_scan_ratio: scanTrusted || o['accept-loaded-scan'] ? Math.round((totalLines / visibleS / scanRate) * 100) / 100 : null,
    acked_cpu_s: m1(ackedCpuS),
    acked_cpu_us_per_line: Math.round((ackedCpuS * 1e6) / totalLines),
    // Where the CPU went while acknowledging, per thread: µs a line, and the share of the wall time each was busy (idle = 1 - busy).
    threads: {
      main_us_per_line: Math.round((threads.main * 1e6) / totalLines),
      main_busy_share: Math.round((threads.main / ackedS) * 100) / 100,
      decode_worker_us_per_line: Math.round((threads.busiestOther * 1e6) / totalLines),
      decode_worker_busy_share: Math.round((threads.busiestOther / ackedS) * 100) / 100,
      second_busiest_us_per_line: Math.round((threads.secondOther * 1e6) / totalLines),
      second_busiest_busy_share: Math.round((threads.secondOther / ackedS) * 100) / 100,
      other_threads_us_per_line: Math.round((threads.rest * 1e6) / totalLines),
    },
    // This process (the client posting, and the reader unless --no-reader) shares the machine: its CPU per line.
    client_cpu_us_per_line: Math.round((client.user + client.system) / totalLines),
    // Per batch, mean wall ms of each stage on the server (read, count, decode, order, durable, answer; decode_worker
    // and decode_unpack are parts of decode) and the engine slices' ms within it; per_batch_ms: the client's own
    // time per batch (post to receipt), of which the stages are the server's part.
    per_batch_ms: m1((ackedS * 1000) / batches.length),
    ingest_stages: stages,
    visible_cpu_s: m1(visibleCpuS),
    not_equal: eq.seconds === null ? eq.last : undefined,
    consistency,
    peak_rss_mib: m1(hwm / 2 ** 20),
    server_histograms: hist,
    stop_s: m1(stopS),
  };
  result.restart = restart;
  process.stderr.write(`${JSON.stringify({ fast: result.fast, restart: result.restart })}\n`);
}

/** The read API's accounts (every field) and summary counts, as one comparable text. */
async function servedState(s: Server): Promise<{ text: string; accounts: number }> {
  const accounts = (await allAccounts(s, '')).accounts.map((a) => JSON.stringify(sortKeys(a))).sort();
  const sum = (JSON.parse((await s.get('/v1/summary')).body) as { summary: Record<string, number> }).summary;
  const counts = SUMMARY_KEYS.map((k) => sum[k]);
  return { text: `${JSON.stringify(counts)}\n${accounts.join('\n')}`, accounts: accounts.length };
}

/**
 * A paced run's restart (--paced-restart): once the read API stops changing (the same twice, 2 s
 * apart), the server is stopped and started again on the same store and ingest log; seconds until it
 * listens and until its read API answers what it answered before the stop. (Looped traffic has no scan
 * to compare with: the reference is the served state itself.)
 */
async function restartAfterPaced(s: Server, dir: string): Promise<Record<string, unknown>> {
  const s0 = performance.now();
  let before = await servedState(s);
  for (;;) {
    await sleep(2000);
    const again = await servedState(s);
    if (again.text === before.text || performance.now() - s0 > 120_000) {
      before = again;
      break;
    }
    before = again;
  }
  const settleS = (performance.now() - s0) / 1000;
  const stop0 = performance.now();
  await s.stop();
  const stopS = (performance.now() - stop0) / 1000;
  const { again, r0, started } = await startAgain(dir);
  let equalS: number | null = null;
  for (;;) {
    if ((await servedState(again)).text === before.text) {
      equalS = (performance.now() - r0) / 1000;
      break;
    }
    if (performance.now() - r0 > EQUAL_TIMEOUT_MS) break;
    await sleep(250);
  }
  const rss = await again.rss();
  await again.stop();
  process.stderr.write(`restart after paced: listening ${started.listening_s} s, equal ${equalS === null ? 'never' : `${m1(equalS)} s`}\n`);
  return {
    settled_s: m1(settleS),
    accounts: before.accounts,
    stop_s: m1(stopS),
    ...started,
    equal_to_before_stop_s: equalS === null ? null : m1(equalS),
    rss_mib_after_restart: m1(rss.rss / 2 ** 20),
  };
}

// ---- 4. paced -------------------------------------------------------------------------------------
const paced: Record<string, unknown>[] = [];
for (const share of PACES) {
  const rate = share * scanRate;
  process.stderr.write(`paced at ${share} × scan = ${Math.round(rate)} lines/s…\n`);
  const s = await startServer(join(work, `paced-${share}`));
  const stats = { refused: 0 };
  const rssSamples: { t: number; rss: number }[] = [];
  const cpu0 = await s.cpu();
  const t0 = performance.now();
  const sampler = setInterval(() => void s.rss().then((r) => rssSamples.push({ t: performance.now() - t0, rss: r.rss }), () => undefined), 2000);
  // What the RSS is made of (builds whose /metrics has node's default metrics): the V8 heap in use,
  // and memory outside it held by JS objects (Buffers); the rest is native (DuckDB, code, stacks).
  const memSamples: { t: number; heap: number; external: number }[] = [];
  const memSampler = setInterval(() => void processMemory(s).then((m) => m && memSamples.push({ t: performance.now() - t0, ...m }), () => undefined), 10_000);
  // The prober: a sample of acknowledged batches, at most one every PROBE_EVERY_MS, each watched on
  // its own until the account of its last exchange shows that exchange's time as last_seen. (One
  // prober asking once per batch in turn lagged behind the traffic and measured its own queue.) A
  // probe asks again after a twentieth of the time it has waited (50 ms to 1 s): its error stays
  // under 5% while it adds few requests.
  const visibleMs: number[] = [];
  const probes: Promise<void>[] = [];
  let lastProbe = -Infinity;
  const probe = async (p: NonNullable<Batch['probe']>, ackedAt: number): Promise<void> => {
    for (;;) {
      const r = await s.get(`/v1/accounts/${encodeURIComponent(p.account)}`);
      const now = performance.now();
      const seen = r.status === 200 ? Date.parse(String((JSON.parse(r.body) as { last_seen?: string }).last_seen)) : -Infinity;
      if (seen >= p.ts) {
        visibleMs.push(now - ackedAt);
        return;
      }
      if (now - t0 > PACE_SECONDS * 1000 + 300_000) return; // never visible: counted below
      await sleep(Math.min(1000, Math.max(50, (now - ackedAt) / 20)));
    }
  };
  let newest = -Infinity;
  // CLIENTS clients, each its own event-time source (Distillguard-Source), at most one batch in
  // flight each: batch i goes out on the next free client once due (bench/paced-clients.ts). With
  // --pace-seconds the traffic loops until the time is up (see loopBatch).
  const client0 = process.cpuUsage();
  const run = await runPaced({
    rate,
    clients: CLIENTS,
    seconds: PACE_SECONDS,
    batches: PACE_SECONDS > 0 ? Infinity : batches.length,
    linesBefore: (i) => Math.floor(i / batches.length) * totalLines + linesBefore[i % batches.length],
    linesOf: (i) => batches[i % batches.length].lines,
    post: async (i, k) => {
      const b = loopBatch(i);
      const st: { refused: number; resets?: number } = { refused: 0 };
      await post(s, '/v1/records', b.body, st, `c${k}`);
      if (b.newest > newest) newest = b.newest;
      return st;
    },
    onAck: (i, ackedAt) => {
      const b = batches[i % batches.length];
      if (b.probe && ackedAt - lastProbe >= PROBE_EVERY_MS) {
        lastProbe = ackedAt;
        const shift = Math.floor(i / batches.length) * spanMs;
        probes.push(probe({ account: b.probe.account, ts: b.probe.ts + shift }, ackedAt));
      }
    },
  });
  const clientCpu = process.cpuUsage(client0);
  stats.refused += run.refused_429;
  const sent = run.lines_posted;
  const postedS = (performance.now() - t0) / 1000;
  const postedCpuS = (await s.cpu()) - cpu0;
  // The last batch's records wait in the ordering buffer until a watermark (docs/serve.md); the
  // server refuses one in the future (looped traffic can run past today).
  // Every client's source says so: the engine's clock moves only as far as every active source has come.
  const wm = JSON.stringify({ ts: new Date(Math.min(newest + 3_600_000, Date.now())).toISOString() });
  for (let k = 0; k < CLIENTS; k++) await post(s, '/v1/watermark', wm, stats, `c${k}`);
  await Promise.all(probes);
  clearInterval(sampler);
  clearInterval(memSampler);
  const hist = await serverHistograms(s);
  const { hwm } = await s.rss();
  const restart = o['paced-restart'] ? await restartAfterPaced(s, join(work, `paced-${share}`)) : undefined;
  if (!o['paced-restart']) await s.stop();
  const third = Math.max(1, Math.floor(rssSamples.length / 3));
  const minute = (from: number, to: number): number | null => {
    const xs = rssSamples.filter((x) => x.t >= from && x.t < to);
    return xs.length === 0 ? null : m1(mean(xs));
  };
  const lastT = rssSamples.length === 0 ? 0 : rssSamples[rssSamples.length - 1].t;
  const mean = (xs: { rss: number }[]): number => xs.reduce((a, x) => a + x.rss, 0) / Math.max(xs.length, 1) / 2 ** 20;
  const row = {
    share,
    rate_lines_per_s: Math.round(rate),
    lines_posted: sent,
    posted_s: m1(postedS),
    achieved_lines_per_s: run.achieved_lines_per_s,
    clients: CLIENTS,
    // null: the asked rate was reached (≥ 97%); otherwise what held it back, serve or this client.
    limited_by: pacedLimit(run, { cpuCores: postedCpuS / postedS, cores: cpus().length }, (clientCpu.user + clientCpu.system) / 1e6 / postedS),
    all_clients_busy_share: run.all_clients_busy_share,
    send_lag_ms_p50: run.send_lag_ms_p50,
    send_lag_ms_p99: run.send_lag_ms_p99,
    send_lag_ms_max: run.send_lag_ms_max,
    ack_ms_p50: run.ack_ms_p50,
    ack_ms_p99: run.ack_ms_p99,
    client_cpu_cores: Math.round(((clientCpu.user + clientCpu.system) / 1e6 / postedS) * 100) / 100,
    server_cpu_cores: Math.round((postedCpuS / postedS) * 100) / 100,
    cpu_s: m1(postedCpuS),
    cpu_us_per_line: Math.round((postedCpuS * 1e6) / Math.max(sent, 1)),
    refused_429: stats.refused,
    passes: m1(sent / totalLines),
    batches_probed: probes.length,
    probes_never_visible: probes.length - visibleMs.length,
    ack_to_visible_ms_p50: pct(visibleMs, 0.5) === null ? null : m1(pct(visibleMs, 0.5)!),
    ack_to_visible_ms_p99: pct(visibleMs, 0.99) === null ? null : m1(pct(visibleMs, 0.99)!),
    ack_to_visible_ms_max: visibleMs.length === 0 ? null : m1(Math.max(...visibleMs)),
    rss_mib_first_third: m1(mean(rssSamples.slice(0, third))),
    rss_mib_last_third: m1(mean(rssSamples.slice(-third))),
    rss_mib_first_minute: minute(0, 60_000),
    rss_mib_last_minute: minute(lastT - 60_000, lastT + 1),
    restart,
    ...memoryThirds(memSamples),
    peak_rss_mib: m1(hwm / 2 ** 20),
    server_histograms: hist,
    // The series behind the thirds (seconds, MiB): where a step comes from (a checkpoint every 300 s holds a copy of the state while it is written).
    rss_series: rssSamples.filter((_, i) => i % 5 === 0).map((x) => [Math.round(x.t / 1000), m1(x.rss / 2 ** 20)]),
    heap_series: memSamples.map((x) => [Math.round(x.t / 1000), m1(x.heap), m1(x.external)]),
  };
  process.stderr.write(`${JSON.stringify({ ...row, rss_series: undefined, heap_series: undefined })}\n`);
  paced.push(row);
}
result.paced = paced;
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (o.json) {
  await mkdir(resolve(o.json, '..'), { recursive: true });
  await writeFile(o.json, `${JSON.stringify(result, null, 2)}\n`);
}
