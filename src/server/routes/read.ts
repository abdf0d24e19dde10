// Read routes (role `read`; decisions need `analyst`): results from the store, kept current by the
// live engine; status from the live service.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { toIso } from '../../core/time.js';
import { ApiError } from '../errors.js';
import { redactedExcerpt } from '../../decode/reject.js';
import { ENGINE_ACTIONS } from '../../act/decisions.js';
import type { RefreshInfo } from '../../store/store.js';
import {
  AccountsQuerySchema,
  AuditQuerySchema,
  DailyQuerySchema,
  DecisionInputSchema,
  DeliveriesQuerySchema,
  LimitQuerySchema,
  RefreshQuerySchema,
} from '../schemas.js';
import { keepAnswer, keptAnswer, listingJson } from '../listing-json.js';
import { PINNED_MS, PINNED_SNAPSHOTS } from '../../store/store.js';
import type { ResultsSnapshot } from '../results-view.js';

/** Parses a query or body with a zod schema; the first issue becomes a 400 `bad_request`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const i = r.error.issues[0];
  const where = i.path.length > 0 ? `${i.path.join('.')}: ` : '';
  throw new ApiError('bad_request', `${what}: ${where}${i.message}`);
}

/**
 * An answer and the refresh it reflects: in the body (`snapshot`) and in the Distillguard-Refresh and
 * Distillguard-Event-Time headers (serve's snapshot, or serve --cluster's store transaction).
 */
export function withRefresh<T extends object>(reply: FastifyReply, value: T, refresh: RefreshInfo | null): T & { snapshot: RefreshInfo | null } {
  if (refresh !== null) {
    void reply.header('distillguard-refresh', String(refresh.refresh));
    if (refresh.judged_through !== null) void reply.header('distillguard-event-time', refresh.judged_through);
  }
  return { ...value, snapshot: refresh };
}

