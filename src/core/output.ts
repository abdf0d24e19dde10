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

export type { Reason };
