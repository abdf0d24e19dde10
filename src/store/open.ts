// Opens the store a command was pointed at: a postgres:// URL is the PostgreSQL store, anything else
// a DuckDB file (the embedded default).
import { openDuckDbStore } from './duckdb.js';
import { isPostgresUrl, openPgStore } from './pg.js';
import type { Store } from './store.js';

export function openStore(target: string): Promise<Store> {
  return isPostgresUrl(target) ? openPgStore(target) : openDuckDbStore(target);
}
