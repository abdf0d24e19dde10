// Review decisions (confirm, dismiss, escalate; split and merge a campaign) as engine inputs. They are kept by the store
// (DecisionStore, src/store/decision-store.ts) across every re-scan, each with the event time it
// applies from (`at`), so the next replay of the same traffic applies them at the same point.
import { existsSync } from 'node:fs';
import { GROUPING_ACTIONS, type DecisionAction, type DecisionInput } from '../judge/decisions.js';
import type { DecisionRecord } from '../store/decision-store.js';
import { openDuckDbStore } from '../store/duckdb.js';

export type { DecisionRecord, NewDecision } from '../store/decision-store.js';

/** The API's decisions (src/act/audit.ts) that are engine inputs; the others are recorded only. */
export const ENGINE_ACTIONS: Readonly<Record<string, DecisionAction>> = { confirmed: 'confirm', false_positive: 'dismiss', needs_review: 'escalate', split: 'split', merge: 'merge' };

/** Decisions as engine inputs, in event-time order (ties in the order they were made). */
export function decisionInputs(records: readonly DecisionRecord[]): DecisionInput[] {
  return records
    .map((r, i) => ({ i, d: engineDecision(r) }))
    .sort((a, b) => a.d.at - b.d.at || a.i - b.i)
    .map((x) => x.d);
}

/** A stored decision as the engine takes it. */
export function engineDecision(r: DecisionRecord): DecisionInput {
  return { accountId: r.account_id, action: r.action, at: Date.parse(r.at), ...(r.accounts ? { accounts: r.accounts } : {}) };
}

/**
 * The latest decision on each decided account (records in the order they were made). A split or merge
 * is a decision on a campaign, stored under one of its accounts: it is no verdict on that account.
 */
export function latestDecisions(records: readonly DecisionRecord[]): Map<string, DecisionRecord> {
  const out = new Map<string, DecisionRecord>();
  for (const d of records) if (!GROUPING_ACTIONS.includes(d.action)) out.set(d.account_id, d);
  return out;
}

/** The decisions stored in the DuckDB file at `path`; none when there is no file yet. */
export async function storedDecisions(path: string): Promise<DecisionRecord[]> {
  if (!existsSync(path)) return [];
  const store = await openDuckDbStore(path);
  try {
    return await store.decisions.list();
  } finally {
    await store.close();
  }
}
