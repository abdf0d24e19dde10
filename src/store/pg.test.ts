// The PostgreSQL store against a real PostgreSQL (Debian's `postgresql`, started here in a temp dir on
// a loopback port, stopped at the end): the same contract suites as DuckDB, each store in a fresh
// database schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBin, startPostgres, stopPostgres } from '../cluster/postgres.js';
import { sampleScan } from '../report/sample.js';
import { decisionStoreContract } from './decision-store.contract.js';
import { intelStoreContract } from './intel-store.contract.js';
import { openPgStore } from './pg.js';
import { SCHEMA_VERSION } from './schema.js';
import type { RefreshInfo } from './store.js';
import { expectStored, storeContract } from './store.contract.js';

const absent = postgresBin() === null;
if (absent) console.warn('PostgreSQL store tests skipped: Debian package `postgresql` is not installed (.ci/run installs it)');

let dir = '';
let url = '';
let schemas = 0;

beforeAll(async () => {
  if (absent) return;
  dir = mkdtempSync(join(tmpdir(), 'distillguard-pg-'));
  url = (await startPostgres(dir, { durable: false })).url;
}, 120_000);

afterAll(async () => {
  if (!dir) return;
  await stopPostgres(dir);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A URL whose connections work in a new, empty schema. */
async function freshSchema(): Promise<string> {
  const name = `s${schemas++}`;
  await admin((c) => c.query(`CREATE SCHEMA ${name}`));
  return `${url}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
}

const open = async () => openPgStore(await freshSchema());

describe.skipIf(absent)('PostgreSQL store', () => {
  storeContract('PostgreSQL', open);
  decisionStoreContract('PostgreSQL', open);
  intelStoreContract('PostgreSQL', open);

  it('reads a scan back after reopening, and a second process sees the same rows', async () => {
    const at = await freshSchema();
    const scan = sampleScan({ accounts: 1_500, campaigns: 5, days: 30, seed: 3 });
    const w = await openPgStore(at);
    await w.writeScan(scan);
    const other = await openPgStore(at);
    try {
      await expectStored(other, scan);
    } finally {
      await other.close();
      await w.close();
    }
  });

  it('serves a snapshot started before a write from the rows before it', async () => {
    const s = await open();
    try {
      const first = sampleScan({ accounts: 300, campaigns: 2, days: 7, seed: 4 });
      const second = sampleScan({ accounts: 3_000, campaigns: 4, days: 7, seed: 5 });
      await s.writeScan(first);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const snap = s.snapshot(async () => {
        const before = (await s.accounts()).length;
        await held;
        return [before, (await s.accounts()).length];
      });
      await new Promise((r) => setTimeout(r, 50));
      await s.writeScan(second);
      release();
      expect((await snap).value).toEqual([first.accounts.length, first.accounts.length]);
      expect(await s.accounts()).toHaveLength(second.accounts.length);
    } finally {
      await s.close();
    }
  });

  it('keeps the snapshots it read for paging (?refresh=N): a later refresh does not show through, an unwritten one is unpublished, an expired or evicted one gone', async () => {
    const at = await freshSchema();
    const refresh = (n: number): RefreshInfo => ({ refresh: n, judged_through: null, engine_clock: null, consumed: n * 100, derived_at: new Date(0).toISOString() });
    const writer = await openPgStore(at);
    const reader = await openPgStore(at, { pinSnapshots: { keep: 2, ms: 1500 } });
    const ids = async (): Promise<string[]> => (await reader.accounts({ limit: 1000 })).map((a) => a.account_id);
    try {
      const first = sampleScan({ accounts: 200, campaigns: 2, days: 7, seed: 4 });
      const second = sampleScan({ accounts: 400, campaigns: 3, days: 7, seed: 5 });
      await writer.writeScan({ ...first, refresh: refresh(1) });
      const page1 = await reader.snapshot(ids);
      expect(page1.refresh?.refresh).toBe(1);
      await writer.writeScan({ ...second, refresh: refresh(2) });
      // Refresh 1 is still read from the transaction the first page ran in; the store now holds refresh 2.
      const again = await reader.snapshotAt!(1, ids);
      expect(again).toEqual({ value: page1.value, refresh: refresh(1) });
      expect((await reader.snapshot(ids)).value).toHaveLength(second.accounts.length);
      expect(await reader.snapshotAt!(2, async () => (await ids()).length)).toEqual({ value: second.accounts.length, refresh: refresh(2) });
      expect(await reader.snapshotAt!(3, ids)).toBe('unpublished');
      // Two kept: refresh 3 read evicts refresh 1.
      await writer.writeScan({ ...first, refresh: refresh(3) });
      await reader.snapshot(ids);
      expect(await reader.snapshotAt!(1, ids)).toBe('gone');
      expect(await reader.snapshotAt!(2, async () => (await ids()).length)).toEqual({ value: second.accounts.length, refresh: refresh(2) });
      // Expired after its time; the current refresh is still answered (and kept again).
      await new Promise((r) => setTimeout(r, 2000));
      expect(await reader.snapshotAt!(2, ids)).toBe('gone');
      expect((await reader.snapshotAt!(3, async () => (await ids()).length)) as object).toEqual({ value: first.accounts.length, refresh: refresh(3) });
      // Kept transactions are idle in transaction on the server, and gone after close.
      const open = async (): Promise<number> => admin(async (c) => Number((await c.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'idle in transaction'`)).rows[0].n));
      expect(await open()).toBe(1);
      await reader.close();
      expect(await open()).toBe(0);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('refuses a newer schema version, a foreign database, a garbled version, and an unreachable server', async () => {
    const at = await freshSchema();
    await (await openPgStore(at)).close();
    const schema = `s${schemas - 1}`;
    await admin((c) => c.query(`UPDATE ${schema}.meta SET value = '${SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`));
    await expect(openPgStore(at)).rejects.toMatchObject({ code: 'schema_too_new', message: expect.stringMatching(new RegExp(`version ${SCHEMA_VERSION + 1}.*up to version ${SCHEMA_VERSION}`)) });
    expect((await admin((c) => c.query(`SELECT value FROM ${schema}.meta WHERE key = 'schema_version'`))).rows).toEqual([{ value: String(SCHEMA_VERSION + 1) }]);
    await admin((c) => c.query(`UPDATE ${schema}.meta SET value = 'one' WHERE key = 'schema_version'`));
    await expect(openPgStore(at)).rejects.toMatchObject({ code: 'bad_meta' });

    const foreign = await freshSchema();
    await admin((c) => c.query(`CREATE TABLE s${schemas - 1}.something_else (x INTEGER)`));
    await expect(openPgStore(foreign)).rejects.toMatchObject({ code: 'not_a_store' });

    const port = new URL(url).port;
    await expect(openPgStore(url.replace(`:${port}/`, ':1/'))).rejects.toMatchObject({ code: 'open_failed' });
    await expect(openPgStore('mysql://x')).rejects.toMatchObject({ code: 'open_failed' });
  });

  it('makes the schema once when two processes open a new database together', async () => {
    const at = await freshSchema();
    const [a, b] = await Promise.all([openPgStore(at), openPgStore(at)]);
    await a.decisions.record({ account_id: 'x', action: 'confirm', note: '', at: 0, actor: 'a' });
    expect(await b.decisions.list()).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects use after close', async () => {
    const s = await open();
    await s.close();
    await s.close();
    await expect(s.accounts()).rejects.toMatchObject({ code: 'closed' });
  });
});
