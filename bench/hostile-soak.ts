// Hostile-mix soak of `distillguard serve` (issue 15): the real process, for SOAK_SECONDS (default
// 300), normal traffic (in order, with Idempotency-Keys and retries) beside a loop of hostile requests
// (gzip bombs, 1M-line batches, a 10 MB LiteLLM item, 100,000-deep nesting, invalid UTF-8, wrong
// content types, malformed URLs and OTLP, slow-loris connections). Measures /healthz latency every
// 100 ms, the server's RSS every second, and at the end reconciles the normal receipts with what the
// store counts. Prints one JSON object of figures. Run: npm run bench:soak [-- seconds] [--build DIR].
//
// /healthz is probed on the main port and, when the build has one (`serve --gateway-port`), on the
// gateway listener, each from a thread of this benchmark that does nothing else: the generator's own
// stalls (building a 10 MB body, gzip) do not count as the server's. `--build /work/base-61bd306` runs
// the same load against another build, side by side. `--profile DIR` writes a CPU profile of serve's
// threads there (node --cpu-prof), for attributing what holds the main thread. `--nice=N` runs serve
// under `nice -n N` (as root, negative: serve ahead of the machine's other work, nearer a quiet run).
// The hostile loops are closed (the next request once the last is answered), so a build that answers
// them faster takes more of them; `--hostile-rate R` caps each loop at R requests a second, the same
// attack for both builds of a side-by-side run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const { values: opts, positionals } = parseArgs({ options: { build: { type: 'string' }, profile: { type: 'string' }, nice: { type: 'string' }, 'hostile-rate': { type: 'string' } }, allowPositionals: true });
const seconds = Number(positionals[0] ?? process.env.SOAK_SECONDS ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'dg-soak-'));
const INGEST = 'soak-ingest-key-0123456789';
const READ = 'soak-read-key-0123456789ab';
writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [{ id: 'gw', key: INGEST, roles: ['ingest'] }, { id: 'ro', key: READ, roles: ['read'] }] }));
const bin = opts.build ? resolve(opts.build, 'bin/distillguard.js') : new URL('../../bin/distillguard.js', import.meta.url).pathname;
const hasListener = readFileSync(resolve(bin, '../../dist/src/cli/serve.js'), 'utf8').includes('--gateway-port');
const nodeArgs = opts.profile ? ['--cpu-prof', '--cpu-prof-dir', resolve(opts.profile)] : [];
const serveCmd = [process.execPath, ...nodeArgs, bin, 'serve'];
if (opts.nice !== undefined && !/^-?\d+$/.test(opts.nice)) throw new Error(`--nice takes an integer, got ${opts.nice}`);
const [cmd, ...cmdArgs] = opts.nice === undefined ? serveCmd : ['nice', '-n', opts.nice, ...serveCmd];
const child = spawn(cmd, [...cmdArgs, '--db', join(dir, 'dg.duckdb'), '--port', '0', '--keys', join(dir, 'keys.json'), '--body-timeout', '2', '--headers-timeout', '2', '--log-level', 'warn', ...(hasListener ? ['--gateway-port', '0'] : [])], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const [url, listenerUrl] = await new Promise<[string, string | undefined]>((res, rej) => {
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(err);
    const g = /gateway listener on (http:\/\/\S+)/.exec(err);
    if (m && (g || !hasListener)) res([m[1], g?.[1]]);
  });
  child.on('exit', (c) => rej(new Error(`serve exited ${c}: ${err}`)));
});
const { hostname, port } = new URL(url);
const ingest = { authorization: `Bearer ${INGEST}` };
const T0 = Date.UTC(2026, 3, 1);
const deadline = performance.now() + seconds * 1000;
const running = (): boolean => performance.now() < deadline;

// --- the server's RSS and /healthz latency ---
let rssMax = 0;
const rssSamples: number[] = [];
const rssTimer = setInterval(() => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
    rssSamples.push(kb / 1024);
    rssMax = Math.max(rssMax, kb / 1024);
  } catch {
    // the process is gone: the run fails below
  }
}, 1000);
/** Probes `${base}/healthz` every 100 ms from a thread of its own until the deadline: latencies (ms) and failures. */
const probe = (base: string): Promise<{ lat: number[]; failures: number }> =>
  new Promise((res, rej) => {
    const w = new Worker(
      `const { parentPort, workerData: { url, until } } = require('node:worker_threads');
      (async () => {
        const lat = []; let failures = 0;
        while (Date.now() < until) {
          const t = performance.now();
          try {
            const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
            await r.text();
            if (r.status !== 200 && r.status !== 429) failures++;
          } catch { failures++; }
          lat.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 100));
        }
        parentPort.postMessage({ lat, failures });
      })();`,
      { eval: true, workerData: { url: `${base}/healthz`, until: Date.now() + seconds * 1000 } },
    );
    w.once('message', res);
    w.once('error', rej);
  });
const healthLoop = probe(url);
const listenerHealthLoop = listenerUrl ? probe(listenerUrl) : Promise.resolve(undefined);

