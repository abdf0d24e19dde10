// zod schemas of everything the HTTP API takes and returns. Queries are parsed with them; responses
// are typed by src/core/output.ts and described by these for the OpenAPI document (./openapi.ts).
import { z } from 'zod';
import { DECISIONS, DecisionInputSchema } from '../act/audit.js';
import { REJECT_CODES } from '../core/rejections.js';
import { ERROR_STATUS } from './errors.js';

const Timestamp = z.string().describe('RFC 3339 UTC timestamp');
const Verdict = z.enum(['distillation', 'suspicious', 'benign']);

export const ReasonSchema = z.object({
  code: z.string().describe('stable reason code (docs/reasons.md)'),
  weight: z.number(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

export const AccountSchema = z.object({
  account_id: z.string(),
  score: z.number().min(0).max(1),
  verdict: Verdict,
  campaign_id: z.string().nullable(),
  flagged_at: Timestamp.nullable(),
  exchanges: z.number().int(),
  exchanges_before_flag: z.number().int().nullable(),
  reasons: z.array(ReasonSchema),
  suspicious_at: Timestamp.nullable().optional(),
  first_seen: Timestamp.optional(),
  last_seen: Timestamp.optional(),
  capabilities: z.record(z.string(), z.number()).optional(),
});

export const IndicatorSchema = z.object({ kind: z.string(), value: z.string() });

export const CampaignSchema = z.object({
  campaign_id: z.string(),
  accounts: z.array(z.string()),
  exchanges: z.number().int(),
  first_seen: Timestamp,
  last_seen: Timestamp,
  flagged_at: Timestamp.nullable(),
  score: z.number(),
  capabilities: z.record(z.string(), z.number()),
  reasons: z.array(ReasonSchema),
  indicators: z.array(IndicatorSchema),
});

export const EvidenceSchema = z.object({ account_id: z.string(), code: z.string(), weight: z.number(), detail: z.string().describe('JSON text'), at: Timestamp });

export const DailySchema = z.object({
  day: z.string().describe('YYYY-MM-DD (UTC)'),
  exchanges: z.number().int(),
  flagged_exchanges: z.number().int(),
  active_accounts: z.number().int(),
  campaign_id: z.string().optional(),
});

export const SummarySchema = z.object({
  version: z.literal(1),
  inputs: z.array(z.string()),
  lines_read: z.number().int(),
  accepted: z.number().int(),
  accepted_exchanges: z.number().int(),
  accepted_accounts_records: z.number().int(),
  rejected: z.number().int(),
  rejected_by_reason: z.record(z.string(), z.number().int()),
  duplicates: z.number().int(),
  late: z.number().int(),
  accounts: z.number().int(),
  flagged_accounts: z.number().int(),
  suspicious_accounts: z.number().int(),
  campaigns: z.number().int(),
  first_event: Timestamp.nullable(),
  last_event: Timestamp.nullable(),
  wall_time_ms: z.number().int(),
  events_per_second: z.number().int(),
});

export const AuditEntrySchema = z.object({
  id: z.string(),
  kind: z.enum(['verdict_change', 'decision', 'action_change', 'policy_change']),
  at: Timestamp.describe('event time of a verdict change; wall time of a decision'),
  recorded_at: Timestamp,
  actor: z.string().describe('`engine`, or the id of the key that recorded the decision'),
  account_id: z.string().nullable(),
  campaign_id: z.string().nullable(),
  body: z.record(z.string(), z.unknown()),
});

export const DeliverySchema = z.object({
  event_id: z.string(),
  url: z.string(),
  attempt: z.number().int(),
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  at: Timestamp,
  delivered: z.boolean(),
});

export const LiveStatusSchema = z.object({
  batches: z.number().int(),
  backlog: z.number().int().describe('accepted records the engine has not consumed yet'),
  buffered: z.number().int().describe('records held by the bounded-lateness ordering buffer'),
  consumed: z.number().int(),
  newest_event: Timestamp.nullable(),
  engine_clock: Timestamp.nullable(),
  judged_through: Timestamp.nullable().describe('every record up to this event time has been judged'),
  store_flushed_ms: z.number().describe('duration of the last refresh (deriving the changed rows and publishing the snapshot the read API answers from)'),
  store_written_refresh: z.number().int().nullable().describe('the last refresh the store (DuckDB or PostgreSQL, written behind the snapshots) holds'),
  store_write_ms: z.number().describe('duration of the last store write'),
  behind_seconds: z.number().describe('wall seconds of processing the engine needs for its backlog at its measured rate; ingest answers 429 above --max-behind'),
});

export const SnapshotSchema = z
  .object({
    refresh: z.number().int().describe('the refresh the answer reflects (also the Distillguard-Refresh header); two answers with the same refresh agree'),
    judged_through: Timestamp.nullable().describe('every record up to this event time had been judged when the rows were derived (also the Distillguard-Event-Time header)'),
    engine_clock: Timestamp.nullable(),
    consumed: z.number().int().describe('records the engine had consumed when the rows were derived'),
    derived_at: Timestamp.describe('wall time the rows were derived'),
  })
  .nullable()
  .describe('null before the first refresh is published');

export const ErrorSchema = z.object({
  error: z.object({ code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]), message: z.string() }),
});

export const ReceiptSchema = z.object({
  batch: z.number().int().describe('sequence number of the durable batch'),
  received: z.number().int(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  rejected_by_reason: z.record(z.enum(REJECT_CODES), z.number().int()),
  rejections: z.array(z.object({ line: z.number().int(), reason: z.enum(REJECT_CODES), detail: z.string() })).describe('the first 20'),
});

export const RejectionSchema = z.object({
  file: z.string().describe('the batch (batch-N)'),
  line: z.number().int().describe('position of the item in its batch'),
  stage: z.string(),
  reason: z.enum(REJECT_CODES),
  detail: z.string(),
  excerpt: z.string().describe('the item with every string value but `type` masked, e-mails redacted, cut to 160 characters'),
  raw: z.string().optional().describe('the raw item cut to 1 KiB, e-mails redacted: only for the analyst role'),
});

// ---- queries -----------------------------------------------------------------------------------

const Int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const AccountsQuerySchema = z
  .object({
    verdict: Verdict.optional(),
    campaign_id: z.string().min(1).optional(),
    min_score: z.coerce.number().min(0).max(1).optional(),
    limit: Int(1, 1000).default(100),
    offset: Int(0, Number.MAX_SAFE_INTEGER).default(0),
    refresh: Int(1, Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

/**
 * `?refresh=N`: answer from that refresh's snapshot (kept a short while), so pages of one listing
 * agree. Not strict: /v1/campaigns ignored its query before, and clients send `limit` to it.
 */
export const RefreshQuerySchema = z.object({ refresh: Int(1, Number.MAX_SAFE_INTEGER).optional() });

export const DailyQuerySchema = z.object({ campaign_id: z.string().min(1).optional() }).strict();

export const AuditQuerySchema = z
  .object({
    account_id: z.string().min(1).optional(),
    campaign_id: z.string().min(1).optional(),
    kind: z.enum(['verdict_change', 'decision', 'action_change', 'policy_change']).optional(),
    limit: Int(1, 1000).default(100),
    offset: Int(0, Number.MAX_SAFE_INTEGER).default(0),
  })
  .strict();

export const LimitQuerySchema = z.object({ limit: Int(1, 1000).default(100) }).strict();
export const DeliveriesQuerySchema = z.object({ event_id: z.string().min(1).optional() }).strict();

export { DecisionInputSchema, DECISIONS };
