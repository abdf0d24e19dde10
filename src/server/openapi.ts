// The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas (zod 4's own
// z.toJSONSchema; OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what it emits).
import { z } from 'zod';
import {
  AccountSchema,
  AccountsQuerySchema,
  AuditEntrySchema,
  AuditQuerySchema,
  CampaignSchema,
  DailyQuerySchema,
  DailySchema,
  DecisionInputSchema,
  DeliveriesQuerySchema,
  DeliverySchema,
  ErrorSchema,
  EvidenceSchema,
  LimitQuerySchema,
  RefreshQuerySchema,
  LiveStatusSchema,
  ReceiptSchema,
  RejectionSchema,
  SnapshotSchema,
  SummarySchema,
} from './schemas.js';

type Json = Record<string, unknown>;

const COMPONENTS = {
  Account: AccountSchema,
  AccountDetail: AccountSchema.extend({ evidence: z.array(EvidenceSchema), audit: z.array(AuditEntrySchema), snapshot: SnapshotSchema }),
  Campaign: CampaignSchema,
  CampaignDetail: CampaignSchema.extend({ audit: z.array(AuditEntrySchema), snapshot: SnapshotSchema }),
  Snapshot: SnapshotSchema,
  Daily: DailySchema,
  Summary: SummarySchema,
  LiveStatus: LiveStatusSchema,
  AuditEntry: AuditEntrySchema,
  Delivery: DeliverySchema,
  Receipt: ReceiptSchema,
  Rejection: RejectionSchema,
  DecisionInput: DecisionInputSchema,
  Error: ErrorSchema,
} as const;

function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): Json {
  const j = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  delete j.$schema;
  return j;
}

const ref = (name: keyof typeof COMPONENTS): Json => ({ $ref: `#/components/schemas/${name}` });
const obj = (props: Record<string, Json>): Json => ({ type: 'object', properties: props, required: Object.keys(props) });
const json = (s: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema: s } } });
/** A read answer from one store snapshot: the refresh and event time it reflects, also as headers. */
const snapshotJson = (s: Json): Json => ({
  ...json(s, 'OK, from one store snapshot'),
  headers: {
    'Distillguard-Refresh': { description: 'the store refresh the answer reflects (absent after a scan)', schema: { type: 'integer' } },
    'Distillguard-Event-Time': { description: 'every record up to this event time is reflected (RFC 3339)', schema: { type: 'string', format: 'date-time' } },
  },
});