// --- normal traffic: 4 gateways, in order, each batch with an Idempotency-Key, one in ten retried ---
let normalAccepted = 0;
let normalBatches = 0;
let normalRefused = 0;
let retries = 0;
const exchange = (g: number, i: number): string =>
  JSON.stringify({
    type: 'exchange',
    id: `normal-${g}-${i}`,
    ts: T0 + i * 2000,
    account_id: `normal-acct-${g}-${i % 40}`,
    request: { model: 'm', max_tokens: 256, messages: [{ role: 'user', content: `question ${i} about tides and orbits from gateway ${g}` }] },
    response: { usage: { input_tokens: 20, output_tokens: 120 } },
    client: { ip: `198.51.100.${g}`, user_agent: 'gateway/1.0' },
  });
const gateway = async (g: number): Promise<void> => {
  for (let b = 0; running(); b++) {
    const body = Array.from({ length: 100 }, (_, k) => exchange(g, b * 100 + k)).join('\n');
    const headers = { ...ingest, 'content-type': 'application/x-ndjson', 'distillguard-source': `gw-${g}`, 'idempotency-key': `gw-${g}-batch-${b}` };
    for (let attempt = 0; ; attempt++) {
      const r = await fetch(`${url}/v1/records`, { method: 'POST', body, headers }).catch(() => undefined);
      // Refused whole (overloaded, or the body took longer than --body-timeout on a starved machine):
      // a gateway retries with the same Idempotency-Key, nothing is counted twice.
      if (r === undefined || r.status === 408 || r.status === 429 || r.status === 503) {
        normalRefused++;
        await new Promise((res) => setTimeout(res, 200));
        continue;
      }
      const j = (await r.json()) as { accepted: number; replayed?: boolean };
      if (r.status !== 200) throw new Error(`normal batch answered ${r.status}: ${JSON.stringify(j)}`);
      if (j.replayed !== true) normalAccepted += j.accepted;
      if (attempt === 0 && b % 10 === 0) {
        retries++;
        continue; // the client "lost" the answer and retries: must come back replayed
      }
      break;
    }
    normalBatches++;
  }
};

// --- hostile traffic ---
const counts: Record<string, Record<number, number>> = {};
const note = (name: string, status: number): void => {
  const c = (counts[name] ??= {});
  c[status] = (c[status] ?? 0) + 1;
};
const bomb = gzipSync(Buffer.from('{}\n'.repeat(4_500_000)));
const million = gzipSync(Buffer.from('{}\n'.repeat(1_000_000)));
const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
const bigLiteLLM = JSON.stringify([{ id: 'l', call_type: 'completion', startTime: T0 / 1000, messages: [{ role: 'user', content: 'x'.repeat(10_000_000) }] }]);
const badUtf8 = Buffer.concat([Buffer.from('{"type":"exchange","id":"h_'), Buffer.from([0xff, 0xfe]), Buffer.from('","ts":1,"account_id":"h","request":{"messages":[]}}\n')]);
const hostile: [string, () => Promise<number>][] = [
  ['gzip-bomb-4.5M', () => post('/v1/records', bomb, 'application/x-ndjson', { 'content-encoding': 'gzip' })],
  ['1M-lines', () => post('/v1/records', million, 'application/x-ndjson', { 'content-encoding': 'gzip' })],
  ['litellm-10MB-item', () => post('/v1/litellm', bigLiteLLM, 'application/json')],
  ['deep-litellm', () => post('/v1/litellm', `[{"a":${deep(100_000)}}]`, 'application/json')],
  ['deep-traces', () => post('/v1/traces', `{"resourceSpans":${deep(100_000)}}`, 'application/json')],
  ['deep-records', () => post('/v1/records', `{"type":"exchange","x":${deep(100_000)}}\n`, 'application/x-ndjson')],
  ['invalid-utf8', () => post('/v1/records', badUtf8, 'application/x-ndjson')],
  ['text/plain', () => post('/v1/records', '{}\n', 'text/plain')],
  ['image/png', () => post('/v1/records', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png')],
  ['otlp-garbage', () => post('/v1/traces', '{"resourceSpans":[null,1,"x",{"scopeSpans":{}}]}', 'application/json')],
  ['ranges', () => post('/v1/records', JSON.stringify({ type: 'exchange', id: 'h-r', ts: T0, account_id: 'h', request: { temperature: 1e308, n: 1e15, messages: [] } }), 'application/x-ndjson')],
  ['bad-url', async () => (await fetch(`${url}/v1/accounts/%E0%A4%A`, { headers: { authorization: `Bearer ${READ}` } })).status],
];
async function post(path: string, body: string | Buffer, type: string, extra: Record<string, string> = {}): Promise<number> {
  const r = await fetch(`${url}${path}`, { method: 'POST', body, headers: { ...ingest, 'content-type': type, ...extra } });
  await r.arrayBuffer();
  return r.status;
}
let hostileErrors = 0;
/** Each of the two hostile loops sends at most this many requests a second (`--hostile-rate`); unset, as fast as answered. */
const hostileRate = opts['hostile-rate'] === undefined ? undefined : Number(opts['hostile-rate']);
if (hostileRate !== undefined && !(hostileRate > 0)) throw new Error(`--hostile-rate takes a positive number, got ${opts['hostile-rate']}`);
const hostileLoop = async (): Promise<void> => {
  for (let i = 0; running(); i++) {
    const [name, send] = hostile[i % hostile.length];
    const started = performance.now();
    try {
      note(name, await send());
    } catch {
      hostileErrors++;
    }
    if (hostileRate !== undefined) await new Promise((r) => setTimeout(r, Math.max(0, 1000 / hostileRate - (performance.now() - started))));
  }
};
// Slow loris: 20 connections at a time, a body byte every second; each must be closed by the server.
let lorisOpened = 0;
let lorisClosedByServer = 0;
const loris = async (): Promise<void> => {
  while (running()) {
    const socks: Socket[] = [];
    const closed: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      const s = connect(Number(port), hostname);
      s.on('error', () => undefined);
      lorisOpened++;
      closed.push(new Promise((res) => s.on('close', () => res(void lorisClosedByServer++))));
      s.write(`POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${INGEST}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n{`);
      socks.push(s);
    }
    const drip = setInterval(() => socks.forEach((s) => !s.destroyed && s.write(' ')), 1000);
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 15_000))]);
    clearInterval(drip);
    socks.forEach((s) => s.destroy());
  }
};

