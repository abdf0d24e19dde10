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
// changes a reload makes; a request sees the table as of the last change applied (a large burst is
// applied in slices between requests: sliced-apply.ts). The HTTP server is lean-http.ts: node's
// `http` allocated ~9 KB per request here, and its scavenges held up every request meanwhile.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { ActionLine } from '../act/action-out.js';
import { ACCOUNT_HEADER, authAnswer, cachedDecision, decisionOf, STREAM_HEAD, streamEvent, streamHello, type Cached } from './decision-answer.js';
import { ApiError, ERROR_STATUS, type ErrorCode } from './errors.js';
import { authorize, KeyRing } from './keys.js';
import { HEALTH, type GatewayInit, type GatewayMessage, type WorkerReport } from './gateway-protocol.js';
import { SlicedApply } from './sliced-apply.js';
import { bytesOf, headerLines, LeanServer, type LeanRequest, type LeanResponder, type LeanStream } from './lean-http.js';

const init = workerData as GatewayInit;
const port = parentPort!;
const keys = init.keys === null ? null : new KeyRing({ digests: init.keys });
const health = new Float64Array(init.health);

/** The same security headers as the main API's JSON answers (src/server/app.ts). */
const DATA_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
const JSON_HEADERS = headerLines({ ...DATA_HEADERS, 'content-type': 'application/json; charset=utf-8' });

/** A decision as it goes on the wire, formatted once per change: no request formats anything of it. */
interface Wire {
  cached: Cached;
  /** `GET /v1/decision/:id`'s body, as bytes. */
  body: string;
  /** auth_request's headers: the security headers and the decision's x-dg-*. */
  authHeaders: string;
}
const wireOf = (cached: Cached): Wire => ({ cached, body: bytesOf(cached.json), authHeaders: headerLines({ ...DATA_HEADERS, ...cached.headers }) });

/** An account without a decision is allowed under the policy in force: its answer but for the id, per policy label. */
interface AllowWire {
  policy: string;
  /** The decision JSON after the account id (as `allowFor` in decision-answer.ts formats it). */
  tail: string;
  authHeaders: string;
}
const allowWireOf = (policy: string): AllowWire => ({
  policy,
  tail: bytesOf(`,"action":"allow","params":{},"rule":null,"mark":null,"at":"","policy":${JSON.stringify(policy)},"reasons":[]}`),
  authHeaders: headerLines({ ...DATA_HEADERS, 'x-dg-action': 'allow', 'x-dg-policy': policy }),
});

const table = new Map<string, Wire>();
for (const d of init.decisions) table.set(d.account_id, wireOf(cachedDecision(d)));
let allow = allowWireOf(init.policy);
const recent: { seq: number; line: ActionLine }[] = init.recent;
const streams = new Set<LeanStream>();
let failure: string | undefined;

type Change = Extract<GatewayMessage, { type: 'changes' }>['changes'][number];

function applyChange(c: Change): void {
  if ('policy' in c) {
    allow = allowWireOf(c.policy);
    return;
  }
  const { seq, line } = c;
  if (line.action === 'allow') table.delete(line.account_id);
  else table.set(line.account_id, wireOf(cachedDecision(decisionOf(line))));
  recent.push(c);
  const event = streamEvent(seq, line);
  for (const s of streams) s.write(event);
}

// A burst of changes (a policy reload re-decides every account) is applied ~1 ms at a time, with
// requests answered between slices: a request may see part of a burst applied, as it could see one
// main-thread turn's changes and not the next one's.
const changes = new SlicedApply<Change>(applyChange, () => {
  if (recent.length > init.changesKept) recent.splice(0, recent.length - init.changesKept);
});

port.on('message', (m: GatewayMessage) => {
  if (m.type === 'close') return void shutdown();
  if (m.type === 'failure') return void (failure = m.message);
  changes.push(m.changes);
});

function fail(r: LeanResponder, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  r.respond(ERROR_STATUS[code], JSON_HEADERS + headerLines(headers), bytesOf(JSON.stringify({ error: { code, message } })));
}

