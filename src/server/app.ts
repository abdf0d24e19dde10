// buildServer(opts): the fastify app of `distillguard serve`. Other modules add their own routes and
// plugins to the instance it returns (the dashboard's static files at `/`, TAXII under `/taxii2/`),
// and reach the live service, store, audit log and auth through `app.distillguard`.
import Fastify, { type FastifyInstance, type FastifyServerOptions, type onRequestHookHandler } from 'fastify';
import { Audit } from '../act/audit.js';
import type { Store } from '../store/store.js';
import type { IntelStore } from '../store/intel-store.js';
import { classifyError, sendError } from './errors.js';
import type { KeyRing, Principal, Role } from './keys.js';
import type { LiveService } from './live.js';
import type { DecodePool } from '../engine/decode-pool.js';
import { addBodyTimeout, clientErrorHandler, DEFAULT_LIMITS, type ServeLimits, serverTimeouts } from './limits.js';
import { buildMetrics, type ServerMetrics } from './metrics.js';
import { registerIngestRoutes } from './routes/ingest.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerReadRoutes } from './routes/read.js';
import { registerDashboard } from './dashboard.js';
import { registerSessionRoutes, Sessions } from './sessions.js';
import { roleGate, securityHeaders } from './auth.js';

export { PAGE_CSP } from './auth.js';

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
  const requireRole = roleGate(opts.keys, sessions);
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
  registerSessionRoutes(app, sessions, opts.keys, requireRole);
  registerDashboard(app, {
    results: () => opts.live.results,
    decisions: opts.live.decisions,
    // The TAXII store when serve --taxii mounted one (set on the context after build), else the store's.
    intel: () => ctx.intel ?? opts.store.intel,
    requireRole,
  });
  return app;
}
