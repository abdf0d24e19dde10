// `serve --cluster`: the HTTP service in front of a cluster. It holds no engine: ingest checks batches
// and publishes them to the record stream (./cluster-ingest.ts); the read routes answer from the
// PostgreSQL store the judge writes (`distillguard judge`); the gateway routes answer from the
// judge's action changes on `dg.decisions` (src/cluster/decision-follower.ts), as single-node serve's
// answer from its policy stage.
//
// Routes (the single-node service's shapes; docs/cluster.md):
//   POST /v1/records     ingest   NDJSON (gzip too) → receipt, once JetStream holds the batch
//   POST /v1/traces, /v1/logs   ingest   OTLP/HTTP, protobuf or JSON (routes/otlp.ts; OTLP/gRPC: serve --otlp-grpc-port)
//   POST /v1/litellm     ingest   LiteLLM payloads: a JSON array, one object, or NDJSON
//   POST /v1/watermark   ingest   {"ts"} on every partition
//   POST /v1/decisions   analyst  an analyst decision, to the judge through the record stream (src/cluster/analyst-decisions.ts)
//   GET  /v1/audit       read     verdict and action changes, policy versions, analyst decisions
//   GET  /v1/accounts, /v1/accounts/:id, /v1/campaigns, /v1/campaigns/:id, /v1/daily, /v1/summary   read
//   GET  /v1/decision/:id, /v1/gateway/auth, /v1/decisions, /v1/decisions/stream   read   the gateway's (routes/gateway-answers.ts)
//   GET  /v1/policy, /v1/policy/history, /v1/accounts/:id/actions   read;  PUT /v1/policy, POST /v1/suppressions   analyst (routes/cluster-policy.ts)
//   GET  /healthz        none
//   GET  /, the dashboard's routes (dashboard.ts), POST/DELETE /v1/session   read / analyst, as single-node serve
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parseStrictTimestamp } from '../decode/index.js';
import { decodeLine } from '../decode/index.js';
import type { DecodeContext } from '../decode/index.js';
import { isObject } from '../decode/check.js';
import { toIso } from '../core/time.js';
import { LineSplitter, type RawLine } from '../sources/file.js';
import type { AuditFilter, RefreshInfo, Store } from '../store/store.js';
import type { DecisionFollower } from '../cluster/decision-follower.js';
import { ApiError, classifyError, sendError } from './errors.js';
import type { KeyRing } from './keys.js';
import { roleGate, securityHeaders } from './auth.js';
import { registerSessionRoutes, Sessions } from './sessions.js';
import { registerDashboard } from './dashboard.js';
import { recordsUpTo } from './record-count.js';
import { parseWith, withRefresh } from './routes/read.js';
import { AccountsQuerySchema, AuditQuerySchema, DailyQuerySchema, RefreshQuerySchema } from './schemas.js';
import { DecisionInputSchema, type DecisionInput as ApiDecision } from '../act/audit.js';
import { analystMessage, type AnalystMessage } from '../cluster/analyst-decisions.js';
import type { BatchItem } from './live.js';
import { registerGatewayAnswers } from './routes/gateway-answers.js';
import { registerClusterPolicyRoutes } from './routes/cluster-policy.js';
import { PINNED_MS, PINNED_SNAPSHOTS } from '../store/store.js';
import type { BacktestSource } from './routes/backtest.js';
import type { PolicyMessage } from '../cluster/policy-messages.js';
import type { ClusterIngest } from './cluster-ingest.js';
import type { BatchReceipt } from './live.js';
import type { OtlpSink } from './otlp-export.js';
import { registerOtlpRoutes } from './routes/otlp.js';
import { decodedBody } from './routes/ingest.js';
import { parseJsonDocument } from './json-body.js';
import { tooManyRecords } from './limits.js';
import { liteLLMDocumentItems } from './litellm-items.js';
import { MAX_DEPTH } from '../decode/depth.js';

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json'];
const PROTOBUF_TYPES = ['application/x-protobuf', 'application/protobuf'];
const WATERMARK_FUTURE_MS = 60_000;

