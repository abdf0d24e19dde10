// The read view in memory answers exactly as the store written behind it does, for the same refresh:
// a live service on simulated traffic, refresh by refresh (the whole state at start-up, then deltas),
// every read over the filters, read orders and pages the API offers, against DuckDB and PostgreSQL.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBin, startPostgres, stopPostgres } from '../cluster/postgres.js';
import { buildEngineConfig } from '../config/schema.js';
import { decodeLine } from '../decode/index.js';
import { runSimulate } from '../sim/index.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { openPgStore } from '../store/pg.js';
import type { ResultsReader, Store } from '../store/store.js';
import { LiveService } from './live.js';

let tmp: string;
let lines: string[];
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'distillguard-view-'));
  const input = (await runSimulate({ scenario: 'tiny', scale: 0.4, seed: 11, out: join(tmp, 'sim'), days: 3 })).path;
  lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l.length > 0);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Every read the API makes of results, over its filters and pages, from one reader. */
async function answers(r: ResultsReader): Promise<Record<string, unknown>> {
  const all = await r.accounts();
  const campaigns = await r.campaigns();
  const out: Record<string, unknown> = { all, campaigns, summary: await r.summary(), daily: await r.daily() };
  const scores = [...new Set(all.map((a) => a.score))].sort((a, b) => a - b);
  const cut = scores[Math.floor(scores.length / 2)] ?? 0.5;
  for (const verdict of [undefined, 'distillation', 'suspicious', 'nonsense']) {
    for (const campaignId of [undefined, campaigns[0]?.campaign_id, 'no-such-campaign']) {
      for (const minScore of [undefined, cut]) {
        const f = { verdict, campaignId, minScore };
        out[`accounts ${JSON.stringify(f)}`] = await r.accounts(f);
        for (const [limit, offset] of [[7, 7], [0, 0], [3, 100_000]]) out[`accounts ${JSON.stringify({ ...f, limit, offset })}`] = await r.accounts({ ...f, limit, offset });
      }
    }
  }
  // Accounts one by one: the first pages' and every seventh.
  for (const [i, a] of all.entries()) if (i < 15 || i % 7 === 0) out[`account ${a.account_id}`] = await r.account(a.account_id);
  out['account unknown'] = await r.account('no-such-account');
  for (const c of campaigns) {
    out[`campaign ${c.campaign_id}`] = await r.campaign(c.campaign_id);
    out[`daily ${c.campaign_id}`] = await r.daily(c.campaign_id);
    out[`links ${c.campaign_id}`] = await r.links(c.campaign_id);
  }
  out['campaign unknown'] = await r.campaign('no-such-campaign');
  out['links unknown'] = await r.links('no-such-campaign');
  return out;
}

async function compareRefreshByRefresh(store: Store, dir: string): Promise<number> {
  const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
  const live = await LiveService.open({ cfg, store, logDir: join(dir, 'ingest'), flushMs: 600_000 });
  let compared = 0;
  const check = async (): Promise<void> => {
    await live.drain();
    await live.flush(true); // published, and the store holds it
    const view = live.results;
    const { value, refresh } = await store.snapshot(() => answers(store));
    expect(refresh).toEqual(view.refresh);
    expect(await answers(view)).toStrictEqual(value);
    compared++;
  };
  try {
    await check(); // the start-up rebuild (empty)
    const step = Math.ceil(lines.length / 2);
    for (let i = 0; i < lines.length; i += step) {
      const items = lines.slice(i, i + step).map((text, j) => {
        const raw = { file: 'http', line: j + 1, text, bytes: Buffer.byteLength(text) };
        return { raw, rec: decodeLine(raw, live.decodeContext) };
      });
      await live.submit(items);
      await check();
    }
    const newest = Math.max(...lines.map((l) => Date.parse((JSON.parse(l) as { ts: string }).ts)));
    await live.watermark(newest + 3_600_000);
    await check();
    expect((await live.results.accounts({ verdict: 'distillation' })).length).toBeGreaterThan(0);
    expect((await live.results.campaigns()).length).toBeGreaterThan(0);
  } finally {
    await live.close();
  }
  // A restart rebuilds the store (the whole state through writeScan) and the view the same way.
  const again = await LiveService.open({ cfg, store, logDir: join(dir, 'ingest'), flushMs: 600_000 });
  try {
    await again.storeWriter.persisted(); // the store is rebuilt behind the published view
    const { value, refresh } = await store.snapshot(() => answers(store));
    expect(refresh).toEqual(again.results.refresh);
    expect(await answers(again.results)).toStrictEqual(value);
  } finally {
    await again.close();
  }
  return compared;
}

describe('the in-memory read view', () => {
  it('answers every read as DuckDB does for the same refresh', async () => {
    const dir = join(tmp, 'duckdb');
    const store = await openDuckDbStore(':memory:');
    try {
      expect(await compareRefreshByRefresh(store, dir)).toBe(4);
    } finally {
      await store.close();
    }
  }, 120_000);

  const absent = postgresBin() === null;
  it.skipIf(absent)('answers every read as PostgreSQL does for the same refresh', async () => {
    const dir = join(tmp, 'pg');
    const pgdata = await mkdtemp(join(tmpdir(), 'distillguard-view-pg-')); // a folder postgres can reach
    const { url } = await startPostgres(pgdata, { durable: false });
    try {
      const store = await openPgStore(url);
      try {
        expect(await compareRefreshByRefresh(store, dir)).toBe(4);
      } finally {
        await store.close();
      }
    } finally {
      await stopPostgres(pgdata);
      await rm(pgdata, { recursive: true, force: true });
    }
  }, 180_000);
});