function queryParams(s: z.ZodObject): Json[] {
  const j = schema(s, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(j.properties ?? {}).map(([name, p]) => ({ name, in: 'query', required: (j.required ?? []).includes(name), schema: p }));
}

const idParam = (name: string): Json => ({ name, in: 'path', required: true, schema: { type: 'string' } });

function errors(...statuses: number[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const s of statuses) out[String(s)] = json(ref('Error'), 'error: {error: {code, message}}');
  return out;
}

const READ = errors(400, 401, 403);
const ingest = (summary: string, contentTypes: string[]): Json => ({
  summary,
  security: [{ bearer: [] }],
  parameters: [{ name: 'Content-Encoding', in: 'header', required: false, schema: { type: 'string', enum: ['gzip', 'identity'] } }],
  requestBody: { required: true, content: Object.fromEntries(contentTypes.map((t) => [t, { schema: { type: 'string' } }])) },
  responses: { '200': json(ref('Receipt'), 'durable: every item counted as accepted, duplicate or rejected'), ...errors(400, 401, 403, 413, 415, 429, 503) },
});

/** OTLP/HTTP Export (docs/serve.md, "OTLP"): protobuf or JSON in, the Export response in the same encoding out. */
const otlp = (signal: 'Trace' | 'Logs', summary: string): Json => {
  const bodies = { 'application/x-protobuf': { schema: { type: 'string', contentMediaType: 'application/x-protobuf' } }, 'application/json': { schema: { type: 'object' } } };
  return {
    ...ingest(summary, []),
    requestBody: { required: true, content: bodies },
    responses: {
      '200': {
        description: `durable: Export${signal}ServiceResponse in the request's encoding (partialSuccess when items were rejected); the receipt's counts in the distillguard-receipt header`,
        headers: { 'distillguard-receipt': { schema: { type: 'string' }, description: 'batch=N; received=N; accepted=N; duplicates=N; rejected=N; skipped=N' } },
        content: bodies,
      },
      ...errors(400, 401, 403, 413, 415, 429, 503),
    },
  };
};

export function openApiDocument(): Json {
  const schemas: Record<string, Json> = {};
  for (const [name, s] of Object.entries(COMPONENTS)) schemas[name] = schema(s as z.ZodType, name === 'DecisionInput' ? 'input' : 'output');
  return {
    openapi: '3.1.0',
    info: { title: 'distillguard serve', version: '1', description: 'Live distillation detection: ingest, results, audit. Every error is {error: {code, message}}.' },
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a key from the keys file; roles ingest, read, analyst' } } },
    paths: {
      '/v1/records': { post: ingest('NDJSON records (contract input; LiteLLM payload lines are recognized too)', ['application/x-ndjson', 'application/jsonl', 'text/plain']) },
      '/v1/traces': { post: otlp('Trace', 'OTLP/HTTP traces (protobuf or JSON) with OpenTelemetry GenAI spans; errors to a protobuf request are a protobuf google.rpc.Status') },
      '/v1/logs': { post: otlp('Logs', 'OTLP/HTTP logs (protobuf or JSON): GenAI events carried as log records; errors to a protobuf request are a protobuf google.rpc.Status') },
      '/v1/watermark': { post: { summary: 'a source watermark: nothing older than ts will come; judges the ticks before it', security: [{ bearer: [] }], requestBody: { required: true, content: { 'application/json': { schema: obj({ ts: { type: ['string', 'integer'], description: 'RFC 3339 or epoch ms' } }) } } }, responses: { '200': json(obj({ batch: { type: ['integer', 'null'] }, watermark: { type: 'string' }, released: { type: 'integer' } })), ...errors(400, 401, 403, 429, 503) } } },
      '/v1/litellm': { post: ingest('LiteLLM StandardLoggingPayload or SpendLogs rows: a JSON array, one object, or NDJSON', ['application/json', 'application/x-ndjson']) },
      '/v1/accounts': { get: { summary: 'accounts by score', security: [{ bearer: [] }], parameters: queryParams(AccountsQuerySchema), responses: { '200': snapshotJson(obj({ accounts: { type: 'array', items: ref('Account') }, limit: { type: 'integer' }, offset: { type: 'integer' }, snapshot: ref('Snapshot') })), ...READ } } },
      '/v1/accounts/{id}': { get: { summary: 'one account with reasons, evidence and audit entries', security: [{ bearer: [] }], parameters: [idParam('id')], responses: { '200': snapshotJson(ref('AccountDetail')), ...errors(401, 403, 404) } } },
      '/v1/campaigns': { get: { summary: 'campaigns by score', security: [{ bearer: [] }], parameters: queryParams(RefreshQuerySchema), responses: { '200': snapshotJson(obj({ campaigns: { type: 'array', items: ref('Campaign') }, snapshot: ref('Snapshot') })), ...READ } } },
      '/v1/campaigns/{id}': { get: { summary: 'one campaign with its audit entries', security: [{ bearer: [] }], parameters: [idParam('id')], responses: { '200': snapshotJson(ref('CampaignDetail')), ...errors(401, 403, 404) } } },
      '/v1/daily': { get: { summary: 'per-day aggregates, global or of one campaign', security: [{ bearer: [] }], parameters: queryParams(DailyQuerySchema), responses: { '200': snapshotJson(obj({ daily: { type: 'array', items: ref('Daily') }, snapshot: ref('Snapshot') })), ...READ } } },
      '/v1/summary': { get: { summary: 'counts (summary.json) and live status', security: [{ bearer: [] }], responses: { '200': snapshotJson(obj({ summary: ref('Summary'), live: ref('LiveStatus'), snapshot: ref('Snapshot') })), ...READ } } },
      '/v1/rejections': { get: { summary: 'the most recent rejected input items', security: [{ bearer: [] }], parameters: queryParams(LimitQuerySchema), responses: { '200': json(obj({ rejections: { type: 'array', items: ref('Rejection') } })), ...READ } } },
      '/v1/audit': { get: { summary: 'verdict changes and analyst decisions, newest first', security: [{ bearer: [] }], parameters: queryParams(AuditQuerySchema), responses: { '200': json(obj({ audit: { type: 'array', items: ref('AuditEntry') }, limit: { type: 'integer' }, offset: { type: 'integer' } })), ...READ } } },
      '/v1/decisions': { post: { summary: 'record an analyst decision (role analyst); confirmed, false_positive and needs_review on an account are fed to the engine (`decision` in the answer)', security: [{ bearer: [] }], requestBody: { required: true, content: { 'application/json': { schema: ref('DecisionInput') } } }, responses: { '201': json(ref('AuditEntry'), 'recorded'), ...READ } } },
      '/v1/webhooks/deliveries': { get: { summary: 'webhook delivery attempts', security: [{ bearer: [] }], parameters: queryParams(DeliveriesQuerySchema), responses: { '200': json(obj({ deliveries: { type: 'array', items: ref('Delivery') } })), ...READ } } },
      // The dashboard's routes (src/server/dashboard.ts).
      '/v1/campaigns/{id}/graph': { get: { summary: 'a campaign\'s account-link graph: nodes, and edges with the kinds (dimensions) that linked each pair', security: [{ bearer: [] }], parameters: [idParam('id')], responses: { '200': json({ type: 'object' }), ...errors(401, 403, 404) } } },
      '/v1/campaigns/{id}/brief': { get: { summary: 'the campaign brief (format html, pdf or md)', security: [{ bearer: [] }], parameters: [idParam('id'), { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['html', 'pdf', 'md'] } }], responses: { '200': { description: 'the document' }, ...errors(400, 401, 403, 404) } } },
      '/v1/accounts/{id}/links': { get: { summary: 'the links that joined an account to its campaign', security: [{ bearer: [] }], parameters: [idParam('id')], responses: { '200': json(obj({ links: { type: 'array', items: { type: 'object' } } })), ...errors(401, 403, 404) } } },
      '/v1/review': { get: { summary: 'the review queue: suspicious accounts and decided ones, with the latest decision', security: [{ bearer: [] }], responses: { '200': json(obj({ review: { type: 'array', items: { type: 'object' } } })), ...READ } } },
      '/v1/review/decisions': { get: { summary: 'decisions fed to the engine, in the order made', security: [{ bearer: [] }], parameters: [{ name: 'account_id', in: 'query', required: false, schema: { type: 'string' } }], responses: { '200': json(obj({ decisions: { type: 'array', items: { type: 'object' } } })), ...READ } } },
      '/v1/intel': { get: { summary: 'imported bundles, sightings and what was shared (the intel tables)', security: [{ bearer: [] }], responses: { '200': json({ type: 'object' }), ...READ } } },
      '/healthz': { get: { summary: 'liveness', responses: { '200': { description: 'ok' }, '503': { description: 'the ingest log failed' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' } } } },
    },
  };
}