export interface ClusterServerOptions {
  ingest: ClusterIngest;
  store: Store;
  decisions: DecisionFollower;
  decode: DecodeContext;
  keys: KeyRing | null;
  maxLineBytes: number;
  maxBatchRecords: number;
  bodyLimit: number;
  maxDecodedBytes: number;
  /** Publishes an analyst decision on the record stream (resolves once JetStream holds it). */
  publishDecision: (m: AnalystMessage) => Promise<void>;
  /** Publishes a policy change on the record stream (resolves once JetStream holds it). */
  publishPolicy: (m: PolicyMessage) => Promise<void>;
  /** Replays the record stream under policies (the policy page's backtest). */
  backtest: BacktestSource['replay'];
  /** How long POST /v1/decisions and the policy changes wait for the judge before answering 202 (default 5 s). */
  decisionWaitMs?: number;
  logger?: boolean | object;
}

export function buildClusterServer(o: ClusterServerOptions): FastifyInstance {
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: o.bodyLimit });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser([...NDJSON_TYPES, ...PROTOBUF_TYPES], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, req, reply) => {
    const c = classifyError(err as Error);
    if (c.code === 'internal') req.log.error({ err }, 'request failed');
    return sendError(reply, c.code, c.message, c.headers);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  app.addHook('onSend', async (_req, reply, payload) => {
    securityHeaders(reply);
    return payload;
  });
  // A bearer key, or the dashboard's session cookie (read and analyst only), as single-node serve.
  const sessions = new Sessions();
  const need = roleGate(o.keys, sessions);
  registerSessionRoutes(app, sessions, o.keys, need);
  registerDashboard(app, { results: () => o.store, decisions: o.store.decisions, intel: () => o.store.intel, requireRole: need });

  app.get('/healthz', async (_req, reply) => {
    if (o.ingest.failure !== undefined) return reply.code(503).send({ ok: false, error: o.ingest.failure });
    return { ok: true, mode: 'cluster', partitions: o.ingest.partitions, decisions_followed: o.decisions.lastSeq };
  });

  app.post('/v1/records', { onRequest: need('ingest') }, async (req) => publishBatch(o.ingest, decodeBody(await bodyOf(req, o.maxDecodedBytes), o), req.log));

  // The other formats serve takes, into the same stream: OTLP/HTTP and LiteLLM payload documents.
  void app.register(async (r) => {
    r.addHook('onRequest', need('ingest'));
    registerOtlpRoutes(r, clusterSink(o));
    r.post('/v1/litellm', async (req) => {
      const bytes = await bodyOf(req, o.maxDecodedBytes);
      const bounds = { maxDepth: o.decode.maxDepth ?? MAX_DEPTH, maxBatchRecords: o.maxBatchRecords, maxLineBytes: o.maxLineBytes };
      const items = (await liteLLMDocumentItems(bytes, bounds, tooMany(o.maxBatchRecords))) ?? decodeBody(bytes, o);
      return publishBatch(o.ingest, items, req.log);
    });
  });

  app.post('/v1/watermark', { onRequest: need('ingest') }, async (req) => {
    const body = await jsonBodyOf(req, o);
    const ts = isObject(body) ? parseStrictTimestamp(body.ts) : undefined;
    if (ts === undefined) throw new ApiError('bad_request', 'expected {"ts": <RFC 3339 timestamp or epoch milliseconds>}');
    if (ts > Date.now() + WATERMARK_FUTURE_MS) throw new ApiError('bad_request', `watermark ${toIso(ts)} is in the future`);
    try {
      return { watermark: toIso((await o.ingest.watermark(ts)).watermark) };
    } catch (e) {
      throw new ApiError('unavailable', `the record stream did not take the watermark: ${(e as Error).message}`);
    }
  });

  // Analyst decisions (single-node serve's body): published to the record stream, applied by the judge
  // in stream order. The answer waits for the judge's audit entry (201), else says it is queued (202).
  void app.register(async (r) => {
    r.addHook('onRequest', need('analyst'));
    r.post('/v1/decisions', async (req, reply) => {
      const d = parseWith(DecisionInputSchema, await jsonBodyOf(req, o), 'body');
      await checkCampaigns(o.store, d);
      const m = analystMessage(req.principal?.id ?? 'anonymous', d);
      try {
        await o.publishDecision(m);
      } catch (e) {
        throw new ApiError('unavailable', `the record stream did not take the decision: ${(e as Error).message}; it was not recorded`);
      }
      const filter = d.account_id !== undefined ? { accountId: d.account_id } : { campaignId: d.campaign_id };
      for (const deadline = Date.now() + (o.decisionWaitMs ?? 5000); Date.now() < deadline; await new Promise((res) => setTimeout(res, 50))) {
        const entry = (await o.store.audit({ ...filter, kind: 'decision', limit: 100 })).find((e) => e.id === m.id);
        if (entry) return reply.code(201).send(entry);
      }
      return reply.code(202).send({ id: m.id, status: 'queued', actor: m.actor, decided_at: m.decided_at, input: d });
    });
  });

  void app.register(async (r) => {
    r.addHook('onRequest', need('read'));
    r.get('/v1/audit', async (req) => {
      const q = parseWith(AuditQuerySchema, req.query, 'query');
      return { audit: await o.store.audit({ accountId: q.account_id, campaignId: q.campaign_id, kind: q.kind, limit: q.limit, offset: q.offset }), limit: q.limit, offset: q.offset };
    });
    const { store } = o;
    /**
     * Runs a route's reads in one read transaction of the store the judge writes and says which
     * refresh they reflect, as single-node serve's routes do: in the body (`snapshot`) and in the
     * `distillguard-refresh` and `distillguard-event-time` headers.
     */
    const fromStore = async <T extends object>(reply: FastifyReply, read: () => Promise<T>, at?: number): Promise<T & { snapshot: RefreshInfo | null }> => {
      const { value, refresh } = at === undefined ? await store.snapshot(read) : await pagedRead(at, read);
      return withRefresh(reply, value, refresh);
    };
    /** A listing's later pages ask for the refresh its first page named (`?refresh=N`): its kept transaction (src/store/pg-pinned.ts). */
    const pagedRead = async <T>(n: number, read: () => Promise<T>): Promise<{ value: T; refresh: RefreshInfo }> => {
      if (store.snapshotAt === undefined) throw new ApiError('bad_request', 'this store keeps no snapshots: ?refresh is not answered');
      const r = await store.snapshotAt(n, read);
      if (r === 'unpublished') throw new ApiError('not_found', `refresh ${n} has not been written to the store yet`);
      if (r === 'gone') throw new ApiError('gone', `refresh ${n} is no longer kept (refreshes are kept ${PINNED_MS / 1000} s after first read, at most ${PINNED_SNAPSHOTS}): start the listing again without ?refresh`);
      return r;
    };
    /** One account or campaign with its audit entries, read in one transaction; 404 when the store has none. */
    const oneWithAudit = <T extends object>(reply: FastifyReply, what: string, id: string, find: () => Promise<T | null>, filter: AuditFilter) =>
      fromStore(reply, async () => {
        const row = await find();
        if (!row) throw new ApiError('not_found', `no ${what} ${JSON.stringify(id)}`);
        return { ...row, audit: await store.audit(filter) };
      });
    r.get('/v1/accounts', async (req, reply) => {
      const q = parseWith(AccountsQuerySchema, req.query, 'query');
      return fromStore(reply, async () => ({ accounts: await store.accounts({ verdict: q.verdict, campaignId: q.campaign_id, minScore: q.min_score, limit: q.limit, offset: q.offset }), limit: q.limit, offset: q.offset }), q.refresh);
    });
    r.get<{ Params: { id: string } }>('/v1/accounts/:id', async (req, reply) => oneWithAudit(reply, 'account', req.params.id, () => store.account(req.params.id), { accountId: req.params.id }));
    r.get('/v1/campaigns', async (req, reply) => fromStore(reply, async () => ({ campaigns: await store.campaigns() }), parseWith(RefreshQuerySchema, req.query, 'query').refresh));
    r.get<{ Params: { id: string } }>('/v1/campaigns/:id', async (req, reply) => oneWithAudit(reply, 'campaign', req.params.id, () => store.campaign(req.params.id), { campaignId: req.params.id }));
    r.get('/v1/daily', async (req, reply) => {
      const q = parseWith(DailyQuerySchema, req.query, 'query');
      return fromStore(reply, async () => ({ daily: await store.daily(q.campaign_id) }));
    });
    r.get('/v1/summary', async (_req, reply) => ({ ...(await fromStore(reply, async () => ({ summary: await store.summary() }))), ingest: o.ingest.counts }));
    // The gateway's answers, from the judge's action changes: single-node serve's routes and shapes.
    registerGatewayAnswers(r, o.decisions, () => o.decisions.version ?? null);
  });
  registerClusterPolicyRoutes(app, { store: o.store, publish: o.publishPolicy, need, waitMs: o.decisionWaitMs ?? 5000, backtest: o.backtest });
  return app;
}

