import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleScan } from '../report/sample.js';
import { openDuckDbStore } from './duckdb.js';
import { SCHEMA_VERSION } from './schema.js';
import { StoreError } from './store.js';
import { expectStored, storeContract } from './store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'distillguard-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = (): string => join(dir, `store-${files++}.duckdb`);

storeContract('DuckDB in memory', () => openDuckDbStore(':memory:'));
storeContract('DuckDB file', () => openDuckDbStore(freshFile()));

async function setMeta(path: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  await conn.run(sql);
  conn.closeSync();
  instance.closeSync();
}

describe('DuckDB store file', () => {
  it('reads a scan back after reopening the file', async () => {
    const path = freshFile();
    const scan = sampleScan({ accounts: 1_500, campaigns: 5, days: 30, seed: 3 });
    const w = await openDuckDbStore(path);
    await w.writeScan(scan);
    await w.close();

    const r = await openDuckDbStore(path);
    try {
      await expectStored(r, scan);
    } finally {
      await r.close();
    }
  });

  it('refuses a file written with a newer schema version, and leaves it unchanged', async () => {
    const path = freshFile();
    await (await openDuckDbStore(path)).close();
    await setMeta(path, `UPDATE meta SET value = '${SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`);

    const err = await openDuckDbStore(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('schema_too_new');
    expect((err as StoreError).message).toMatch(
      new RegExp(`schema version ${SCHEMA_VERSION + 1}.*supports up to version ${SCHEMA_VERSION}`),
    );

    // the refused file is untouched, and the instance was released: a raw open still sees version + 1
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    const rows = (await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRowsJS();
    expect(rows).toEqual([[String(SCHEMA_VERSION + 1)]]);
    conn.closeSync();
    instance.closeSync();
  });

  it('refuses a database that is not a distillguard store', async () => {
    const path = freshFile();
    await setMeta(path, `CREATE TABLE something_else (x INTEGER)`);
    await expect(openDuckDbStore(path)).rejects.toMatchObject({ code: 'not_a_store' });
  });

  it('refuses a garbled schema version', async () => {
    const path = freshFile();
    await (await openDuckDbStore(path)).close();
    await setMeta(path, `UPDATE meta SET value = 'one' WHERE key = 'schema_version'`);
    await expect(openDuckDbStore(path)).rejects.toMatchObject({ code: 'bad_meta' });
  });

  it('reports a clear error for an unopenable path', async () => {
    await expect(openDuckDbStore(join(dir, 'no', 'such', 'dir', 'x.duckdb'))).rejects.toMatchObject({
      code: 'open_failed',
    });
  });

  it('rejects use after close', async () => {
    const s = await openDuckDbStore(':memory:');
    await s.close();
    await s.close(); // idempotent
    await expect(s.accounts()).rejects.toMatchObject({ code: 'closed' });
  });

  it('serves reads issued while a write is in flight from a consistent snapshot', async () => {
    const s = await openDuckDbStore(':memory:');
    try {
      const first = sampleScan({ accounts: 300, campaigns: 2, days: 7, seed: 4 });
      const second = sampleScan({ accounts: 3_000, campaigns: 4, days: 7, seed: 5 });
      await s.writeScan(first);
      const writing = s.writeScan(second);
      const n = (await s.accounts()).length;
      expect([first.accounts.length, second.accounts.length]).toContain(n);
      await writing;
      expect(await s.accounts()).toHaveLength(second.accounts.length);
    } finally {
      await s.close();
    }
  });
});
