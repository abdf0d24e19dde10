// Records written by `scan` (see ../shared/docs/contract.md, "Output").
import type { Reason } from './reasons.js';

export type VerdictLevel = 'distillation' | 'suspicious' | 'benign';

/** A reason as written: its weight and numeric parameters rounded to 4 decimals, the types of its code. */
export type ReasonOut = Reason;

/** One line of accounts.ndjson. Timestamps are RFC 3339 strings. */
export interface AccountOut {
  account_id: string;
  score: number;
  verdict: VerdictLevel;
  campaign_id: string | null;
  flagged_at: string | null;
  exchanges: number;
  exchanges_before_flag: number | null;
  reasons: ReasonOut[];
  /** Extension: first time the verdict reached `suspicious` or worse. */
  suspicious_at?: string | null;
  first_seen?: string;
  last_seen?: string;
  capabilities?: Record<string, number>;
  /** Extension: sign-up time, when an account record gave one. */
  created_at?: string;
}

export interface Indicator {
  kind: string;
  value: string;
}

/** One line of campaigns.ndjson. */
export interface CampaignOut {
  campaign_id: string;
  accounts: string[];
  exchanges: number;
  first_seen: string;
  last_seen: string;
  flagged_at: string | null;
  score: number;
  capabilities: Record<string, number>;
  reasons: ReasonOut[];
  indicators: Indicator[];
  /**
   * Why its parts were joined: one entry per join of two linked sets of two or more accounts, oldest
   * first (empty: it grew one account at a time). Optional only for records written before it existed.
   */
  joins?: JoinOut[];
}

/** One join of two sub-campaigns (linked sets of two or more accounts) into one (docs/contract.md). */
export interface JoinOut {
  at: string;
  /** `small_part`, `bridge`, `shared_tradecraft` or `analyst` (src/link/link-log.ts). */
  rule: string;
  /** The set that kept its id, then the one joined into it, with their sizes just before. */
  parts: { campaign_id: string; accounts: number }[];
  /** The two accounts whose link joined them. */
  a: string;
  b: string;
  /** `bridge`: distinct accounts of each part that linked across. */
  accounts_across?: number[];
  /** What the pair shares: suspicious groups (as on a link) and pipeline evidence, with their figures. */
  evidence: JoinEvidenceOut[];
}

export interface JoinEvidenceOut {
  /** A dimension (`payment`, `template`, ...) or a pipeline kind (`shared_tradecraft`, `work_queue`, `shared_client_config`, `shared_timing`). */
  kind: string;
  ref?: string;
  suspicion?: number;
  detail?: Record<string, number>;
}

export interface DailyAggregate {
  day: string; // YYYY-MM-DD (UTC)
  exchanges: number;
  flagged_exchanges: number; // from accounts with final verdict distillation
  active_accounts: number;
}

/** summary.json. `lines_read = accepted + rejected + duplicates` always. */
export interface Summary {
  version: 1;
  inputs: string[];
  lines_read: number;
  accepted: number;
  accepted_exchanges: number;
  accepted_accounts_records: number;
  rejected: number;
  rejected_by_reason: Record<string, number>;
  duplicates: number;
  late: number;
  accounts: number;
  flagged_accounts: number;
  suspicious_accounts: number;
  campaigns: number;
  first_event: string | null;
  last_event: string | null;
  wall_time_ms: number;
  events_per_second: number;
}

export interface LinkKindOut {
  dimension: string;
  /** A privacy-safe name for the shared thing: the same thing on two links has the same ref. */
  ref: string;
  suspicion: number;
}

/** One edge of a campaign's account-link graph (one line of the store's campaign_links table). */
export interface LinkOut {
  campaign_id: string;
  a: string;
  b: string;
  at: string;
  kinds: LinkKindOut[];
}

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

export type { Reason };