/** Publishes a batch to the record stream; its receipt once JetStream holds every message (503 when it refused one). */
async function publishBatch(ingest: ClusterIngest, items: BatchItem[], log: FastifyBaseLogger): Promise<BatchReceipt> {
  try {
    return await ingest.submit(items);
  } catch (e) {
    log.fatal({ err: e }, 'publishing to the record stream failed');
    throw new ApiError('unavailable', `the record stream did not take the batch: ${(e as Error).message}; the batch was not accepted`);
  }
}

/** OTLP's way into the record stream (OTLP/HTTP here, OTLP/gRPC on its own port: serve-cluster.ts). */
export function clusterSink(o: Pick<ClusterServerOptions, 'ingest' | 'decode' | 'maxLineBytes' | 'maxBatchRecords' | 'bodyLimit' | 'maxDecodedBytes'>): OtlpSink {
  return {
    maxLineBytes: o.maxLineBytes,
    maxDecodedBytes: o.maxDecodedBytes,
    maxDepth: o.decode.maxDepth ?? MAX_DEPTH,
    maxBatchRecords: o.maxBatchRecords,
    bodyLimit: o.bodyLimit,
    admit: () => {
      if (o.ingest.failure !== undefined) throw new ApiError('unavailable', `the record stream failed earlier (${o.ingest.failure})`);
    },
    submit: (items, _route, log) => publishBatch(o.ingest, items, log),
    refused: () => undefined,
  };
}

