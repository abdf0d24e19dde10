// buildServer(opts): the fastify app of `distillguard serve`. Other modules add their own routes and
// plugins to the instance it returns (the dashboard's static files at `/`, TAXII under `/taxii2/`),
// and reach the live service, store, audit log and auth through `app.distillguard`.
import Fastify, { type FastifyInstance, type FastifyServerOptions, type onRequestHookHandler } from 'fastify';
import { Audit } from '../act/audit.js';
import type { Store } from '../store/store.js';
import type { IntelStore } from '../intel/store.js';
import { classifyError, sendError } from './errors.js';
import { authorize as authorizeKey, type KeyRing, type Principal, type Role } from './keys.js';
import type { LiveService } from './live.js';
import { buildMetrics, type ServerMetrics } from './metrics.js';
import { registerIngestRoutes } from './routes/ingest.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerReadRoutes } from './routes/read.js';
import { registerDashboard } from './dashboard.js';

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
  /** The TAXII store, when `serve --taxii` mounted one (read by the dashboard's intelligence view). */
  intel?: IntelStore;
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
  const bodyLimit = opts.bodyLimit ?? 16 << 20;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit });
  const requireRole = (role: Role): onRequestHookHandler =>
    async function authorize(req) {
      req.principal = authorizeKey(opts.keys, req.headers.authorization, role);
    };
  const ctx: ServerContext = {
    live: opts.live,
    store: opts.store,
    audit: new Audit(opts.store),
    metrics: buildMetrics(opts.live),
    requireRole,
    bodyLimit,
    maxDecodedBytes: opts.maxDecodedBytes ?? 64 << 20,
  };
  app.decorate('distillguard', ctx);
  app.setErrorHandler((err, req, reply) => {
    const c = classifyError(err as Error);
    if (c.code === 'internal') req.log.error({ err }, 'request failed');
    return sendError(reply, c.code, c.message, c.headers);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  registerOpsRoutes(app);
  registerIngestRoutes(app);
  registerReadRoutes(app);
  registerDashboard(app);
  return app;
}
