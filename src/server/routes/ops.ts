// Operations routes, unauthenticated: /healthz, /metrics (Prometheus), /openapi.json.
import type { FastifyInstance } from 'fastify';
import { openApiDocument } from '../openapi.js';

export function registerOpsRoutes(app: FastifyInstance): void {
  const { live, metrics } = app.distillguard;
  app.get('/healthz', async (_req, reply) => {
    const failed = live.failure;
    if (failed) return reply.code(503).send({ status: 'failing', error: { code: 'unavailable', message: failed } });
    // Constant time (live.counts walks every account).
    return { status: 'ok', backlog: live.backlog, overloaded: live.overloaded };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  let doc: object | undefined;
  app.get('/openapi.json', async () => (doc ??= openApiDocument()));
}
