// Gateway routes: an account's decision from memory, the nginx `auth_request` answer, a stream of
// decision changes (server-sent events), an account's action history, and the policy (read; replace
// without a restart, exempt an account or organization from a rule, backtest on the service's
// history: analyst).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import { parsePolicy, withSuppression, type LoadedPolicy } from '../../act/policy-load.js';
import { ApiError } from '../errors.js';
import type { Gateway } from '../gateway.js';
import { registerGatewayAnswers } from './gateway-answers.js';
import { backtestHistory } from '../history.js';
import { backtestRoutes } from './backtest.js';
import { parseWith } from './read.js';

/** Where the service's history is, for backtests (serve's ingest log). */
export interface HistorySource {
  logDir: string;
  logKey?: Buffer;
  sourceIdleMs?: number;
}

export const SuppressionInput = z
  .object({
    account_id: z.string().min(1).optional(),
    org_id: z.string().min(1).optional(),
    rule: z.string().min(1),
    until: z.iso.datetime({ offset: true }),
    note: z.string().min(1).max(1000),
  })
  .strict()
  .refine((s) => (s.account_id === undefined) !== (s.org_id === undefined), { message: 'name exactly one of account_id, org_id' });

export function registerDecisionRoutes(app: FastifyInstance, gateway: Gateway, history?: HistorySource): void {
  const { requireRole, store, live } = app.distillguard;
  // Replays serve's ingest log, with the analyst decisions where they were made.
  const backtest = backtestRoutes({
    current: () => ({ ...gateway.current, source: 'the policy in force' }),
    replay: history
      ? async (policies) => backtestHistory({ cfg: live.engine.cfg, decisions: await live.decisions.list(), ...history }, policies)
      : 'this service has no ingest log to replay',
  });

  void app.register(async (r) => {
    r.addHook('onRequest', requireRole('read'));

    registerGatewayAnswers(r, gateway, () => gateway.current.version);

    r.get('/v1/policy', () => {
      const { text, version, policy } = gateway.current;
      return { version, text, rules: policy.rules.map((x) => ({ id: x.id, action: x.action, mode: x.mode })), suppressions: policy.suppressions };
    });

    // Every policy version that took effect, newest first: who, when (wall clock), from which record.
    r.get('/v1/policy/history', async () => {
      const entries = await store.audit({ kind: 'policy_change', limit: 1000 });
      return { versions: entries.map((e) => ({ ...e.body, text: undefined, event_time: e.at, id: e.id })) };
    });

    // An account's decision now (from memory) and every change of its action, newest first (event time).
    r.get<{ Params: { id: string } }>('/v1/accounts/:id/actions', async (req) => {
      const entries = await store.audit({ accountId: req.params.id, kind: 'action_change', limit: 500 });
      return { current: gateway.decision(req.params.id).decision, history: entries.map((e) => e.body) };
    });

    backtest.get(r);
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
      const version = await live.whileStill(() => gateway.reload(loaded, req.principal?.id ?? 'anonymous'));
      return reply.code(200).send({ version });
    });

    // An analyst exempts an account or an organization from a rule until a date: a new version of
    // the policy in force, audited with who and why, in effect at once (no restart).
    r.post('/v1/suppressions', async (req, reply) => {
      const s = parseWith(SuppressionInput, req.body, 'body');
      const actor = req.principal?.id ?? 'anonymous';
      const { policy, text, version } = gateway.current;
      let loaded: LoadedPolicy;
      try {
        loaded = withSuppression({ policy, text, source: `${version.name}@${version.revision}` }, { ...s, by: actor });
      } catch (e) {
        if (e instanceof InputError) throw new ApiError('bad_request', e.message);
        throw e;
      }
      const v = await live.whileStill(() => gateway.reload(loaded, actor));
      return reply.code(201).send({ version: v, suppressions: loaded.policy.suppressions });
    });

    backtest.post(r);
  });
}