function handle(req: LeanRequest, r: LeanResponder): void {
  const { method, path } = req;
  if (method !== 'GET' && method !== 'HEAD') return fail(r, 'not_found', `no route ${method} ${path} on the gateway listener`);
  if (path === '/healthz') return healthz(r);
  // A connection's key is checked once (a SHA-256 and a comparison with every key), not per request.
  if (req.authorization === undefined || req.authorization !== r.authorized) {
    try {
      authorize(keys, req.authorization, 'read');
    } catch (e) {
      if (e instanceof ApiError) return fail(r, e.code, e.message, e.headers);
      throw e;
    }
    r.authorized = req.authorization;
  }
  if (path.startsWith('/v1/decision/')) {
    let id: string;
    try {
      id = decodeURIComponent(path.slice('/v1/decision/'.length));
    } catch {
      return fail(r, 'bad_request', 'malformed URL (bad percent-encoding)');
    }
    if (id === '') return fail(r, 'not_found', `no route GET ${path}`);
    const w = table.get(id);
    return r.respond(200, JSON_HEADERS, w ? w.body : `{"account_id":${bytesOf(JSON.stringify(id))}${allow.tail}`);
  }
  if (path === '/v1/gateway/auth') {
    const id = req.accountId !== undefined && req.accountId !== '' ? req.accountId : new URLSearchParams(req.query).get('account_id');
    if (!id) return fail(r, 'bad_request', `name the account in the ${ACCOUNT_HEADER} header or ?account_id=`);
    const w = table.get(id);
    if (!w) return r.respond(204, allow.authHeaders, '');
    const { status, extra } = authAnswer(w.cached);
    return r.respond(status, extra ? w.authHeaders + headerLines(extra) : w.authHeaders, '');
  }
  if (path === '/v1/decisions/stream') {
    const h = req.lastEventId ?? new URLSearchParams(req.query).get('last_event_id') ?? undefined;
    const last = h === undefined ? undefined : Number(h);
    if (last !== undefined && !Number.isSafeInteger(last)) return fail(r, 'bad_request', 'Last-Event-ID: expected an integer');
    return stream(r, last);
  }
  fail(r, 'not_found', `no route GET ${path} on the gateway listener (decisions, auth_request, the decision stream and /healthz)`);
}

/** The main thread writes its heartbeat, backlog and state here every 100 ms (gateway-listener.ts). */
function healthz(r: LeanResponder): void {
  const silent = Date.now() - health[HEALTH.heartbeat];
  if (failure !== undefined || health[HEALTH.failed] === 1) {
    return fail(r, 'unavailable', failure ?? 'the ingest log failed');
  }
  if (silent > init.stalledAfterMs) {
    return r.respond(503, JSON_HEADERS, bytesOf(JSON.stringify({ status: 'stalled', error: { code: 'unavailable', message: `the engine's thread has not run for ${Math.round(silent)} ms` } })));
  }
  r.respond(200, JSON_HEADERS, JSON.stringify({ status: 'ok', backlog: health[HEALTH.backlog], overloaded: health[HEALTH.overloaded] === 1 }));
}

const STREAM_HEADERS = headerLines({ ...DATA_HEADERS, ...STREAM_HEAD });

function stream(r: LeanResponder, last: number | undefined): void {
  const s = r.openStream(200, STREAM_HEADERS);
  s.write(streamHello(allow.policy));
  if (last !== undefined) for (const c of recent) if (c.seq > last) s.write(streamEvent(c.seq, c.line));
  if (s.closed) return;
  streams.add(s);
  const ping = setInterval(() => s.write(': ping\n\n'), 15_000);
  ping.unref();
  s.onClose(() => {
    clearInterval(ping);
    streams.delete(s);
  });
}

const server = new LeanServer({
  headersTimeoutMs: init.headersTimeoutMs,
  keepAliveTimeoutMs: init.keepAliveTimeoutMs,
  handle,
  onError: (e) => port.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies WorkerReport),
});

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
  server.close(() => port.close());
}

server.listen(init.port, init.host).then(
  (address) => {
    const host = address.address.includes(':') ? `[${address.address}]` : address.address;
    port.postMessage({ type: 'listening', url: `http://${host}:${address.port}` } satisfies WorkerReport);
  },
  (e: Error) => port.postMessage({ type: 'listen-failed', message: e.message } satisfies WorkerReport),
);
