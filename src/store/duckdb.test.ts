import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleScan } from '../report/sample.js';
import { openDuckDbStore } from './duckdb.js';
import { SCHEMA_VERSION } from './schema.js';
import { StoreError } from './store.js';
import { expectStored, storeContract } from './store.contract.js';
import { decisionStoreContract } from './decision-store.contract.js';
import { intelStoreContract } from './intel-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'distillguard-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = (): string => join(dir, `store-${files++}.duckdb`);

storeContract('DuckDB in memory', () => openDuckDbStore(':memory:'));
storeContract('DuckDB file', () => openDuckDbStore(freshFile()));
decisionStoreContract('DuckDB in memory', () => openDuckDbStore(':memory:'));
decisionStoreContract('DuckDB file', () => openDuckDbStore(freshFile()));
intelStoreContract('DuckDB in memory', () => openDuckDbStore(':memory:'));
intelStoreContract('DuckDB file', () => openDuckDbStore(freshFile()));

/** Rows of a query on a store file, opened raw (no migration). */
async function rawRows(path: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowsJS();
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const TABLES = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name`;

async function setMeta(path: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  await conn.run(sql);
  conn.closeSync();
  instance.closeSync();
}

describe('DuckDB store file', () => {
  it('opens and migrates a version-2 file whose decisions and intel tables the old code made outside the schema', async () => {
    // Written by distillguard 325a211 (fixtures/make-store-v2.mjs): a scan, two decisions, intel objects.
    const path = freshFile();
    writeFileSync(path, gunzipSync(readFileSync(new URL('./fixtures/store-v2.duckdb.gz', import.meta.url))));
    expect(await rawRows(path, `SELECT value FROM meta WHERE key = 'schema_version'`)).toEqual([['2']]);
    const s = await openDuckDbStore(path);
    try {
      expect(await s.accounts()).toHaveLength(40);
      const decisions = await s.decisions.list();
      expect(decisions.map((d) => [d.id, d.action, d.at, d.actor, d.position])).toEqual([
        [1, 'dismiss', '2026-04-02T12:00:00.000Z', 'alice', null],
        [2, 'confirm', '2026-04-02T12:01:00.000Z', 'bob', 1234],
      ]);
      expect(decisions[0].note).toBe('known evaluator');
      // The old id sequence carries on.
      expect((await s.decisions.record({ account_id: 'acct_x', action: 'escalate', note: '', at: 0, actor: 'carol' })).id).toBe(3);
      // Version 4: a split names the other accounts it takes out (the migration added the column).
      const split = await s.decisions.record({ account_id: 'acct_y', action: 'split', accounts: ['acct_z', 'acct_w'], note: 'two operators', at: 0, actor: 'carol' });
      expect(split.accounts).toEqual(['acct_z', 'acct_w']);
      expect((await s.decisions.list('acct_y'))[0].accounts).toEqual(['acct_z', 'acct_w']);
      expect((await s.decisions.list('acct_x'))[0].accounts).toBeUndefined();
      const latest = await s.intel.latest();
      expect(latest.map((o) => [o.id.slice(-4), o.version, o.source])).toEqual([
        ['1111', '2026-04-02T00:00:00.000Z', null],
        ['3333', '2026-04-01T00:00:00.000Z', 'https://peer.example/taxii2/api/'],
      ]);
      expect(await s.intel.getStatus('api', 'status-1')).toEqual({ id: 'status-1', status: 'complete', total_count: 2 });
      const added = await s.intel.add('api', 'campaigns', [{ ...latest[0].body, modified: '2026-04-03T00:00:00.000Z' }]);
      expect(added.results[0].added).toBe(true);
      expect((await s.intel.query('api', 'campaigns', { limit: 10 }))[0].seq).toBe(4);
    } finally {
      await s.close();
    }
    expect(await rawRows(path, `SELECT value FROM meta WHERE key = 'schema_version'`)).toEqual([[String(SCHEMA_VERSION)]]);
    // A migrated file has the tables a new one has.
    const fresh = freshFile();
    await (await openDuckDbStore(fresh)).close();
    expect(await rawRows(path, TABLES)).toEqual(await rawRows(fresh, TABLES));
  });

  it('migrates a version-2 file that never held decisions or intel objects', async () => {
    const path = freshFile();
    await (await openDuckDbStore(path)).close();
    await setMeta(
      path,
      `DROP TABLE decisions; DROP SEQUENCE decision_ids; DROP TABLE intel_objects; DROP TABLE intel_status;
       UPDATE meta SET value = '2' WHERE key = 'schema_version'`,
    );
    expect((await rawRows(path, TABLES)).flat()).not.toContain('decisions');
    const s = await openDuckDbStore(path);
    try {
      expect(await s.decisions.list()).toEqual([]);
      expect((await s.decisions.record({ account_id: 'a', action: 'confirm', note: '', at: 0, actor: 'x' })).id).toBe(1);
      expect(await s.intel.latest()).toEqual([]);
    } finally {
      await s.close();
    }
  });

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
