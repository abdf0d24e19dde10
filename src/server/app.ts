// buildServer(opts): the fastify app of `distillguard serve`. Other modules add their own routes and
// plugins to the instance it returns (the dashboard's static files at `/`, TAXII under `/taxii2/`),
// and reach the live service, store, audit log and auth through `app.distillguard`.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions, type onRequestHookHandler } from 'fastify';
import { Audit } from '../act/audit.js';
import type { Store } from '../store/store.js';
import type { IntelStore } from '../store/intel-store.js';
import { ApiError, classifyError, sendError } from './errors.js';
import { NO_AUTH, type KeyRing, type Principal, type Role } from './keys.js';
import type { LiveService } from './live.js';
import type { DecodePool } from '../engine/decode-pool.js';
import { addBodyTimeout, clientErrorHandler, DEFAULT_LIMITS, type ServeLimits, serverTimeouts } from './limits.js';
import { buildMetrics, type ServerMetrics } from './metrics.js';
import { registerIngestRoutes } from './routes/ingest.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerReadRoutes } from './routes/read.js';
import { registerDashboard } from './dashboard.js';
import { registerSessionRoutes, sessionCookie, Sessions } from './sessions.js';

/** The dashboard's pages may load only their own scripts, styles and data, and never be framed. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * On every answer: data (JSON, metrics) gets a policy that allows nothing, everything else the page
 * policy (a 304 for a cached page has no content type, and its headers replace the cached ones).
 */
function securityHeaders(reply: FastifyReply): void {
  const type = String(reply.getHeader('content-type') ?? '');
  const data = type.includes('json') || type.startsWith('text/plain') || type.startsWith('application/openmetrics');
  reply.header('content-security-policy', data ? "default-src 'none'; frame-ancestors 'none'" : PAGE_CSP);
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
}

export interface ServerOptions {
  live: LiveService;
  store: Store;
  /** null turns authentication off (local demos only: `serve --no-auth`). */
  keys: KeyRing | null;
  logger?: FastifyServerOptions['logger'];
  /** Largest request body as sent (compressed or not), bytes. Default 16 MiB. */
  bodyLimit?: number;
  /** Largest request body after gunzip, bytes. Default 64 MiB. */
  maxDecodedBytes?: number;
  /** The other limits (src/server/limits.ts); defaults in DEFAULT_LIMITS. */
  limits?: Partial<ServeLimits>;
  /** Dashboard sessions (src/server/sessions.ts); a fresh store unless given. */
  sessions?: Sessions;
  /** Decode workers for NDJSON ingest (src/server/pooled-decode.ts); absent: decoded on the main thread. */
  decoder?: DecodePool;
}

export interface ServerContext {
  live: LiveService;
  store: Store;
  audit: Audit;
  metrics: ServerMetrics;
  /** An onRequest hook that answers 401 without a known key and 403 without the role. */
  requireRole(role: Role): onRequestHookHandler;
  maxDecodedBytes: number;
  bodyLimit: number;
  limits: ServeLimits;
  /** Dashboard sign-in: one-time tokens and session cookies. */
  sessions: Sessions;
  /** The TAXII store, when `serve --taxii` mounted one (read by the dashboard's intelligence view). */
  intel?: IntelStore;
  /** Decode workers for NDJSON ingest, when serve has them. */
  decoder?: DecodePool;
}

declare module 'fastify' {
  interface FastifyInstance {
    distillguard: ServerContext;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function buildServer(opts: ServerOptions): FastifyInstance {
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  if (opts.bodyLimit !== undefined) limits.bodyLimit = opts.bodyLimit;
  if (opts.maxDecodedBytes !== undefined) limits.maxDecodedBytes = opts.maxDecodedBytes;
  const bodyLimit = limits.bodyLimit;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit,
    ...serverTimeouts(limits),
    clientErrorHandler,
    // A URL fastify cannot decode (bad percent-encoding) gets the documented error shape too.
    frameworkErrors: (err, _req, reply) => {
      const c = classifyError(err);
      void sendError(reply, c.code === 'internal' ? 'bad_request' : c.code, c.message);
    },
  });
  const sessions = opts.sessions ?? new Sessions();
  const requireRole = (role: Role): onRequestHookHandler =>
    async function authorize(req) {
      if (opts.keys === null) {
        req.principal = NO_AUTH;
        return;
      }
      const h = req.headers.authorization;
      const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
      const cookie = m ? undefined : sessionCookie(req);
      if (cookie !== undefined) {
        // The dashboard's session: its roles are the key's minus ingest. A cookie-authenticated write
        // must be JSON (a cross-site form cannot send that without a preflight; SameSite=Strict anyway).
        const p = sessions.find(cookie);
        if (!p) throw new ApiError('unauthorized', 'the session has expired: sign in again');
        if (!p.roles.has(role)) throw new ApiError('forbidden', `session of ${JSON.stringify(p.id)} lacks the ${role} role`);
        if (req.method !== 'GET' && req.method !== 'HEAD' && !String(req.headers['content-type'] ?? '').startsWith('application/json')) {
          throw new ApiError('forbidden', 'a session may only write with a JSON body');
        }
        req.principal = p;
        req.viaSession = true;
        return;
      }
      if (!m) throw new ApiError('unauthorized', 'missing API key: send Authorization: Bearer <key>', { 'www-authenticate': 'Bearer' });
      const p = opts.keys.find(m[1]);
      if (!p) throw new ApiError('unauthorized', 'unknown API key', { 'www-authenticate': 'Bearer' });
      if (!p.roles.has(role)) throw new ApiError('forbidden', `key ${JSON.stringify(p.id)} lacks the ${role} role`);
      req.principal = p;
    };
  const ctx: ServerContext = {
    live: opts.live,
    store: opts.store,
    audit: new Audit(opts.store),
    metrics: buildMetrics(opts.live),
    requireRole,
    bodyLimit,
    maxDecodedBytes: limits.maxDecodedBytes,
    limits,
    sessions,
    decoder: opts.decoder,
  };
  app.decorate('distillguard', ctx);
  app.setErrorHandler((err, req, reply) => {
    const c = classifyError(err as Error);
    if (c.code === 'internal') req.log.error({ err }, 'request failed');
    return sendError(reply, c.code, c.message, c.headers);
  });
  addBodyTimeout(app, limits.bodyTimeoutMs);
  app.addHook('onSend', async (_req, reply, payload) => {
    securityHeaders(reply);
    return payload;
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  registerOpsRoutes(app);
  registerIngestRoutes(app);
  registerReadRoutes(app);
  registerSessionRoutes(app, sessions, opts.keys);
  registerDashboard(app);
  return app;
}
