// The storage interface: what a scan writes and what the report, API and dashboard read back.
// DuckDB (./duckdb.ts) is the embedded default; a PostgreSQL implementation can follow the same
// interface. Every implementation must pass the same contract suite (./store.contract.ts).
import type { AccountOut, CampaignOut, DailyAggregate, Summary } from '../core/output.js';
import type { LinkOut } from '../engine/links-out.js';

/** One piece of evidence behind an account's verdict, at the event time it was observed. */
export interface EvidenceRow {
  account_id: string;
  code: string;
  weight: number;
  /** JSON text of the reason's structured parameters. */
  detail: string;
  /** RFC 3339 event time. */
  at: string;
}

/**
 * A daily aggregate over all traffic (`campaign_id` absent) or over one campaign's accounts
 * (`campaign_id` set). Plain `DailyAggregate`s are global rows.
 */
export interface DailyRow extends DailyAggregate {
  campaign_id?: string;
}

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
  /** Replaces the previous scan's tables atomically (one transaction). */
  writeScan(r: ScanResult): Promise<void>;
  accounts(filter?: AccountFilter): Promise<AccountOut[]>;
  account(id: string): Promise<(AccountOut & { evidence: EvidenceRow[] }) | null>;
  campaigns(): Promise<CampaignOut[]>;
  campaign(id: string): Promise<CampaignOut | null>;
  /** Global daily rows, or one campaign's rows when `campaignId` is given. */
  daily(campaignId?: string): Promise<DailyRow[]>;
  summary(): Promise<Summary | null>;
  close(): Promise<void>;
}

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
