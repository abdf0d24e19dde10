// Gateway routes: an account's decision from memory, the nginx `auth_request` answer, a stream of
// decision changes (server-sent events), and the policy (read; replace without a restart, analyst).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { InputError } from '../../core/errors.js';
import { parsePolicy } from '../../act/policy-load.js';
import { ApiError } from '../errors.js';
import type { Gateway } from '../gateway.js';

/** Headers nginx forwards with the subrequest naming the account (the gateway resolves the API key to it). */
const ACCOUNT_HEADER = 'x-account-id';

export function registerDecisionRoutes(app: FastifyInstance, gateway: Gateway): void {
  const { requireRole } = app.distillguard;

  void app.register(async (r) => {
    r.addHook('onRequest', requireRole('read'));

    r.get<{ Params: { id: string } }>('/v1/decision/:id', (req, reply) => {
      const c = gateway.decision(req.params.id);
      return reply.header('content-type', 'application/json; charset=utf-8').send(c.json);
    });

    // nginx auth_request: 2xx lets the request through, 401/403 are returned to the client; any other
    // status is an error in nginx, so 429 reaches the client through `error_page 500` (docs/gateway.md).
    r.get<{ Querystring: { account_id?: string } }>('/v1/gateway/auth', (req, reply) => {
      const h = req.headers[ACCOUNT_HEADER];
      const id = (typeof h === 'string' && h !== '' ? h : undefined) ?? req.query.account_id;
      if (!id) throw new ApiError('bad_request', `name the account in the ${ACCOUNT_HEADER} header or ?account_id=`);
      const c = gateway.decision(id);
      reply.headers(c.headers);
      switch (c.decision.action) {
        case 'allow':
        case 'degrade':
          return reply.code(204).send();
        case 'throttle':
          if (gateway.take(c)) return reply.code(204).send();
          return reply.code(429).header('retry-after', '1').send();
        case 'step_up':
          return reply.code(401).header('www-authenticate', `DistillguardStepUp method="${String(c.decision.params.method)}"`).send();
        default:
          return reply.code(403).send();
      }
    });

    r.get('/v1/decisions', () => ({ decisions: gateway.snapshot(), policy: gateway.current.version }));

    r.get<{ Querystring: { last_event_id?: string } }>('/v1/decisions/stream', (req, reply) => {
      const h = req.headers['last-event-id'] ?? req.query.last_event_id;
      const last = h === undefined ? undefined : Number(h);
      if (last !== undefined && !Number.isSafeInteger(last)) throw new ApiError('bad_request', 'Last-Event-ID: expected an integer');
      stream(reply, gateway, last);
    });

    r.get('/v1/policy', () => {
      const { text, version } = gateway.current;
      return { version, text };
    });
  });

  void app.register(async (r) => {
    r.addHook('onRequest', requireRole('analyst'));
    r.addContentTypeParser(['application/yaml', 'text/yaml', 'application/x-yaml', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
    r.put('/v1/policy', async (req, reply) => {
      const text = typeof req.body === 'string' ? req.body : JSON.stringify(req.body, null, 2);
      let loaded;
      try {
        loaded = parsePolicy(text, 'request body');
      } catch (e) {
        if (e instanceof InputError) throw new ApiError('bad_request', e.message);
        throw e;
      }
      const version = await gateway.reload(loaded, req.principal?.id ?? 'anonymous');
      return reply.code(200).send({ version });
    });
  });
}

function stream(reply: FastifyReply, gateway: Gateway, last: number | undefined): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(`: distillguard decisions, policy ${gateway.current.version.name}@${gateway.current.version.revision}\n\n`);
  const unsubscribe = gateway.subscribe(last, (seq, line) => {
    res.write(`id: ${seq}\nevent: decision\ndata: ${JSON.stringify(line)}\n\n`);
  });
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ping.unref();
  res.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
}
