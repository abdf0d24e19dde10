// The gateway listener's thread (started by gateway-listener.ts): its own HTTP server, event loop and
// heap, answering what a gateway asks on every request, from its own copy of the decision table.
// Nothing the main thread does (engine slices, decoding ingest bodies, store refreshes, its garbage
// collections) runs here, so none of it can stall a decision or a health probe.
//
//   GET /v1/decision/:id         the account's decision (JSON)
//   GET /v1/gateway/auth         nginx auth_request (status and x-dg-* headers)
//   GET /v1/decisions/stream     decision changes (server-sent events, Last-Event-ID)
//   GET /healthz                 the service's health, read from shared memory
//
// The main thread sends every enforced decision change, in order, with the policy label before the
// changes a reload makes; a request sees the table as of the last message handled.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { ActionLine } from '../act/action-out.js';
import { ACCOUNT_HEADER, allowFor, authAnswer, cachedDecision, decisionOf, STREAM_HEAD, streamEvent, streamHello, type Cached } from './decision-answer.js';
import { ApiError, ERROR_STATUS, type ErrorCode } from './errors.js';
import { authorize, KeyRing } from './keys.js';
import { HEALTH, type GatewayInit, type GatewayMessage, type WorkerReport } from './gateway-protocol.js';

const init = workerData as GatewayInit;
const port = parentPort!;
const keys = init.keys === null ? null : new KeyRing({ digests: init.keys });
const health = new Float64Array(init.health);
const table = new Map<string, Cached>();
for (const d of init.decisions) table.set(d.account_id, cachedDecision(d));
let policy = init.policy;
const recent: { seq: number; line: ActionLine }[] = init.recent;
const streams = new Set<ServerResponse>();
let failure: string | undefined;

port.on('message', (m: GatewayMessage) => {
  if (m.type === 'close') return void shutdown();
  if (m.type === 'failure') return void (failure = m.message);
  for (const c of m.changes) {
    if ('policy' in c) {
      policy = c.policy;
      continue;
    }
    const { seq, line } = c;
    if (line.action === 'allow') table.delete(line.account_id);
    else table.set(line.account_id, cachedDecision(decisionOf(line)));
    recent.push(c);
    const event = streamEvent(seq, line);
    for (const res of streams) res.write(event);
  }
  if (recent.length > init.changesKept) recent.splice(0, recent.length - init.changesKept);
});

/** The same security headers as the main API's JSON answers (src/server/app.ts). */
const DATA_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
const JSON_HEADERS = { ...DATA_HEADERS, 'content-type': 'application/json; charset=utf-8' };

function fail(res: ServerResponse, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(ERROR_STATUS[code], { ...JSON_HEADERS, ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

function decisionFor(id: string): Cached {
  return table.get(id) ?? allowFor(id, policy);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 'not_found', `no route ${req.method} ${path} on the gateway listener`);
  if (path === '/healthz') return healthz(res);
  try {
    authorize(keys, req.headers.authorization, 'read');
  } catch (e) {
    if (e instanceof ApiError) return fail(res, e.code, e.message, e.headers);
    throw e;
  }
  if (path.startsWith('/v1/decision/')) {
    let id: string;
    try {
      id = decodeURIComponent(path.slice('/v1/decision/'.length));
    } catch {
      return fail(res, 'bad_request', 'malformed URL (bad percent-encoding)');
    }
    if (id === '') return fail(res, 'not_found', `no route GET ${path}`);
    res.writeHead(200, JSON_HEADERS);
    return void res.end(decisionFor(id).json);
  }
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  if (path === '/v1/gateway/auth') {
    const h = req.headers[ACCOUNT_HEADER];
    const id = (typeof h === 'string' && h !== '' ? h : undefined) ?? query.get('account_id');
    if (!id) return fail(res, 'bad_request', `name the account in the ${ACCOUNT_HEADER} header or ?account_id=`);
    const c = decisionFor(id);
    const { status, extra } = authAnswer(c);
    res.writeHead(status, extra ? { ...DATA_HEADERS, ...c.headers, ...extra } : { ...DATA_HEADERS, ...c.headers });
    return void res.end();
  }
  if (path === '/v1/decisions/stream') {
    const h = req.headers['last-event-id'] ?? query.get('last_event_id') ?? undefined;
    const last = h === undefined ? undefined : Number(h);
    if (last !== undefined && !Number.isSafeInteger(last)) return fail(res, 'bad_request', 'Last-Event-ID: expected an integer');
    return stream(res, last);
  }
  fail(res, 'not_found', `no route GET ${path} on the gateway listener (decisions, auth_request, the decision stream and /healthz)`);
}

/** The main thread writes its heartbeat, backlog and state here every 100 ms (gateway-listener.ts). */
function healthz(res: ServerResponse): void {
  const silent = Date.now() - health[HEALTH.heartbeat];
  if (failure !== undefined || health[HEALTH.failed] === 1) {
    return fail(res, 'unavailable', failure ?? 'the ingest log failed');
  }
  if (silent > init.stalledAfterMs) {
    res.writeHead(503, JSON_HEADERS);
    return void res.end(JSON.stringify({ status: 'stalled', error: { code: 'unavailable', message: `the engine's thread has not run for ${Math.round(silent)} ms` } }));
  }
  res.writeHead(200, JSON_HEADERS);
  res.end(JSON.stringify({ status: 'ok', backlog: health[HEALTH.backlog], overloaded: health[HEALTH.overloaded] === 1 }));
}

function stream(res: ServerResponse, last: number | undefined): void {
  res.writeHead(200, { ...DATA_HEADERS, ...STREAM_HEAD });
  res.write(streamHello(policy));
  if (last !== undefined) for (const r of recent) if (r.seq > last) res.write(streamEvent(r.seq, r.line));
  streams.add(res);
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ping.unref();
  res.on('close', () => {
    clearInterval(ping);
    streams.delete(res);
  });
}

const server = createServer(
  { keepAliveTimeout: init.keepAliveTimeoutMs, headersTimeout: init.headersTimeoutMs, requestTimeout: init.headersTimeoutMs + 1000 },
  (req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) fail(res, 'internal', 'internal error');
      else res.destroy();
      port.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies WorkerReport);
    }
  },
);

// The longest stall of this thread's loop each second, for /metrics (what a decision may have waited).
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const loopReport = setInterval(() => {
  port.postMessage({ type: 'loop', maxMs: loop.max / 1e6 } satisfies WorkerReport);
  loop.reset();
}, 1000);
loopReport.unref();

function shutdown(): void {
  clearInterval(loopReport);
  loop.disable();
  for (const res of streams) res.end();
  server.close(() => port.close());
  server.closeIdleConnections();
}

server.on('error', (e) => port.postMessage({ type: 'listen-failed', message: e.message } satisfies WorkerReport));
server.listen(init.port, init.host, () => {
  const a = server.address();
  const address = typeof a === 'object' && a !== null ? a : { address: init.host, port: init.port };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  port.postMessage({ type: 'listening', url: `http://${host}:${address.port}` } satisfies WorkerReport);
});
