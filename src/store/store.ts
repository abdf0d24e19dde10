// The storage interface: what a scan writes and what the report, API and dashboard read back, with
// the analyst decisions and intel objects kept beside them (one door to storage, one schema version).
// DuckDB (./duckdb.ts) is the embedded default; a PostgreSQL implementation can follow the same
// interface. Every implementation must pass the same contract suites (./store.contract.ts,
// ./decision-store.contract.ts, ./intel-store.contract.ts).
import type { AccountOut, CampaignOut, DailyRow, EvidenceRow, LinkOut, Summary } from '../core/output.js';
import type { DecisionStore } from './decision-store.js';
import type { IntelStore } from './intel-store.js';

export type { DailyRow, EvidenceRow };

/** Everything one `scan` produces, as it is stored. */
export interface ScanResult {
  summary: Summary;
  accounts: AccountOut[];
  campaigns: CampaignOut[];
  evidence: EvidenceRow[];
  daily: DailyRow[];
  /** The account-link graph of each campaign (optional: older producers have none). */
  links?: LinkOut[];
}

/**
 * What changed since the last write of a live service: accounts and campaigns to upsert (with the
 * evidence of exactly those accounts), campaigns that no longer exist, and the small tables whole.
 */
export interface LiveDelta {
  accounts: AccountOut[];
  /** Replaces the stored evidence of the accounts in `accounts`. */
  evidence: EvidenceRow[];
  campaigns: CampaignOut[];
  removedCampaigns: string[];
  /** Replaces the link graphs of the campaigns in `campaigns` and `removedCampaigns`. */
  links: LinkOut[];
  /** Replaces the daily rows of the days in `days`, or every daily row when `days` is absent. */
  daily: DailyRow[];
  days?: string[];
  summary: Summary;
  /** Which refresh this is and what it reflects; read back with the rows (Store.snapshot). */
  refresh?: RefreshInfo;
}

/** What a live store refresh reflects: stored in the same transaction as its rows. */
/**
 * How long a replaced refresh stays readable for a client paging with `?refresh=N`, and how many:
 * single-node serve's in-memory snapshots (src/server/store-writer.ts) and serve --cluster's kept
 * PostgreSQL transactions (src/store/pg-pinned.ts) alike.
 */
export const PINNED_SNAPSHOTS = 8;
export const PINNED_MS = 30_000;

export interface RefreshInfo {
  /** Counts the refreshes since the service started (the start-up rebuild is 1). */
  refresh: number;
  /** Every record up to this event time had been judged when the rows were derived (RFC 3339). */
  judged_through: string | null;
  /** The engine's event-time clock when the rows were derived. */
  engine_clock: string | null;
  /** Records the engine had consumed when the rows were derived. */
  consumed: number;
  /** Wall time the rows were derived (RFC 3339). */
  derived_at: string;
}

/** One audit record: a verdict change (actor `engine`), an analyst decision, an action change (actor `policy`) or a policy change. */
export interface AuditEntry {
  /** Stable id: a verdict change's id derives from account, verdict and event time, so a replay finds it. */
  id: string;
  kind: 'verdict_change' | 'decision' | 'action_change' | 'policy_change';
  /** RFC 3339: event time of a verdict change, wall time of a decision. */
  at: string;
  /** RFC 3339 wall time the entry was written. */
  recorded_at: string;
  actor: string;
  account_id: string | null;
  campaign_id: string | null;
  body: Record<string, unknown>;
}

export interface AuditFilter {
  accountId?: string;
  campaignId?: string;
  kind?: AuditEntry['kind'];
  /**
   * RFC 3339 event time: the entries the engine and its policy stage made (verdict and action
   * changes) only up to it, those of a snapshot of the results; analysts' entries all.
   */
  engineThrough?: string;
  limit?: number;
  offset?: number;
}

/** One webhook delivery attempt. */
export interface DeliveryRow {
  event_id: string;
  url: string;
  attempt: number;
  /** HTTP status of the receiver's answer, null when none came. */
  status: number | null;
  error: string | null;
  at: string;
  delivered: boolean;
}

export interface AccountFilter {
  verdict?: string;
  campaignId?: string;
  minScore?: number;
  limit?: number;
  offset?: number;
}

/**
 * Read order: accounts and campaigns by score descending, then id; evidence in the order written;
 * daily rows by day. Timestamps read back in ISO 8601 UTC millisecond form (`toIso`), which is
 * the form the engine writes.
 */
export interface Store {
  /** Replaces the previous scan's tables atomically (one transaction); `refresh` as in writeLive. */
  writeScan(r: ScanResult & { refresh?: RefreshInfo }): Promise<void>;
  accounts(filter?: AccountFilter): Promise<AccountOut[]>;
  account(id: string): Promise<(AccountOut & { evidence: EvidenceRow[] }) | null>;
  campaigns(): Promise<CampaignOut[]>;
  campaign(id: string): Promise<CampaignOut | null>;
  /** Global daily rows, or one campaign's rows when `campaignId` is given. */
  daily(campaignId?: string): Promise<DailyRow[]>;
  summary(): Promise<Summary | null>;
  /** Upserts what a live service changed (one transaction); the rest of the tables stay. */
  writeLive(d: LiveDelta): Promise<void>;
  /**
   * Runs `read` on one consistent snapshot: every read method of this store called inside it sees
   * the same committed state (one read transaction), and `refresh` is the live refresh that state
   * reflects (null when no live service wrote it, e.g. after a scan).
   */
  snapshot<T>(read: () => Promise<T>): Promise<{ value: T; refresh: RefreshInfo | null }>;
  /**
   * Runs `read` on the snapshot of live refresh `n` while it is still kept (a client paging through a
   * listing): 'gone' once it is no longer kept, 'unpublished' when the store has not reached it. Only
   * stores that keep snapshots (PostgreSQL opened for a reader) have it.
   */
  snapshotAt?<T>(n: number, read: () => Promise<T>): Promise<{ value: T; refresh: RefreshInfo } | 'gone' | 'unpublished'>;
  /** Appends audit entries; an entry whose id is already stored is skipped. Returns those written. */
  appendAudit(entries: AuditEntry[]): Promise<AuditEntry[]>;
  /** Audit entries, newest first. */
  audit(filter?: AuditFilter): Promise<AuditEntry[]>;
  appendDelivery(d: DeliveryRow): Promise<void>;
  /** Delivery attempts in the order made, for one event or all. */
  deliveries(eventId?: string): Promise<DeliveryRow[]>;
  /** A campaign's account-link graph, by time (none from a store written without one). */
  links(campaignId: string): Promise<LinkOut[]>;
  /** Analyst decisions: outlive every writeScan. */
  readonly decisions: DecisionStore;
  /** STIX objects served over TAXII or pulled from peers: outlive every writeScan. */
  readonly intel: IntelStore;
  close(): Promise<void>;
}

/**
 * The reads of engine results: what the read API and the dashboard serve. A store is one; the live
 * service's in-memory snapshot (src/server/results-view.ts) is the other, with the same answers.
 */
export type ResultsReader = Pick<Store, 'accounts' | 'account' | 'campaigns' | 'campaign' | 'daily' | 'summary' | 'links'>;

export type StoreErrorCode =
  | 'schema_too_new' // the file was written by a newer distillguard
  | 'not_a_store' // the database holds tables but no distillguard meta table
  | 'bad_meta' // the meta table is unreadable
  | 'open_failed' // the database could not be opened
  | 'invalid_scan' // writeScan was given a value the schema cannot hold
  | 'closed'; // the store was used after close()

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
