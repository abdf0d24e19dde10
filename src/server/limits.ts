// What one client may make `serve` hold or wait for: per request (body size as sent and decoded,
// records per batch, bytes per record, JSON nesting), per connection (time to send the headers, the
// body, the whole request; idle keep-alive), and in total (ingest requests in flight, the backlog in
// records and in bytes). Each is documented in docs/serve.md ("Limits"); a request over one gets a
// JSON error (413, 400, 408 or 429), never a crash.
import type { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ApiError, ERROR_STATUS, type ErrorBody, type ErrorCode } from './errors.js';
import { MAX_DEPTH } from '../decode/depth.js';

export interface ServeLimits {
  /** Largest request body as sent (compressed or not), bytes. */
  bodyLimit: number;
  /** Largest request body once gunzipped, bytes (a zip bomb stops here). */
  maxDecodedBytes: number;
  /** Most items (lines, spans, payloads) in one batch: more is a 413 `too_many_records`. */
  maxBatchRecords: number;
  /** Deepest JSON nesting of a record or a JSON request body (objects and arrays). */
  maxDepth: number;
  /** Time from the end of the headers until the whole body has arrived, ms: later is a 408. */
  bodyTimeoutMs: number;
  /** Time a connection has to send its request headers, ms. */
  headersTimeoutMs: number;
  /** Idle time after which a keep-alive connection is closed, ms. */
  keepAliveTimeoutMs: number;
  /** Ingest requests read or decoded at once: more is a 429. */
  maxConcurrentIngest: number;
}

/** The 413 for a batch over `maxBatchRecords` (`n`: how many it has, or "more than N"), the same from every route and mode. */
export function tooManyRecords(n: string, max: number): ApiError {
  return new ApiError('too_many_records', `the batch has ${n} records; at most ${max} per request: split it`);
}

export const DEFAULT_LIMITS: ServeLimits = {
  bodyLimit: 16 << 20,
  maxDecodedBytes: 64 << 20,
  maxBatchRecords: 100_000,
  maxDepth: MAX_DEPTH,
  bodyTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConcurrentIngest: 32,
};

/** The HTTP server options that enforce the connection limits (Node checks them every interval). */
export function serverTimeouts(l: ServeLimits): {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  // Node's own request timeout is the backstop behind the body timeout (which answers in JSON).
  const requestTimeout = l.headersTimeoutMs + l.bodyTimeoutMs + 1000;
  return {
    requestTimeout,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    // A socket silent for this long is closed whatever it is doing.
    connectionTimeout: requestTimeout * 2,
    http: {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout,
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(l.headersTimeoutMs / 4))),
    },
  };
}

/** The error body as raw HTTP, for errors Node raises before fastify has a request (headers too slow or too large). */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message]: [ErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT'
      ? ['request_timeout', 'the request was not received in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['header_too_large', 'the request headers are too large']
        : ['bad_request', 'malformed HTTP request'];
  const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
  const status = ERROR_STATUS[code];
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/**
 * A body that has not fully arrived `bodyTimeoutMs` after the headers is refused with 408 (a client
 * sending one byte every few seconds holds nothing for long). The connection is closed after the answer.
 */
export function addBodyTimeout(app: FastifyInstance, bodyTimeoutMs: number): void {
  app.addHook('preParsing', async (req, reply, payload) => {
    // A GET or HEAD has no body to wait for (fastify never reads one): no stream, no timer on the
    // hot read paths (GET /v1/decision, the nginx auth_request subrequest).
    if (req.method === 'GET' || req.method === 'HEAD') return payload;
    const out = new PassThrough();
    const src = payload as Readable & { receivedEncodedLength?: number };
    const timer = setTimeout(() => {
      src.unpipe(out);
      reply.header('connection', 'close');
      out.destroy(new ApiError('request_timeout', `the request body did not arrive within ${bodyTimeoutMs} ms`));
      src.resume(); // drain (and drop) whatever still comes until the socket closes
    }, bodyTimeoutMs);
    timer.unref();
    const done = (): void => clearTimeout(timer);
    src.on('end', done);
    src.on('error', done);
    src.on('close', done);
    out.on('close', done);
    src.pipe(out);
    return out;
  });
}

/** Counts ingest requests in flight; past the limit a new one is answered 429 before its body is read. */
export class IngestGate {
  private inFlight = 0;
  constructor(private readonly max: number) {}

  enter(): void {
    if (this.inFlight >= this.max) {
      throw new ApiError('overloaded', `${this.inFlight} ingest requests are already being taken; retry later`, { 'retry-after': '1' });
    }
    this.inFlight++;
  }

  leave(): void {
    this.inFlight--;
  }

  get active(): number {
    return this.inFlight;
  }
}
