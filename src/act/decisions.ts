// Review decisions (confirm, dismiss, escalate), stored in the scan's DuckDB file in a table of their
// own that outlives every re-scan: decisions are inputs to the engine, each with the event time it
// applies from (`at`), so the next replay of the same traffic applies them at the same point.
import { existsSync } from 'node:fs';
import { timestampTZValue } from '@duckdb/node-api';
import { DECISION_ACTIONS, type DecisionAction, type DecisionInput } from '../judge/decisions.js';
import { openDuckDbStore, type SqlStore } from '../store/duckdb.js';

const DDL = [
  `CREATE SEQUENCE IF NOT EXISTS decision_ids START 1`,
  `CREATE TABLE IF NOT EXISTS decisions (
    id BIGINT PRIMARY KEY DEFAULT nextval('decision_ids'),
    account_id VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    note VARCHAR NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL,
    actor VARCHAR NOT NULL,
    position BIGINT
  )`,
];

/** The API's decisions (src/act/audit.ts) that are engine inputs; the others are recorded only. */
export const ENGINE_ACTIONS: Readonly<Record<string, DecisionAction>> = { confirmed: 'confirm', false_positive: 'dismiss', needs_review: 'escalate' };

/** One stored decision. `at` is event time (engine clock); `decided_at` is wall time, for the audit. */
export interface DecisionRecord {
  id: number;
  account_id: string;
  action: DecisionAction;
  note: string;
  at: string;
  decided_at: string;
  actor: string;
  /** Live only: records the engine had consumed when the decision was applied (replay point). */
  position: number | null;
}

export interface NewDecision {
  account_id: string;
  action: DecisionAction;
  note: string;
  at: number;
  actor: string;
  decidedAt?: number;
  position?: number;
}

const SELECT = `SELECT id, account_id, action, note, "at", decided_at, actor, position FROM decisions`;

export class DecisionLog {
  private constructor(private readonly store: SqlStore) {}

  static async open(store: SqlStore): Promise<DecisionLog> {
    for (const sql of DDL) await store.exec(sql);
    return new DecisionLog(store);
  }

  async record(d: NewDecision): Promise<DecisionRecord> {
    if (!DECISION_ACTIONS.includes(d.action)) throw new RangeError(`unknown decision ${JSON.stringify(d.action)}`);
    const rows = await this.store.exec(
      `INSERT INTO decisions (account_id, action, note, "at", decided_at, actor, position) VALUES ($account, $action, $note, $at, $decided, $actor, $position)
       RETURNING id, account_id, action, note, "at", decided_at, actor, position`,
      {
        account: d.account_id,
        action: d.action,
        note: d.note,
        at: timestampTZValue(BigInt(d.at) * 1000n),
        decided: timestampTZValue(BigInt(d.decidedAt ?? Date.now()) * 1000n),
        actor: d.actor,
        position: d.position === undefined ? null : BigInt(d.position),
      },
    );
    return readDecision(rows[0]);
  }

  /** Decisions in the order they were made, of one account or of all. */
  async list(accountId?: string): Promise<DecisionRecord[]> {
    const rows = accountId === undefined ? await this.store.rows(`${SELECT} ORDER BY id`) : await this.store.rows(`${SELECT} WHERE account_id = $a ORDER BY id`, { a: accountId });
    return rows.map(readDecision);
  }

  /** The latest decision of each decided account. */
  async latest(): Promise<Map<string, DecisionRecord>> {
    const out = new Map<string, DecisionRecord>();
    for (const d of await this.list()) out.set(d.account_id, d);
    return out;
  }
}

/** Decisions as engine inputs, in event-time order (ties in the order they were made). */
export function decisionInputs(records: readonly DecisionRecord[]): DecisionInput[] {
  return records
    .map((r, i) => ({ i, d: { accountId: r.account_id, action: r.action, at: Date.parse(r.at) } }))
    .sort((a, b) => a.d.at - b.d.at || a.i - b.i)
    .map((x) => x.d);
}

/** The decisions stored in the DuckDB file at `path`; none when there is no file yet. */
export async function storedDecisions(path: string): Promise<DecisionRecord[]> {
  if (!existsSync(path)) return [];
  const store = await openDuckDbStore(path);
  try {
    const exists = await store.rows(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'decisions'`);
    return exists.length ? (await DecisionLog.open(store)).list() : [];
  } finally {
    await store.close();
  }
}

function readDecision(row: Record<string, unknown>): DecisionRecord {
  const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
  return {
    id: Number(row.id),
    account_id: String(row.account_id),
    action: String(row.action) as DecisionAction,
    note: String(row.note),
    at: iso(row.at),
    decided_at: iso(row.decided_at),
    actor: String(row.actor),
    position: row.position === null || row.position === undefined ? null : Number(row.position),
  };
}
