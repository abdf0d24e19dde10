// bench:decision — latency of `GET /v1/decision/{account_id}` on a running `serve` (child process, with
// the CLI's node flags and keys on), paced at a fixed rate over keep-alive connections (open loop:
// requests are sent when due, every 1 ms tick, whether or not earlier ones were answered, so a server
// stall is not hidden by waiting). Two latencies: from when a request was handed to the HTTP client
// (the server's answer, with any queueing for a busy socket), and from when it was due (adding the
// generator's own lateness).
// The server first ingests a simulated world, so the ids asked for mix accounts with and without a decision.
//
//   npm run bench:decision -- [--rate 5000] [--seconds 10] [--connections 32] [--json bench/results/decision.json]
//                             [--listener gateway|main] [--route decision|auth] [--build DIR] [--trace-gc FILE] [--cpu-prof DIR]
//                             [--generator node|wrk] [--pin] [--scenario tiny] [--scale 1] [--ingest-during]
//
// --scenario/--scale: the simulated world serve ingests first (default tiny at scale 1: 727 accounts,
// about 50 with a decision; hydra or farm give a campaign's table acted on). --ingest-during holds
// the last 30% of it back and posts it while the load runs, so the listener also takes the decision
// changes of a live engine. Printed beside the latency: the answering thread's own CPU time per
// request and how long it waited for a CPU (/proc schedstat), figures a busy machine does not distort
// as it does the wall-clock tail.
//
// --listener gateway (default) asks the dedicated gateway listener (`serve --gateway-port`, a worker
// thread); main asks the same routes on the main API port (the only choice for builds before it:
// `--build /work/base-61bd306 --listener main` for a side-by-side run). Besides latency it prints the
// event-loop delay maxima of the thread that answered (the server's) and of this generator's own loop:
// a generator stall shows in the latency from when due, not in the server's.
//
// --pin (with wrk) gives the gateway listener's thread a CPU of its own, as a gateway deployment that
// reserves one would: the listener is pinned to CPU 1, every other thread of serve and wrk to CPU 0
// (taskset). It tells the listener's own tail from the scheduler's on a 2-CPU machine where the
// generator, serve's main thread and the listener otherwise take turns on the same cores. The listener's
// thread is found as the one of serve's threads that used the most CPU while answering the warm-up.
//
// --generator wrk sends the same requests with Debian's `wrk` (C, one thread, no garbage collector)
// instead of this process, to tell the server's tail from a Node generator's: each connection waits
// its share of the rate between requests (wrk's `delay()`), so a stall delays only the requests in
// flight, and wrk reports its latency percentiles from its own histogram. `apt-get install wrk`.
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runSimulate } from '../src/sim/index.js';
import { cliNodeFlags } from './node-flags.js';
import { awaitStderr, GATEWAY_LISTENING, LISTENING } from './serve-child.js';

const { values: o } = parseArgs({
  options: {
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    json: { type: 'string', default: 'bench/results/decision.json' },
    listener: { type: 'string', default: 'gateway' },
    route: { type: 'string', default: 'decision' },
    build: { type: 'string', default: '.' },
    'trace-gc': { type: 'string' },
    'cpu-prof': { type: 'string' },
    generator: { type: 'string', default: 'node' },
    pin: { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'tiny' },
    scale: { type: 'string', default: '1' },
    'ingest-during': { type: 'boolean', default: false },
    'request-log': { type: 'string' },
  },
});
if (o.generator !== 'node' && o.generator !== 'wrk') throw new Error(`--generator: node or wrk, got ${o.generator}`);
if (o['request-log'] && (o.generator !== 'wrk' || o.route !== 'decision')) throw new Error('--request-log needs --generator wrk and --route decision');
if (o.generator === 'wrk' && !existsSync('/usr/bin/wrk')) throw new Error('--generator wrk needs Debian\'s wrk: apt-get install wrk');
if (o.pin && (o.generator !== 'wrk' || o.listener !== 'gateway' || availableParallelism() < 2 || !existsSync('/usr/bin/taskset'))) {
  throw new Error('--pin needs --generator wrk, the gateway listener, two CPUs and taskset (util-linux)');
}
if (o.listener !== 'gateway' && o.listener !== 'main') throw new Error(`--listener: gateway or main, got ${o.listener}`);
if (o.route !== 'decision' && o.route !== 'auth') throw new Error(`--route: decision or auth, got ${o.route}`);
const build = resolve(o.build!);
const RATE = Number(o.rate);
const SECONDS = Number(o.seconds);
const KEY = 'bench-ingest-key-0123456789';
const READ = 'bench-read-key-0123456789ab';

