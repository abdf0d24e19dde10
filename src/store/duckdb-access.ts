// What the DuckDB store's table families (scan tables, decisions, intel) run on: one writer connection
// whose statements run one sequence at a time, one reader connection for snapshot reads.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Row } from './rows.js';

export { iso, type Row } from './rows.js';

export interface DuckDbAccess {
  /** Runs `fn` on the writer connection, in turn with every other write of the store. */
  write<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  /** Reads rows as plain JS objects on the reader connection, in turn with other reads. */
  read<T>(sql: string, params: Record<string, DuckDBValue>, row: (r: Row) => T): Promise<T[]>;
}

export async function inTransaction<T>(conn: DuckDBConnection, body: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const r = await body();
    await conn.run('COMMIT');
    return r;
  } catch (e) {
    await conn.run('ROLLBACK');
    throw e;
  }
}
