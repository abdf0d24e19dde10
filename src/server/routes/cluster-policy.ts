// serve --cluster's policy routes (single-node serve's shapes, src/server/routes/decision.ts): the
// policy in force and its history as the judge recorded them in the store's audit log, an account's
// action history, and changing the policy without a restart (PUT /v1/policy, POST /v1/suppressions).
// A change is validated here and published on the record stream (src/cluster/policy-messages.ts);
// the judge reloads its policy stage at that place in the stream and audits the new version. The
// answer waits for that audit entry (200/201), else says the change is queued (202).
// The backtest replays the record stream the judge read (src/cluster/stream-history.ts).
import { createHash } from 'node:crypto';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { InputError } from '../../core/errors.js';
import { parsePolicy, withSuppression, type LoadedPolicy } from '../../act/policy-load.js';
import type { PolicyMessage } from '../../cluster/policy-messages.js';
import { policyMessage } from '../../cluster/policy-messages.js';
import type { AuditEntry, Store } from '../../store/store.js';
import { ApiError } from '../errors.js';
import type { Role } from '../keys.js';
import { SuppressionInput } from './decision.js';
import { parseWith } from './read.js';
import { parseJsonDocument } from '../json-body.js';
import { backtestRoutes, type BacktestSource } from './backtest.js';
import { MAX_DEPTH } from '../../decode/depth.js';

export interface ClusterPolicyOptions {
  store: Store;
  /** Publishes a policy change on the record stream (resolves once JetStream holds it). */
  publish: (m: PolicyMessage) => Promise<void>;
  need: (role: Role) => onRequestHookHandler;
  /** How long a change waits for the judge's audit entry before answering 202 (ms). */
  waitMs: number;
  /** Replays the record stream under policies (POST /v1/policy/backtest). */
  backtest: BacktestSource['replay'];
}

const YAML_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml', 'text/plain'];

export function registerClusterPolicyRoutes(app: FastifyInstance, o: ClusterPolicyOptions): void {
  const { store } = o;
  /** The newest policy version the judge recorded, with its text (null before the judge's first start). */
  const inForce = async (): Promise<AuditEntry | null> => (await store.audit({ kind: 'policy_change', limit: 1 }))[0] ?? null;
  const loadedOf = (e: AuditEntry): LoadedPolicy => parsePolicy(String(e.body.text), `audit ${e.id}`);
  const versionOf = (e: AuditEntry): Record<string, unknown> => ({ ...e.body, text: undefined });
  // The backtest replays the record stream (the history the judge read), with its analyst decisions.
  const backtest = backtestRoutes({
    current: async () => {
      const e = await inForce();
      if (e === null) throw new ApiError('unavailable', 'the judge has not recorded a policy yet');
      return { ...loadedOf(e), source: 'the policy in force' };
    },
    replay: o.backtest,
    body: (raw) => (Buffer.isBuffer(raw) ? parseJsonDocument(raw, MAX_DEPTH) : raw),
  });

  void app.register(async (r) => {
    r.addHook('onRequest', o.need('read'));
    r.get('/v1/policy', async () => {
      const e = await inForce();
      if (e === null) throw new ApiError('unavailable', 'the judge has not recorded a policy yet (distillguard judge writes it at its start)');
      const { policy, text } = loadedOf(e);
      return { version: versionOf(e), text, rules: policy.rules.map((x) => ({ id: x.id, action: x.action, mode: x.mode })), suppressions: policy.suppressions };
    });
    r.get('/v1/policy/history', async () => {
      const entries = await store.audit({ kind: 'policy_change', limit: 1000 });
      return { versions: entries.map((e) => ({ ...versionOf(e), event_time: e.at, id: e.id })) };
    });
    r.get<{ Params: { id: string } }>('/v1/accounts/:id/actions', async (req) => {
      const entries = await store.audit({ accountId: req.params.id, kind: 'action_change', limit: 500 });
      return { history: entries.map((e) => e.body) };
    });
    backtest.get(r);
  });

  /** Publishes the change; its version once the judge audited it, else null after waitMs. */
  const change = async (loaded: LoadedPolicy, actor: string): Promise<{ version: Record<string, unknown> | null; id: string }> => {
    const m = policyMessage(actor, loaded.text);
    try {
      await o.publish(m);
    } catch (e) {
      throw new ApiError('unavailable', `the record stream did not take the policy change: ${(e as Error).message}; it was not made`);
    }
    const sha = createHash('sha256').update(loaded.text).digest('hex');
    for (const deadline = Date.now() + o.waitMs; Date.now() < deadline; await new Promise((res) => setTimeout(res, 50))) {
      const e = (await store.audit({ kind: 'policy_change', limit: 20 })).find((x) => x.actor === actor && x.body.sha256 === sha && Date.parse(String(x.recorded_at)) >= Date.parse(m.decided_at) - 1000);
      if (e) return { version: versionOf(e), id: m.id };
    }
    return { version: null, id: m.id };
  };
  const parsed = (text: string): LoadedPolicy => {
    try {
      return parsePolicy(text, 'request body');
    } catch (e) {
      if (e instanceof InputError) throw new ApiError('bad_request', e.message);
      throw e;
    }
  };

  void app.register(async (r) => {
    r.addHook('onRequest', o.need('analyst'));
    r.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    r.put('/v1/policy', async (req, reply) => {
      const text = typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : JSON.stringify(req.body, null, 2);
      const { version, id } = await change(parsed(text), req.principal?.id ?? 'anonymous');
      return version === null ? reply.code(202).send({ id, status: 'queued' }) : reply.code(200).send({ version });
    });
    // Built on the version the judge last recorded (a change still queued is not seen).
    r.post('/v1/suppressions', async (req, reply) => {
      const body: unknown = Buffer.isBuffer(req.body) ? parseJsonDocument(req.body, MAX_DEPTH) : req.body;
      const s = parseWith(SuppressionInput, body, 'body');
      const actor = req.principal?.id ?? 'anonymous';
      const e = await inForce();
      if (e === null) throw new ApiError('unavailable', 'the judge has not recorded a policy yet');
      const current = loadedOf(e);
      let loaded: LoadedPolicy;
      try {
        loaded = withSuppression({ ...current, source: `${String(e.body.name)}@${String(e.body.revision)}` }, { ...s, by: actor });
      } catch (err) {
        if (err instanceof InputError) throw new ApiError('bad_request', err.message);
        throw err;
      }
      const { version, id } = await change(loaded, actor);
      return version === null ? reply.code(202).send({ id, status: 'queued', suppressions: loaded.policy.suppressions }) : reply.code(201).send({ version, suppressions: loaded.policy.suppressions });
    });
    backtest.post(r);
  });
}
