// Review decisions (confirm, dismiss, escalate, split, merge) as they are stored: inputs to the engine, each with
// the event time it applies from (`at`), kept across every re-scan so the next replay of the same
// traffic applies them at the same point. Part of the store (./store.ts), in its schema version.
import type { DecisionAction } from '../judge/decisions.js';
import { iso, type Row } from './rows.js';

/** One stored decision. `at` is event time (engine clock); `decided_at` is wall time, for the audit. */
export interface DecisionRecord {
  /** Increasing in the order decisions were recorded. */
  id: number;
  account_id: string;
  action: DecisionAction;
  note: string;
  /** RFC 3339. */
  at: string;
  /** RFC 3339. */
  decided_at: string;
  actor: string;
  /** serve: records the engine had consumed when the decision was applied (replay point); cluster: the analyst message's stream sequence. */
  position: number | null;
  /** split: the other accounts taken out with `account_id`; merge: an account of the other campaign (absent for the rest). */
  accounts?: string[];
}

export interface NewDecision {
  account_id: string;
  action: DecisionAction;
  note: string;
  /** Event time, epoch ms. */
  at: number;
  actor: string;
  /** Wall time, epoch ms (default: now). */
  decidedAt?: number;
  position?: number;
  /** split and merge: the other accounts named (DecisionRecord.accounts). */
  accounts?: readonly string[];
}

/** The `accounts` column's text for a new decision (NULL when it names one account). */
export function accountsColumn(d: NewDecision): string | null {
  return d.accounts === undefined || d.accounts.length === 0 ? null : JSON.stringify(d.accounts);
}

export interface DecisionStore {
  /** Stores a decision; an action outside DECISION_ACTIONS is refused (RangeError). */
  record(d: NewDecision): Promise<DecisionRecord>;
  /** Decisions in the order they were recorded, of one account or of all. */
  list(accountId?: string): Promise<DecisionRecord[]>;
}

/** A stored decision row (either implementation) as a DecisionRecord. */
export function readDecision(row: Row): DecisionRecord {
  return {
    id: Number(row.id),
    account_id: String(row.account_id),
    action: String(row.action) as DecisionAction,
    note: String(row.note),
    at: iso(row.at) as string,
    decided_at: iso(row.decided_at) as string,
    actor: String(row.actor),
    position: row.position === null || row.position === undefined ? null : Number(row.position),
    ...(row.accounts === null || row.accounts === undefined ? {} : { accounts: (JSON.parse(String(row.accounts)) as unknown[]).map(String) }),
  };
}
