// The row shapes both store implementations share: which output fields have a column of their own
// (the rest travel in `extra`), and rows read back as plain JS objects → output records.
import type { AccountOut, CampaignOut, Indicator, LinkOut, ReasonOut, VerdictLevel } from '../core/output.js';
import { toIso } from '../core/time.js';
import type { AccountFilter, AuditEntry, AuditFilter, DailyRow, DeliveryRow, EvidenceRow } from './store.js';

export type Row = Record<string, unknown>;

// Fields of the output records that have a column of their own; anything else goes to `extra`.
export const ACCOUNT_COLUMNS = new Set([
  'account_id',
  'score',
  'verdict',
  'campaign_id',
  'flagged_at',
  'exchanges',
  'exchanges_before_flag',
  'reasons',
]);
export const ACCOUNT_OPTIONAL_COLUMNS = new Set(['suspicious_at', 'first_seen', 'last_seen', 'capabilities']);
export const CAMPAIGN_COLUMNS = new Set([
  'campaign_id',
  'accounts',
  'exchanges',
  'first_seen',
  'last_seen',
  'flagged_at',
  'score',
  'capabilities',
  'reasons',
  'indicators',
]);

/**
 * JSON of the fields without a column of their own, plus optional columned fields set to an
 * explicit null (a NULL column reads back as an absent field); NULL when there are none.
 */
export function extra(o: object, columns: Set<string>, optional: Set<string>): string | null {
  let rest: Record<string, unknown> | undefined;
  for (const k in o) {
    const v = (o as Record<string, unknown>)[k];
    if (v === undefined || columns.has(k) || (v !== null && optional.has(k))) continue;
    (rest ??= {})[k] = v;
  }
  return rest ? JSON.stringify(rest) : null;
}

export function count(v: number, name: string): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  return v;
}

/**
 * A condition naming its parameter `$v`, applied only when its value is given, with the same test on
 * a row in memory (the live service's snapshot answers from memory: one list, so it cannot filter
 * differently from the stores).
 */
export type Condition<R = never> = [sql: string, value: string | number | undefined, test: (row: R) => boolean];

/** What an in-memory account filter needs beyond the row: the members of a campaign (its row's `accounts`). */
export interface MemberIndex {
  members(campaignId: string): ReadonlySet<string> | undefined;
}

/** The conditions of `Store.accounts` (both stores and the in-memory snapshot: one list). */
export function accountConditions(f: AccountFilter, index?: MemberIndex): Condition<AccountOut>[] {
  return [
    ['verdict = $v', f.verdict, (a) => a.verdict === f.verdict],
    ['account_id IN (SELECT account_id FROM campaign_members WHERE campaign_id = $v)', f.campaignId, (a) => index?.members(f.campaignId!)?.has(a.account_id) === true],
    ['score >= $v', f.minScore, (a) => a.score >= f.minScore!],
  ];
}

/** Audit entries the engine and its policy stage make, at an event time. */
const ENGINE_KINDS: ReadonlySet<AuditEntry['kind']> = new Set(['verdict_change', 'action_change']);

/** The conditions of `Store.audit`. */
export function auditConditions(f: AuditFilter): Condition<AuditEntry>[] {
  return [
    ['account_id = $v', f.accountId, (e) => e.account_id === f.accountId],
    ['campaign_id = $v', f.campaignId, (e) => e.campaign_id === f.campaignId],
    ['kind = $v', f.kind, (e) => e.kind === f.kind],
    [`(kind NOT IN ('verdict_change', 'action_change') OR "at" <= CAST($v AS TIMESTAMPTZ))`, f.engineThrough, (e) => !ENGINE_KINDS.has(e.kind) || Date.parse(e.at) <= Date.parse(f.engineThrough!)],
  ];
}

/** The in-memory form of `filtered`: rows (already in order) passing the given conditions, paged. */
export function filteredRows<R>(rows: readonly R[], conditions: Condition<R>[], page: { limit?: number; offset?: number }): R[] {
  const tests = conditions.filter(([, value]) => value !== undefined).map(([, , test]) => test);
  const offset = page.offset === undefined ? 0 : count(page.offset, 'offset');
  const limit = page.limit === undefined ? Infinity : count(page.limit, 'limit');
  const out: R[] = [];
  let skipped = 0;
  for (const r of rows) {
    if (out.length >= limit) break;
    if (!tests.every((t) => t(r))) continue;
    if (skipped < offset) skipped++;
    else out.push(r);
  }
  return out;
}

/**
 * Strings in the stores' order: DuckDB compares VARCHAR bytewise (UTF-8), PostgreSQL with COLLATE "C"
 * likewise. JS compares UTF-16 code units, which differs only between a surrogate (U+D800-DFFF) and
 * U+E000-FFFF: those are moved into code point order.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/** Read order of accounts (`score DESC, account_id`) and campaigns (`score DESC, campaign_id`). */
