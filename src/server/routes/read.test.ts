// `?refresh=N` on the list routes: the pages of one listing come from one snapshot while refreshes
// go on, and a refresh no longer kept is a 410 that says what to do.
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, ndjson, startTestServer, type TestServer } from '../../../test/helpers/serve.js';
import { PINNED_MS, PINNED_SNAPSHOTS } from '../../store/store.js';

const T0 = Date.UTC(2026, 3, 1);

function exchange(i: number, account: string): object {
  return {
    type: 'exchange',
    id: `ex-${i}`,
    ts: T0 + i * 60_000,
    account_id: account,
    request: { model: 'claude-x', max_tokens: 512, messages: [{ role: 'user', content: `question ${i}: why is the sky blue?` }] },
    response: { usage: { input_tokens: 20, output_tokens: 200 }, stop_reason: 'end_turn' },
  };
}

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('serve: paging pinned to a refresh', () => {
  it('answers later pages from the refresh the first page named, then 404 for a future one and 410 once it is dropped', async () => {
    s = await startTestServer({ live: { flushMs: 3_600_000 } });
    const server = s;
    let n = 0;
    /** Posts exchanges of new accounts and publishes a refresh; returns its number. */
    const refreshWith = async (accounts: number): Promise<number> => {
      const lines = Array.from({ length: accounts }, () => exchange(++n, `acct-${String(n).padStart(4, '0')}`));
      const r = await server.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson(lines), headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
      expect(r.statusCode).toBe(200);
      // Released from the ordering buffer and judged: nothing older will come.
      const wm = await server.app.inject({ method: 'POST', url: '/v1/watermark', payload: { ts: T0 + (n + 1) * 60_000 }, headers: bearer('ingest') });
      expect(wm.statusCode).toBe(200);
      await server.live.drain();
      await server.live.flush(true);
      return server.live.results.refresh!.refresh;
    };
    const get = (url: string) => server.app.inject({ method: 'GET', url, headers: bearer('read') });
    const first = await refreshWith(6);
    const page1 = await get('/v1/accounts?limit=4');
    expect(page1.headers['distillguard-refresh']).toBe(String(first));
    const whole1 = (await get('/v1/accounts?limit=1000')).json().accounts as { account_id: string }[];
    expect(whole1).toHaveLength(6);
    const campaigns1 = (await get('/v1/campaigns')).json().campaigns;

    const second = await refreshWith(5);
    expect(second).toBeGreaterThan(first);
    // Unpinned, the second page comes from the new refresh; pinned, from the first page's.
    expect((await get('/v1/accounts?limit=1000')).json().accounts).toHaveLength(11);
    const page2 = await get(`/v1/accounts?limit=4&offset=4&refresh=${first}`);
    expect(page2.statusCode).toBe(200);
    expect(page2.headers['distillguard-refresh']).toBe(String(first));
    expect(page2.json().snapshot.refresh).toBe(first);
    expect([...page1.json().accounts, ...page2.json().accounts]).toEqual(whole1);
    expect((await get(`/v1/campaigns?refresh=${first}`)).json().campaigns).toEqual(campaigns1);
    expect((await get(`/v1/accounts?refresh=${second}&limit=1000`)).json().accounts).toHaveLength(11);

    const future = await get(`/v1/accounts?refresh=${second + 5}`);
    expect(future.statusCode).toBe(404);
    expect(future.json().error.message).toMatch(/has not been published/);
    expect((await get('/v1/campaigns?refresh=0')).statusCode).toBe(400);

    // Dropped by age, and by count.
    expect(server.live.storeWriter.viewAt(first)?.refresh?.refresh).toBe(first);
    expect(server.live.storeWriter.viewAt(first, performance.now() + PINNED_MS + 1)).toBeUndefined();
    for (let i = 0; i < PINNED_SNAPSHOTS; i++) await refreshWith(1);
    const gone = await get(`/v1/accounts?limit=4&offset=4&refresh=${first}`);
    expect(gone.statusCode).toBe(410);
    expect(gone.json().error).toEqual({ code: 'gone', message: expect.stringMatching(/no longer kept .*start the listing again/) });
  });
});
