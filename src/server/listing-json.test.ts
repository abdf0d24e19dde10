// /v1/accounts answered from each row's kept JSON, and kept per snapshot: byte for byte the answer
// fastify made by stringifying the listing, on every filter and page, refresh after refresh.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/serve.js';
import { ANSWERS_PER_SNAPSHOT, keepAnswer, keptAnswer, listingJson } from './listing-json.js';

let tmp: string;
let lines: string[];
let s: TestServer;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'distillguard-listing-'));
  const input = (await runSimulate({ scenario: 'tiny', scale: 0.3, seed: 4, out: join(tmp, 'sim'), days: 2 })).path;
  lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l.length > 0);
  s = await startTestServer({ live: { flushMs: 3_600_000 } });
});
afterAll(async () => {
  await s.close();
  await rm(tmp, { recursive: true, force: true });
});

const read = (url: string) => s.app.inject({ method: 'GET', url, headers: bearer('read') });

describe('/v1/accounts from kept row text', () => {
  it('answers exactly JSON.stringify({ accounts, limit, offset, snapshot }) of the snapshot, for every filter, across refreshes', async () => {
    let checked = 0;
    const campaignsSeen = new Set<string>();
    for (let i = 0; i < lines.length; i += 1000) {
      const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: `${lines.slice(i, i + 1000).join('\n')}\n`, headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
      expect(r.statusCode).toBe(200);
      await s.live.drain();
      await s.live.flush(true);
      const view = s.live.results;
      for (const c of await view.campaigns()) campaignsSeen.add(c.campaign_id);
      const queries: { url: string; verdict?: 'distillation' | 'suspicious' | 'normal'; campaignId?: string; minScore?: number; limit: number; offset: number }[] = [
        { url: '/v1/accounts', limit: 100, offset: 0 },
        { url: '/v1/accounts?limit=1000', limit: 1000, offset: 0 },
        { url: '/v1/accounts?limit=7&offset=5', limit: 7, offset: 5 },
        { url: '/v1/accounts?verdict=distillation&limit=1000', verdict: 'distillation', limit: 1000, offset: 0 },
        { url: '/v1/accounts?verdict=suspicious&limit=1000', verdict: 'suspicious', limit: 1000, offset: 0 },
        { url: '/v1/accounts?min_score=0.5&limit=50', minScore: 0.5, limit: 50, offset: 0 },
        ...[...campaignsSeen].map((c) => ({ url: `/v1/accounts?campaign_id=${encodeURIComponent(c)}&limit=1000`, campaignId: c, limit: 1000, offset: 0 })),
      ];
      for (const q of queries) {
        const rows = await view.accounts({ verdict: q.verdict, campaignId: q.campaignId, minScore: q.minScore, limit: q.limit, offset: q.offset });
        const expected = JSON.stringify({ accounts: rows, limit: q.limit, offset: q.offset, snapshot: view.refresh });
        // Asked twice of the same snapshot: the second answer is the kept one, and the same.
        for (let k = 0; k < 2; k++) {
          const a = await read(q.url);
          expect(a.statusCode).toBe(200);
          expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
          expect(a.headers['distillguard-refresh']).toBe(String(view.refresh!.refresh));
          expect(a.body).toBe(expected);
          checked++;
        }
      }
    }
    expect(campaignsSeen.size).toBeGreaterThan(0);
    const flagged = JSON.parse((await read('/v1/accounts?verdict=distillation&limit=1000')).body) as { accounts: unknown[] };
    expect(flagged.accounts.length).toBeGreaterThan(0);
    expect(checked).toBeGreaterThan(50);
  });

  it('pins a page to the refresh it names, kept answers included', async () => {
    const now = s.live.results.refresh!.refresh;
    const a = await read(`/v1/accounts?limit=3&offset=1&refresh=${now}`);
    expect(a.statusCode).toBe(200);
    expect(JSON.parse(a.body).snapshot.refresh).toBe(now);
    expect((await read(`/v1/accounts?limit=3&refresh=${now + 5}`)).statusCode).toBe(404);
  });
});

describe('listingJson and the kept answers', () => {
  it('is the bytes of JSON.stringify, non-ASCII text and an empty rest included', () => {
    const rows = [{ id: 'a', note: 'café — 東京' }, { id: 'b', n: 1.5, list: [null, true] }];
    expect(listingJson('accounts', rows, { limit: 2, offset: 0, snapshot: null }).toString()).toBe(JSON.stringify({ accounts: rows, limit: 2, offset: 0, snapshot: null }));
    expect(listingJson('accounts', [], {}).toString()).toBe('{"accounts":[]}');
  });

  it('keeps at most ANSWERS_PER_SNAPSHOT answers per snapshot, and none for another snapshot', () => {
    const snap = {};
    for (let i = 0; i < ANSWERS_PER_SNAPSHOT + 2; i++) expect(keepAnswer(snap, `q${i}`, Buffer.from(`answer ${i}`)).toString()).toBe(`answer ${i}`);
    expect(keptAnswer(snap, 'q0')?.toString()).toBe('answer 0');
    expect(keptAnswer(snap, `q${ANSWERS_PER_SNAPSHOT - 1}`)).toBeDefined();
    expect(keptAnswer(snap, `q${ANSWERS_PER_SNAPSHOT}`)).toBeUndefined();
    expect(keptAnswer({}, 'q0')).toBeUndefined();
  });
});