export function byAccountOrder(x: AccountOut, y: AccountOut): number {
  return y.score - x.score || compareText(x.account_id, y.account_id);
}
export function byCampaignOrder(x: CampaignOut, y: CampaignOut): number {
  return y.score - x.score || compareText(x.campaign_id, y.campaign_id);
}
/** Read order of a campaign's links: `"at", account_a, account_b` (timestamps as ISO text sort by time). */
export function byLinkOrder(x: LinkOut, y: LinkOut): number {
  return compareText(x.at, y.at) || compareText(x.a, y.a) || compareText(x.b, y.b);
}

/**
 * `select` with the conditions whose value is given, an order and optional paging. Each given value's
 * `$v` becomes `placeholder(n)` (n from 0 in the order of `values`): the SQL dialect's parameter name.
 */
export function filtered<R>(
  select: string,
  conditions: Condition<R>[],
  order: string,
  page: { limit?: number; offset?: number },
  placeholder: (n: number) => string,
): { sql: string; values: (string | number)[] } {
  const where: string[] = [];
  const values: (string | number)[] = [];
  for (const [cond, value] of conditions) {
    if (value === undefined) continue;
    where.push(cond.replace('$v', placeholder(values.length)));
    values.push(value);
  }
  let sql = select;
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  sql += ` ORDER BY ${order}`;
  if (page.limit !== undefined) sql += ` LIMIT ${count(page.limit, 'limit')}`;
  if (page.offset !== undefined) sql += ` OFFSET ${count(page.offset, 'offset')}`;
  return { sql, values };
}

// ---- rows → JS ---------------------------------------------------------------------------------

export function readAccount(row: Row): AccountOut {
  const a: AccountOut = {
    account_id: String(row.account_id),
    score: Number(row.score),
    verdict: String(row.verdict) as VerdictLevel,
    campaign_id: row.campaign_id === null ? null : String(row.campaign_id),
    flagged_at: iso(row.flagged_at),
    exchanges: Number(row.exchanges),
    exchanges_before_flag: row.exchanges_before_flag === null ? null : Number(row.exchanges_before_flag),
    reasons: JSON.parse(String(row.reasons)) as ReasonOut[],
  };
  if (row.suspicious_at !== null) a.suspicious_at = iso(row.suspicious_at);
  if (row.first_seen !== null) a.first_seen = iso(row.first_seen) as string;
  if (row.last_seen !== null) a.last_seen = iso(row.last_seen) as string;
  if (row.capabilities !== null) a.capabilities = readShareMap(row.capabilities);
  if (row.extra !== null) Object.assign(a, JSON.parse(String(row.extra)));
  return a;
}

export function readCampaign(row: Row): CampaignOut {
  const c: CampaignOut = {
    campaign_id: String(row.campaign_id),
    accounts: (row.accounts as unknown[]).map(String),
    exchanges: Number(row.exchanges),
    first_seen: iso(row.first_seen) as string,
    last_seen: iso(row.last_seen) as string,
    flagged_at: iso(row.flagged_at),
    score: Number(row.score),
    capabilities: readShareMap(row.capabilities),
    reasons: JSON.parse(String(row.reasons)) as ReasonOut[],
    indicators: (row.indicators as Indicator[]).map((x) => ({ kind: String(x.kind), value: String(x.value) })),
  };
  if (row.extra !== null) Object.assign(c, JSON.parse(String(row.extra)));
  return c;
}

export function readEvidence(row: Row): EvidenceRow {
  return {
    account_id: String(row.account_id),
    code: String(row.code),
    weight: Number(row.weight),
    detail: String(row.detail),
    at: iso(row.at) as string,
  };
}

export function readAudit(row: Row): AuditEntry {
  return {
    id: String(row.id),
    kind: String(row.kind) as AuditEntry['kind'],
    at: iso(row.at) as string,
    recorded_at: iso(row.recorded_at) as string,
    actor: String(row.actor),
    account_id: row.account_id === null ? null : String(row.account_id),
    campaign_id: row.campaign_id === null ? null : String(row.campaign_id),
    body: JSON.parse(String(row.body)) as Record<string, unknown>,
  };
}

export function readDelivery(row: Row): DeliveryRow {
  return {
    event_id: String(row.event_id),
    url: String(row.url),
    attempt: Number(row.attempt),
    status: row.status === null ? null : Number(row.status),
    error: row.error === null ? null : String(row.error),
    at: iso(row.at) as string,
    delivered: Boolean(row.delivered),
  };
}

export function readDaily(row: Row): DailyRow {
  const d: DailyRow = {
    day: String(row.day),
    exchanges: Number(row.exchanges),
    flagged_exchanges: Number(row.flagged_exchanges),
    active_accounts: Number(row.active_accounts),
  };
  if (row.campaign_id !== null) d.campaign_id = String(row.campaign_id);
  return d;
}

/** A DuckDB MAP read back through the JS converter is a list of `{key, value}` entries; a JSON object is itself. */
export function readShareMap(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = Number(x);
    return out;
  }
  for (const e of v as { key: unknown; value: unknown }[]) out[String(e.key)] = Number(e.value);
  return out;
}

/** A TIMESTAMPTZ read back (a Date) as ISO 8601 UTC with milliseconds; null stays null. */
export function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return toIso(v.getTime());
  throw new TypeError(`expected a timestamp, read ${typeof v}`);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