const cache = resolve(`.cache/bench-decision/${o.scenario}-s${o.scale}-seed1`);
if (!existsSync(join(cache, 'input.ndjson'))) await runSimulate({ scenario: o.scenario!, scale: Number(o.scale), seed: 1, out: cache });
const work = resolve('.cache/bench-decision/run');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
await writeFile(join(work, 'keys.json'), JSON.stringify({ keys: [{ id: 'gw', key: KEY, roles: ['ingest'] }, { id: 'ro', key: READ, roles: ['read'] }] }));
const bin = join(build, 'bin/distillguard.js');
const gcFlags = [...(o['trace-gc'] ? ['--trace-gc'] : []), ...(o['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(o['cpu-prof'])] : [])];
const gatewayArgs = o.listener === 'gateway' ? ['--gateway-port', '0'] : [];
const child = spawn(process.execPath, [...cliNodeFlags(bin), ...gcFlags, bin, 'serve', '--db', join(work, 'store.duckdb'), '--port', '0', '--keys', join(work, 'keys.json'), '--log-level', 'warn', ...gatewayArgs], {
  stdio: ['ignore', o['trace-gc'] ? openSync(o['trace-gc'], 'w') : 'ignore', 'pipe'],
});
// Never leave the server running when this benchmark fails part-way (wrk missing, an ingest error).
process.on('exit', () => child.kill('SIGKILL'));
const started = await awaitStderr(child, o.listener === 'gateway' ? [LISTENING, GATEWAY_LISTENING] : [LISTENING]);
const url = new URL(started[0][1]);
/** Where the load goes: the gateway listener, or the main port. */
const target = new URL(started[1]?.[1] ?? url.href);

// ---- a world to decide on -------------------------------------------------------------------------
const lines = (await readFile(join(cache, 'input.ndjson'), 'utf8')).split('\n').filter((l) => l.length > 0);
const ids = new Set<string>();
for (const l of lines) ids.add((JSON.parse(l) as { account_id: string }).account_id);
// --ingest-during: the last 30% of the input is posted while the load runs (serve ingests, judges and
// sends decision changes to the listener meanwhile); otherwise all of it before.
const before = o['ingest-during'] ? Math.floor(lines.length * 0.7) : lines.length;
/** Posts lines [from, to) in batches of 2,000, each after the last was acknowledged; returns how many were posted. */
async function ingest(from: number, to: number, stop = (): boolean => false): Promise<number> {
  let i = from;
  for (; i < to && !stop(); i += 2000) await post(lines.slice(i, Math.min(to, i + 2000)));
  return Math.min(i, to) - from;
}
async function post(chunk: string[]): Promise<void> {
  for (;;) {
    const res = await fetch(`${url.origin}/v1/records`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-ndjson' }, body: `${chunk.join('\n')}\n` });
    if (res.ok) break;
    // A loaded machine: the engine is behind and says when to come back (nothing of a 429 was taken).
    if (res.status === 429) {
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      continue;
    }
    throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
}
await ingest(0, before);
let decided = 0;
for (;;) {
  const d = (await (await fetch(`${url.origin}/v1/decisions`, { headers: { authorization: `Bearer ${READ}` } })).json()) as { decisions: unknown[] };
  const s = (await (await fetch(`${url.origin}/v1/summary`, { headers: { authorization: `Bearer ${READ}` } })).json()) as { live: { backlog: number } };
  decided = d.decisions.length;
  if (s.live.backlog === 0) break;
  await new Promise((r) => setTimeout(r, 200));
}
const accounts = [...ids];

// ---- load -----------------------------------------------------------------------------------------
const agent = new Agent({ keepAlive: true, maxSockets: Number(o.connections) });
/** Latency from when the request was handed to the client (the server's answer time, queueing on busy sockets included). */
const lat: number[] = [];
/** Latency from when the request was due: adds this generator's own lateness (its 1 ms tick, its stalls). */
const latDue: number[] = [];
let errors = 0;
let inflight = 0;
const get = (path: string, due: number): void => {
  inflight++;
  const sent = performance.now();
  const req = request({ host: target.hostname, port: target.port, path, agent, headers: { authorization: `Bearer ${READ}` } }, (res) => {
    res.resume();
    res.on('end', () => {
      inflight--;
      if (!answered(res.statusCode ?? 0)) errors++;
      const now = performance.now();
      lat.push(now - sent);
      latDue.push(now - due);
    });
  });
  req.on('error', () => {
    inflight--;
    errors++;
  });
  req.end();
};
/** The decision route answers 200; nginx's auth route 204, 401 (step up), 403 (block, hold) or 429 (throttle). */
const answered = (status: number): boolean => (o.route === 'decision' ? status === 200 : [204, 401, 403, 429].includes(status));
const pathOf = (id: string): string => (o.route === 'decision' ? `/v1/decision/${encodeURIComponent(id)}` : `/v1/gateway/auth?account_id=${encodeURIComponent(id)}`);
/** Event-loop delay maxima (ms) the server reports since its last scrape: main thread, gateway listener. */
const serverLoopDelay = async (): Promise<{ main_ms: number | null; gateway_ms: number | null }> => {
  const text = await (await fetch(`${url.origin}/metrics`)).text();
  const metric = (name: string): number | null => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Math.round(Number(m[1]) * 1e5) / 100 : null;
  };
  return { main_ms: metric('distillguard_process_nodejs_eventloop_lag_max_seconds'), gateway_ms: metric('distillguard_gateway_eventloop_lag_max_seconds') };
};
/** CPU time (clock ticks) of each of serve's threads, by thread id, from /proc. */
const threadTicks = (): Map<string, number> => {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
    const f = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
    out.set(tid, Number(f[11]) + Number(f[12]));
  }
  return out;
};
/** Time on a CPU and time runnable but waiting for one (ms), of one of serve's threads, from /proc (schedstat: ns). */
const schedstat = (tid: string): { run: number; wait: number } => {
  const [run, wait] = readFileSync(`/proc/${child.pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
  return { run: run / 1e6, wait: wait / 1e6 };
};
const ticks0 = threadTicks();
// Warm-up (JIT, sockets), not measured.
for (let i = 0; i < (o.pin ? 20_000 : 5000); i++) {
  get(pathOf(accounts[i % accounts.length]), performance.now());
  if (i % 500 === 499) while (inflight > 0) await new Promise((r) => setTimeout(r, 1));
}
while (inflight > 0) await new Promise((r) => setTimeout(r, 5));
/** The thread that answered the warm-up (the gateway listener's, or the main thread): its CPU time per request is measured, and --pin pins it. */
const ticks1 = threadTicks();
const busiest = [...ticks1].map(([tid, t]) => [tid, t - (ticks0.get(tid) ?? 0)] as const).sort((a, b) => b[1] - a[1]);
const answering = o.listener === 'main' ? String(child.pid) : busiest[0][0];
let pinned: string | undefined;
if (o.pin) {
  pinned = answering;
  for (const [tid] of ticks1) await runTaskset(['-p', '-c', tid === pinned ? '1' : '0', tid]);
  console.log(`  pinned: thread ${pinned} (${busiest[0][1]} ticks in the warm-up; next ${busiest[1]?.[1] ?? 0}) on CPU 1, serve's other ${ticks1.size - 1} threads and wrk on CPU 0`);
}
async function runTaskset(args: string[]): Promise<void> {
  await new Promise<void>((res, rej) => spawn('/usr/bin/taskset', args, { stdio: 'ignore' }).on('exit', (c) => (c === 0 ? res() : rej(new Error(`taskset ${args.join(' ')} exited ${c}`)))));
}
lat.length = 0;
latDue.length = 0;
errors = 0;
await serverLoopDelay(); // the maxima restart here
/** The server process's CPU time so far (user + system, ms), from /proc. */
const serverCpuMs = (): number => {
  const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
};
/** Latency percentiles (ms) and counts as Debian's wrk measured them (--generator wrk). */
interface WrkFigures {
  requests: number;
  seconds: number;
  errors: number;
  latency_ms: { p50: number; p90: number; p99: number; p999: number; max: number };
}
/** The load phase sent by wrk: a Lua script paces each connection and prints wrk's histogram as JSON. */
async function runWrk(): Promise<WrkFigures> {
  const conns = Number(o.connections);
  const paths = Array.from({ length: Math.min(accounts.length, 4000) }, (_, i) => pathOf(accounts[(i * 7919) % accounts.length]));
  // Each connection waits its share of the rate between requests, less ~1 ms for the answer and for
  // wrk's timers (whole ms, fired up to 1 ms late), so that the rate is reached; the achieved rate is
  // reported. The delay is in whole ms: fractions are carried over to keep the mean gap.
  const gap = Math.max(0, (1000 * conns) / RATE - 1);
  // --request-log: each request's send time (CLOCK_MONOTONIC, µs, the clock of process.hrtime and
  // perf -k mono) and latency, matched by the account id its answer starts with (the ids in flight,
  // at most one per connection, are distinct: consecutive paths name distinct accounts).
  const log = o['request-log'] ? resolve(o['request-log']) : undefined;
  const logging = log
    ? `local ffi = require("ffi")
ffi.cdef[[ typedef struct { long s; long ns; } dg_ts; int clock_gettime(int, dg_ts*); ]]
local ts = ffi.new("dg_ts")
local function now() ffi.C.clock_gettime(1, ts); return tonumber(ts.s) * 1000000 + math.floor(tonumber(ts.ns) / 1000) end
local sent, n, out = {}, 0, io.open(${JSON.stringify(log)}, "a")
response = function(status, headers, body)
  local id = body:match('^{"account_id":"([^"]*)"')
  local t = id and sent[id]
  if t then out:write(t, " ", now() - t, "\\n"); sent[id] = nil end
  n = n + 1
  if n % 1000 == 0 then out:flush() end
end
`
    : '';
  if (log) await writeFile(log, '');
  const script = `local paths = {${paths.map((x) => JSON.stringify(x)).join(',')}}
local ids = {${paths.map((x) => JSON.stringify(decodeURIComponent(x.slice(x.lastIndexOf('/') + 1)))).join(',')}}
local i, carry, gap = 0, 0, ${gap}
wrk.headers["Authorization"] = "Bearer ${READ}"
${logging}request = function() i = i + 1; local k = (i % #paths) + 1; ${log ? 'sent[ids[k]] = now(); ' : ''}return wrk.format("GET", paths[k]) end
delay = function() carry = carry + gap; local d = math.floor(carry); carry = carry - d; return d end
done = function(s, l, r)
  local e = s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout${o.route === 'decision' ? ' + s.errors.status' : ''}
  io.write(string.format('WRK {"requests":%d,"us":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}\\n',
    s.requests, s.duration, e, l:percentile(50), l:percentile(90), l:percentile(99), l:percentile(99.9), l.max))
end
`;
  const file = join(work, 'pace.lua');
  await writeFile(file, script);
  const out = await new Promise<string>((res, rej) => {
    const wrkArgs = ['-t', '1', '-c', String(conns), '-d', `${SECONDS}s`, '--timeout', '10s', '-s', file, target.href];
    const w = o.pin ? spawn('/usr/bin/taskset', ['-c', '0', '/usr/bin/wrk', ...wrkArgs], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn('/usr/bin/wrk', wrkArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    w.stdout.setEncoding('utf8').on('data', (x: string) => (text += x));
    w.on('exit', (c) => (c === 0 ? res(text) : rej(new Error(`wrk exited ${c}: ${text}`))));
  });
  const m = /^WRK (\{.*\})$/m.exec(out);
  if (!m) throw new Error(`wrk printed no figures: ${out}`);
  const f = JSON.parse(m[1]) as { requests: number; us: number; errors: number; p50: number; p90: number; p99: number; p999: number; max: number };
  const ms = (us: number): number => Math.round(us) / 1000;
  return { requests: f.requests, seconds: f.us / 1e6, errors: f.errors, latency_ms: { p50: ms(f.p50), p90: ms(f.p90), p99: ms(f.p99), p999: ms(f.p999), max: ms(f.max) } };
}
const cpu0 = serverCpuMs();
const sched0 = schedstat(answering);
const ownLoop = monitorEventLoopDelay({ resolution: 1 });
ownLoop.enable();
const total = RATE * SECONDS;
const t0 = performance.now();
let sent = 0;
let loadOver = false;
const ingesting = ingest(before, lines.length, () => loadOver);
const wrkFigures = o.generator === 'wrk' ? await runWrk() : undefined;
if (!wrkFigures) await new Promise<void>((done) => {
  const tick = (): void => {
    const now = performance.now();
    // Every request due by now is sent, each stamped with the time it was due.
    const due = Math.min(total, Math.floor(((now - t0) * RATE) / 1000));
    for (; sent < due; sent++) get(pathOf(accounts[(sent * 7919) % accounts.length]), t0 + (sent * 1000) / RATE);
    // A 1 ms timer, not a setImmediate spin that keeps one of the machine's two cores busy (measured
    // side by side: the tail is the same either way; bench/results/decision-quiet-generators.json).
    if (sent < total) setTimeout(tick, 1);
    else done();
  };
  tick();
});
while (inflight > 0) await new Promise((r) => setTimeout(r, 5));
loadOver = true;
const ingestedDuring = await ingesting;
const wall = (performance.now() - t0) / 1000;
if (wrkFigures) {
  // wrk's own histogram: the latencies are its, the counts too (this process sent nothing).
  errors = wrkFigures.errors;
  lat.length = 0;
}
ownLoop.disable();
const cpuMs = serverCpuMs() - cpu0;
const sched1 = schedstat(answering);
const loop = await serverLoopDelay();
child.kill('SIGTERM');
agent.destroy();

lat.sort((a, b) => a - b);
latDue.sort((a, b) => a - b);
const quantile = (xs: number[], p: number): number => Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] * 1000) / 1000;
const q = (p: number): number => quantile(lat, p);
const qDue = (p: number): number => quantile(latDue, p);
const latencyMs = wrkFigures?.latency_ms ?? { p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: q(1) };
const requests = wrkFigures?.requests ?? lat.length;
const result = {
  generator: o.generator,
  /** The listener's thread alone on CPU 1, serve's other threads and wrk on CPU 0 (--pin). */
  pinned: o.pin,
  listener: o.listener,
  route: o.route,
  build: o.build,
  rate_target: RATE,
  seconds: SECONDS,
  connections: Number(o.connections),
  requests,
  achieved_per_second: Math.round(requests / (wrkFigures?.seconds ?? wall)),
  errors,
  accounts: accounts.length,
  accounts_with_a_decision: decided,
  scenario: `${o.scenario} scale ${o.scale} seed 1`,
  /** Input lines serve ingested while the load ran (--ingest-during), of those held back for it. */
  ingested_during_load: o['ingest-during'] ? { lines: ingestedDuring, of: lines.length - before } : null,
  /** From when each request was handed to the HTTP client. */
  latency_ms: latencyMs,
  /** From when each request was due (open loop): the above plus this generator's lateness (not with wrk). */
  latency_from_due_ms: wrkFigures ? null : { p50: qDue(0.5), p90: qDue(0.9), p99: qDue(0.99), p999: qDue(0.999), max: qDue(1) },
  /** The server's CPU time (all threads) per request answered during the load, microseconds. */
  server_cpu_us_per_request: Math.round((cpuMs * 1000) / Math.max(1, requests)),
  /**
   * The answering thread alone (the gateway listener's: the busiest in the warm-up, its CPU ticks
   * there and the runner-up's; or the main thread): CPU time per request (µs), and how long it was
   * runnable but waiting for a CPU during the load (ms; the scheduler's share of the tail).
   */
  answering_thread: {
    warmup_ticks: o.listener === 'main' ? null : [busiest[0][1], busiest[1]?.[1] ?? 0],
    cpu_us_per_request: Math.round(((sched1.run - sched0.run) * 10_000) / Math.max(1, requests)) / 10,
    runqueue_wait_ms: Math.round(sched1.wait - sched0.wait),
  },
  /** Longest event-loop stalls during the load (ms): the server's main thread, its gateway listener, this generator. */
  event_loop_delay_max_ms: { server_main: loop.main_ms, server_gateway: loop.gateway_ms, generator: Math.round(ownLoop.max / 1e4) / 100 },
  /** The machine's 1-minute load average at the end: figures from a shared, busy machine are not the service's. */
  load_average: Math.round(loadavg()[0] * 10) / 10,
};
console.log(`bench:decision GET ${pathOf('ID')} (${o.generator}${o.pin ? ', listener pinned' : ''}) on the ${o.listener} listener of ${build} at ${RATE}/s for ${SECONDS} s over ${o.connections} keep-alive connections (${o.scenario} scale ${o.scale}: ${accounts.length} accounts, ${decided} with a decision${result.ingested_during_load ? `; ingesting ${ingestedDuring} of the ${result.ingested_during_load.of} lines held back during the load` : ''})`);
console.log(`  ${result.requests} requests, ${result.achieved_per_second}/s achieved, ${errors} errors; latency ms p50 ${result.latency_ms.p50}, p90 ${result.latency_ms.p90}, p99 ${result.latency_ms.p99}, p99.9 ${result.latency_ms.p999}, max ${result.latency_ms.max}`);
const d0 = result.latency_from_due_ms;
if (d0) console.log(`  from when due (with the generator's own lateness): p50 ${d0.p50}, p90 ${d0.p90}, p99 ${d0.p99}, p99.9 ${d0.p999}, max ${d0.max}`);
const d = result.event_loop_delay_max_ms;
console.log(`  event-loop delay max ms: server main ${d.server_main ?? '-'}, gateway listener ${d.server_gateway ?? '-'}, generator ${d.generator}; server CPU ${result.server_cpu_us_per_request} us per request; load average ${result.load_average}`);
const a = result.answering_thread;
console.log(`  answering thread: CPU ${a.cpu_us_per_request} us per request, runnable but waiting for a CPU ${a.runqueue_wait_ms} ms during the load${a.warmup_ticks ? ` (warm-up ticks ${a.warmup_ticks.join(' vs ')})` : ''}`);
await mkdir(dirname(o.json!), { recursive: true });
await writeFile(o.json!, `${JSON.stringify(result, null, 2)}\n`);
