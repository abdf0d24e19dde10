// The decisions table of the DuckDB store (DDL in ./schema.ts).
import { timestampTZValue } from '@duckdb/node-api';
import { DECISION_ACTIONS } from '../judge/decisions.js';
import { accountsColumn, readDecision, type DecisionRecord, type DecisionStore, type NewDecision } from './decision-store.js';
import type { DuckDbAccess } from './duckdb-access.js';

const COLUMNS = `id, account_id, action, note, "at", decided_at, actor, position, accounts`;

export class DuckDbDecisions implements DecisionStore {
  constructor(private readonly db: DuckDbAccess) {}

  async record(d: NewDecision): Promise<DecisionRecord> {
    if (!DECISION_ACTIONS.includes(d.action)) throw new RangeError(`unknown decision ${JSON.stringify(d.action)}`);
    const params = {
      account: d.account_id,
      action: d.action,
      note: d.note,
      at: millis(d.at, 'at'),
      decided: millis(d.decidedAt ?? Date.now(), 'decidedAt'),
      actor: d.actor,
      position: d.position === undefined ? null : BigInt(d.position),
      accounts: accountsColumn(d),
    };
    const rows = await this.db.write(async (conn) =>
      (
        await conn.runAndReadAll(
          `INSERT INTO decisions (account_id, action, note, "at", decided_at, actor, position, accounts)
           VALUES ($account, $action, $note, $at, $decided, $actor, $position, $accounts) RETURNING ${COLUMNS}`,
          params,
        )
      ).getRowObjectsJS(),
    );
    return readDecision(rows[0]);
  }

  list(accountId?: string): Promise<DecisionRecord[]> {
    const select = `SELECT ${COLUMNS} FROM decisions`;
    return accountId === undefined
      ? this.db.read(`${select} ORDER BY id`, {}, readDecision)
      : this.db.read(`${select} WHERE account_id = $a ORDER BY id`, { a: accountId }, readDecision);
  }
}

function millis(ms: number, field: string): ReturnType<typeof timestampTZValue> {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`decision ${field} must be epoch milliseconds, got ${ms}`);
  return timestampTZValue(BigInt(ms) * 1000n);
}