export function registerReadRoutes(app: FastifyInstance): void {
  const { store, live, audit, requireRole } = app.distillguard;
  /**
   * Runs a route's reads on the live service's current snapshot (src/server/results-view.ts: one
   * refresh's rows, in memory) and says which refresh it reflects: in the body (`snapshot`) and in
   * the headers Distillguard-Refresh and Distillguard-Event-Time, so that two answers with the same
   * refresh are known to agree.
   */
  async function fromSnapshot<T extends object>(reply: FastifyReply, read: (view: ResultsSnapshot) => Promise<T>, pinned?: number): Promise<T & { snapshot: RefreshInfo | null }> {
    const view = pinned === undefined ? live.results : pinnedView(pinned);
    return withRefresh(reply, await read(view), view.refresh);
  }

  /** A listing's later pages ask for the refresh its first page named (`?refresh=N`); 410 once it is no longer kept. */
  function pinnedView(n: number): ResultsSnapshot {
    const writer = live.storeWriter;
    const view = writer.viewAt(n);
    if (view !== undefined) return view;
    const current = live.results.refresh?.refresh ?? null;
    if (current === null || n > current) throw new ApiError('not_found', `refresh ${n} has not been published (the latest is ${current ?? 'none yet'})`);
    throw new ApiError('gone', `refresh ${n} is no longer kept (the oldest kept is ${writer.oldestKept()}; refreshes are kept ${PINNED_MS / 1000} s, at most ${PINNED_SNAPSHOTS} back): start the listing again without ?refresh`);
  }

  void app.register(async (r) => {
    r.addHook('onRequest', requireRole('read'));

    // The answer is JSON.stringify({ accounts, limit, offset, snapshot }) made from each row's kept
    // text, and kept with the snapshot for the next request asking the same (./listing-json.ts).
    r.get('/v1/accounts', async (req, reply) => {
      const q = parseWith(AccountsQuerySchema, req.query, 'query');
      const view = q.refresh === undefined ? live.results : pinnedView(q.refresh);
      const filter = { verdict: q.verdict, campaignId: q.campaign_id, minScore: q.min_score, limit: q.limit, offset: q.offset };
      const rest = withRefresh(reply, { limit: q.limit, offset: q.offset }, view.refresh);
      const query = JSON.stringify(filter);
      const body = keptAnswer(view, query) ?? keepAnswer(view, query, listingJson('accounts', await view.accounts(filter), rest));
      return reply.type('application/json; charset=utf-8').send(body);
    });

    // The account's audit entries as of the snapshot: the engine's (verdict and action changes) up to
    // its engine clock, those on their way to the audit log included; the analysts' all.
    r.get<{ Params: { id: string } }>('/v1/accounts/:id', async (req, reply) =>
      fromSnapshot(reply, async (view) => {
        const a = await view.account(req.params.id);
        if (!a) throw new ApiError('not_found', `no account ${JSON.stringify(req.params.id)}`);
        return { ...a, audit: await live.auditAsOf(view, { accountId: a.account_id, limit: 50 }) };
      }),
    );

    r.get('/v1/campaigns', async (req, reply) => {
      const q = parseWith(RefreshQuerySchema, req.query, 'query');
      return fromSnapshot(reply, async (view) => ({ campaigns: await view.campaigns() }), q.refresh);
    });

    r.get<{ Params: { id: string } }>('/v1/campaigns/:id', async (req, reply) =>
      fromSnapshot(reply, async (view) => {
        const c = await view.campaign(req.params.id);
        if (!c) throw new ApiError('not_found', `no campaign ${JSON.stringify(req.params.id)}`);
        return { ...c, audit: await live.auditAsOf(view, { campaignId: c.campaign_id, limit: 50 }) };
      }),
    );

    r.get('/v1/daily', async (req, reply) => {
      const q = parseWith(DailyQuerySchema, req.query, 'query');
      return fromSnapshot(reply, async (view) => ({ daily: await view.daily(q.campaign_id) }));
    });

    r.get('/v1/summary', async (_req, reply) => {
      // The summary is the one published with the refresh (its account, flagged and campaign counts
      // are those of the rows /v1/accounts shows for the same refresh); `live` is the engine right now.
      const { summary, snapshot } = await fromSnapshot(reply, async (view) => ({ summary: await view.summary() }));
      const c = live.counts;
      const step = live.engine.cfg.judgeIntervalMs;
      const judged = c.engineTs === null ? null : Math.ceil(c.engineTs / step) * step - step;
      const writer = live.storeWriter;
      return {
        summary: summary ?? live.summary(),
        snapshot,
        live: {
          batches: c.batches,
          backlog: c.backlog,
          buffered: c.buffered,
          consumed: c.consumed,
          newest_event: c.newestTs === null ? null : toIso(c.newestTs),
          engine_clock: c.engineTs === null ? null : toIso(c.engineTs),
          judged_through: judged === null ? null : toIso(judged),
          store_flushed_ms: Math.round(writer.lastFlush.ms * 10) / 10,
          store_written_refresh: writer.lastStored?.refresh ?? null,
          store_write_ms: Math.round(writer.lastWrite.ms * 10) / 10,
          behind_seconds: Math.round(live.behindSeconds * 100) / 100,
        },
      };
    });

    r.get('/v1/rejections', async (req) => {
      const q = parseWith(LimitQuerySchema, req.query, 'query');
      // Codes, positions and a redacted excerpt for `read`; the raw item (IPs, prompts, fingerprints) only for analysts.
      const raw = req.principal?.roles.has('analyst') === true;
      return {
        rejections: live.recentRejections
          .slice(-q.limit)
          .reverse()
          .map((r) => ({ file: r.file, line: r.line, stage: r.stage, reason: r.reason, detail: r.detail, excerpt: redactedExcerpt(r.raw), ...(raw ? { raw: r.raw } : {}) })),
      };
    });

    r.get('/v1/audit', async (req) => {
      const q = parseWith(AuditQuerySchema, req.query, 'query');
      return { audit: await store.audit({ accountId: q.account_id, campaignId: q.campaign_id, kind: q.kind, limit: q.limit, offset: q.offset }), limit: q.limit, offset: q.offset };
    });

    r.get('/v1/webhooks/deliveries', async (req) => {
      const q = parseWith(DeliveriesQuerySchema, req.query, 'query');
      return { deliveries: await store.deliveries(q.event_id) };
    });
  });

  void app.register(async (r) => {
    r.addHook('onRequest', requireRole('analyst'));
    r.post('/v1/decisions', async (req, reply) => {
      const d = parseWith(DecisionInputSchema, req.body, 'body');
      const actor = req.principal?.id ?? 'anonymous';
      if (d.decision === 'split' || d.decision === 'merge') {
        // A campaign's membership changes: refused (4xx) unless the engine applies it.
        const decision = await live.regroup(d.decision === 'split' ? { split: d.campaign_id!, accounts: d.accounts! } : { merge: d.campaign_id!, with: d.with_campaign_id! }, actor, d.note ?? '');
        const entry = await audit.append(actor, d);
        return reply.code(201).send({ ...entry, decision });
      }
      // Account decisions the engine takes as input (confirm, dismiss, escalate) are fed back to it;
      // `decision` is null when the engine has not seen the account (the audit keeps it all the same).
      const action = d.account_id === undefined ? undefined : ENGINE_ACTIONS[d.decision];
      const decision = action === undefined ? null : await live.decide(d.account_id!, action, actor, d.note ?? '');
      const entry = await audit.append(actor, d);
      return reply.code(201).send({ ...entry, decision });
    });
  });
}
