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
