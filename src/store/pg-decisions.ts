// The decisions table of the PostgreSQL store (DDL in ./pg-schema.ts).
import { DECISION_ACTIONS } from '../judge/decisions.js';
import { accountsColumn, readDecision, type DecisionRecord, type DecisionStore, type NewDecision } from './decision-store.js';
import type { PgAccess } from './pg.js';

const COLUMNS = `id, account_id, action, note, "at", decided_at, actor, position, accounts`;

export class PgDecisions implements DecisionStore {
  constructor(private readonly db: PgAccess) {}

  async record(d: NewDecision): Promise<DecisionRecord> {
    if (!DECISION_ACTIONS.includes(d.action)) throw new RangeError(`unknown decision ${JSON.stringify(d.action)}`);
    const params = [d.account_id, d.action, d.note, millis(d.at, 'at'), millis(d.decidedAt ?? Date.now(), 'decidedAt'), d.actor, d.position ?? null, accountsColumn(d)];
    const rows = await this.db.write(async (c) =>
      (await c.query(`INSERT INTO decisions (account_id, action, note, "at", decided_at, actor, position, accounts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`, params)).rows,
    );
    return readDecision(rows[0] as Record<string, unknown>);
  }

  list(accountId?: string): Promise<DecisionRecord[]> {
    const select = `SELECT ${COLUMNS} FROM decisions`;
    return accountId === undefined
      ? this.db.read(`${select} ORDER BY id`, [], readDecision)
      : this.db.read(`${select} WHERE account_id = $1 ORDER BY id`, [accountId], readDecision);
  }
}

function millis(ms: number, field: string): Date {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`decision ${field} must be epoch milliseconds, got ${ms}`);
  return new Date(ms);
}