const tooMany =
  (max: number) =>
  (n: string): never => {
    throw tooManyRecords(n, max);
  };

/** A split or merge names campaigns the store knows, and a split accounts in its campaign: 404 / 409 as single-node serve answers (the judge checks again at its clock). */
async function checkCampaigns(store: Store, d: ApiDecision): Promise<void> {
  if (d.decision !== 'split' && d.decision !== 'merge') return;
  for (const id of [d.campaign_id!, ...(d.with_campaign_id === undefined ? [] : [d.with_campaign_id])]) if (!(await store.campaign(id))) throw new ApiError('not_found', `no campaign ${JSON.stringify(id)}`);
  for (const id of d.accounts ?? []) {
    const a = await store.account(id);
    if (!a) throw new ApiError('not_found', `no account ${JSON.stringify(id)}`);
    if (a.campaign_id !== d.campaign_id) throw new ApiError('conflict', `account ${JSON.stringify(id)} is not in campaign ${JSON.stringify(d.campaign_id)}`);
  }
}

/** The request body as bytes, gunzipped when sent so (single-node serve's bounded decoder), 415 for a type no parser took. */
function bodyOf(req: FastifyRequest, max: number): Promise<Buffer> {
  if (!Buffer.isBuffer(req.body)) throw new ApiError('unsupported_media_type', `send ${NDJSON_TYPES.join(', ')}`);
  return decodedBody(req, max);
}

/**
 * A JSON document body, read as single-node serve reads it: a body-size or gzip fault keeps its own
 * answer (413, 400 bad_encoding), then UTF-8, nesting depth and JSON are checked with messages naming the fault.
 */
async function jsonBodyOf(req: FastifyRequest, o: Pick<ClusterServerOptions, 'decode' | 'maxDecodedBytes'>): Promise<unknown> {
  return parseJsonDocument(await bodyOf(req, o.maxDecodedBytes), o.decode.maxDepth ?? MAX_DEPTH);
}

/** NDJSON → items: every line decoded (rejections kept with their line), at most maxBatchRecords. */
function decodeBody(body: Buffer, o: Pick<ClusterServerOptions, 'decode' | 'maxLineBytes' | 'maxBatchRecords'>): BatchItem[] {
  if (recordsUpTo(body, o.maxBatchRecords + 1, o.maxLineBytes) > o.maxBatchRecords) tooMany(o.maxBatchRecords)(`more than ${o.maxBatchRecords}`);
  const lines: RawLine[] = [];
  const split = new LineSplitter('http', { maxLineBytes: o.maxLineBytes });
  split.push(body, lines);
  split.end(lines);
  return lines.map((raw) => ({ raw, rec: decodeLine(raw, o.decode) }));
}