const t0 = performance.now();
const [health, listenerHealth] = await Promise.all([healthLoop, listenerHealthLoop, ...Array.from({ length: 4 }, (_, g) => gateway(g)), hostileLoop(), hostileLoop(), loris()]);
const ran = (performance.now() - t0) / 1000;
// The server's own event-loop delay over the load (prom-client's monitorEventLoopDelay, reset per scrape: this is the first).
const loopLag = await eventLoopLag(url);

// --- reconcile: wait until the engine has consumed everything and the store was refreshed ---
const get = async <T>(path: string): Promise<T> => (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${READ}` } })).json()) as T;
for (let i = 0; i < 60; i++) {
  const h = await get<{ backlog: number }>('/healthz');
  if (h.backlog === 0) break;
  await new Promise((r) => setTimeout(r, 500));
}
// The store is refreshed every --flush-ms, spaced to 3x its own duration: poll until it has caught up.
let storeNormal = 0;
let summary = await get<{ live: { buffered: number } }>('/v1/summary');
for (let i = 0; i < 60; i++) {
  const accounts = await get<{ accounts: { account_id: string; exchanges: number }[] }>('/v1/accounts?limit=1000');
  storeNormal = accounts.accounts.filter((a) => a.account_id.startsWith('normal-')).reduce((n, a) => n + a.exchanges, 0);
  summary = await get<{ live: { buffered: number } }>('/v1/summary');
  if (storeNormal + summary.live.buffered === normalAccepted) break;
  await new Promise((r) => setTimeout(r, 1000));
}
clearInterval(rssTimer);
child.kill('SIGTERM');
const exit = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
rmSync(dir, { recursive: true, force: true });

const quantiles = (h: { lat: number[]; failures: number }): { probes: number; failures: number; p50_ms: number; p99_ms: number; max_ms: number } => {
  const sorted = [...h.lat].sort((a, b) => a - b);
  const q = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10;
  return { probes: sorted.length, failures: h.failures, p50_ms: q(0.5), p99_ms: q(0.99), max_ms: q(1) };
};
const figures = {
  build: opts.build ?? '.',
  hostile_rate_per_loop: hostileRate ?? null,
  seconds: Math.round(ran),
  /** 1-minute load average at the end: a shared machine's figures are not the service's. */
  load_average: Math.round(loadavg()[0] * 10) / 10,
  healthz: quantiles(health),
  server_eventloop_lag_ms: loopLag,
  healthz_gateway_listener: listenerHealth ? quantiles(listenerHealth) : null,
  rss_mib: { max: Math.round(rssMax), median: Math.round([...rssSamples].sort((a, b) => a - b)[Math.floor(rssSamples.length / 2)] ?? 0) },
  normal: { batches: normalBatches, accepted: normalAccepted, retried: retries, refused_408_429_503: normalRefused, store_exchanges: storeNormal, buffered_at_end: summary.live.buffered },
  // Every acknowledged normal record is in the store, or still in the ordering buffer (the last tick waits).
  reconciled: storeNormal + summary.live.buffered === normalAccepted,
  hostile: counts,
  hostile_transport_errors: hostileErrors,
  slow_loris: { opened: lorisOpened, closed: lorisClosedByServer },
  server_exit_code: exit,
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);

/** p50, p99 and max of the main thread's event-loop delay (ms) since the last scrape of /metrics, or null without the metric. */
async function eventLoopLag(base: string): Promise<{ p50: number; p99: number; max: number } | null> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (q: string): number | undefined => {
    const m = new RegExp(`^\\w*nodejs_eventloop_lag_${q}_seconds(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Math.round(Number(m[1]) * 10_000) / 10 : undefined;
  };
  const [p50, p99, max] = [read('p50'), read('p99'), read('max')];
  return p50 === undefined || p99 === undefined || max === undefined ? null : { p50, p99, max };
}
