import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, ndjson, startTestServer, type TestServer } from '../../test/helpers/serve.js';
import { INGEST_STAGES } from './ingest-timeline.js';

const T0 = Date.UTC(2026, 3, 1);

function exchangeLine(i: number, account = `acct-${i % 7}`, ts = T0 + i * 1000): object {
  return {
    type: 'exchange',
    id: `ex-${i}`,
    ts,
    account_id: account,
    request: { model: 'claude-x', max_tokens: 512, messages: [{ role: 'user', content: `question number ${i}: how do tides work?` }] },
    response: { usage: { input_tokens: 20, output_tokens: 200 }, stop_reason: 'end_turn' },
    client: { ip: '198.51.100.7', user_agent: 'python-httpx/0.27' },
  };
}

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('serve: auth', () => {
  it('answers 401 without a key or with an unknown key, 403 for the wrong role, with JSON errors', async () => {
    s = await startTestServer();
    const body = ndjson([exchangeLine(1)]);
    const none = await s.app.inject({ method: 'POST', url: '/v1/records', payload: body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringMatching(/missing API key/) } });
    expect(none.headers['www-authenticate']).toBe('Bearer');

    const wrong = await s.app.inject({ method: 'GET', url: '/v1/accounts', headers: { authorization: 'Bearer not-a-key-at-all-000000' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');

    const readWrites = await s.app.inject({ method: 'POST', url: '/v1/records', payload: body, headers: { ...bearer('read'), 'content-type': 'application/x-ndjson' } });
    expect(readWrites.statusCode).toBe(403);
    expect(readWrites.json().error).toEqual({ code: 'forbidden', message: expect.stringMatching(/lacks the ingest role/) });

    const ingestReads = await s.app.inject({ method: 'GET', url: '/v1/summary', headers: bearer('ingest') });
    expect(ingestReads.statusCode).toBe(403);

    const readDecides = await s.app.inject({ method: 'POST', url: '/v1/decisions', payload: { account_id: 'a', decision: 'confirmed' }, headers: bearer('read') });
    expect(readDecides.statusCode).toBe(403);
    const analystReads = await s.app.inject({ method: 'GET', url: '/v1/campaigns', headers: bearer('analyst') });
    expect(analystReads.statusCode).toBe(200);
    expect(s.live.counts.linesRead).toBe(0); // nothing refused was taken
  });

  it('answers unknown routes and bad queries with JSON errors', async () => {
    s = await startTestServer();
    const nf = await s.app.inject({ method: 'GET', url: '/v1/nothing', headers: bearer('read') });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error.code).toBe('not_found');
    const bad = await s.app.inject({ method: 'GET', url: '/v1/accounts?limit=0', headers: bearer('read') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toEqual({ code: 'bad_request', message: expect.stringMatching(/^query: limit/) });
    const unknown = await s.app.inject({ method: 'GET', url: '/v1/accounts/nobody', headers: bearer('read') });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('serve: ingest', () => {
  it('acknowledges a batch with counts by outcome, keeps rejections, dedupes ids, takes gzip', async () => {
    s = await startTestServer({ cfg: { maxLatenessMs: 0 } });
    const lines = [exchangeLine(1), exchangeLine(2), { type: 'exchange', id: 'x' }, exchangeLine(2)];
    const body = ndjson(lines) + 'not json\n';
    const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: body, headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ batch: 1, received: 5, accepted: 2, duplicates: 1, rejected: 2, rejected_by_reason: { missing_field: 1, invalid_json: 1 } });
    expect(r.json().rejections[0]).toMatchObject({ line: 3, reason: 'missing_field' });

    const gz = gzipSync(ndjson([exchangeLine(2), exchangeLine(3)]));
    const r2 = await s.app.inject({ method: 'POST', url: '/v1/records', payload: gz, headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' } });
    expect(r2.json()).toMatchObject({ batch: 2, received: 2, accepted: 1, duplicates: 1 });

    const bad = await s.app.inject({ method: 'POST', url: '/v1/records', payload: Buffer.from('not gzip'), headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad_encoding');

    await s.live.drain();
    await s.live.flush(true);
    const sum = await s.app.inject({ method: 'GET', url: '/v1/summary', headers: bearer('read') });
    expect(sum.json().summary).toMatchObject({ lines_read: 7, accepted: 3, duplicates: 2, rejected: 2 });
    const rej = await s.app.inject({ method: 'GET', url: '/v1/rejections', headers: bearer('read') });
    expect(rej.json().rejections.map((x: { reason: string; file: string }) => [x.file, x.reason])).toEqual([['batch-1', 'invalid_json'], ['batch-1', 'missing_field']]);
    const accts = await s.app.inject({ method: 'GET', url: '/v1/accounts', headers: bearer('read') });
    expect(accts.json().accounts.map((a: { account_id: string; exchanges: number }) => [a.account_id, a.exchanges]).sort()).toEqual([['acct-1', 1], ['acct-2', 1], ['acct-3', 1]]);
  });

  it('answers 413 for a body over the limit, as sent or once gunzipped', async () => {
    s = await startTestServer({ server: { bodyLimit: 4096, maxDecodedBytes: 64 * 1024 } });
    const big = ndjson(Array.from({ length: 40 }, (_, i) => exchangeLine(i)));
    const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: big, headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe('body_too_large');
    const bomb = gzipSync(Buffer.alloc(1 << 20, 0x20)); // 1 MiB of spaces: ~1 KiB compressed
    expect(bomb.length).toBeLessThan(4096);
    const r2 = await s.app.inject({ method: 'POST', url: '/v1/records', payload: bomb, headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' } });
    expect(r2.statusCode).toBe(413);
    expect(r2.json().error).toEqual({ code: 'body_too_large', message: expect.stringMatching(/decompressed/) });
    expect(s.live.counts.linesRead).toBe(0);
  });

  it('answers 429 with Retry-After while the engine is behind, and takes the batch again later', async () => {
    s = await startTestServer({ live: { highWater: 5 } });
    const batch = (from: number): string => ndjson(Array.from({ length: 10 }, (_, i) => exchangeLine(from + i)));
    const post = (from: number) => s!.app.inject({ method: 'POST', url: '/v1/records', payload: batch(from), headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
    // The first batch is still being fsync'd when the second arrives: 10 records in flight ≥ 5.
    const [a, b] = await Promise.all([post(0), post(100)]);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(429);
    expect(b.headers['retry-after']).toBe('1');
    expect(b.json().error.code).toBe('overloaded');
    await s.live.drain();
    const again = await post(100);
    expect(again.statusCode).toBe(200);
    expect(again.json().accepted).toBe(10);
    const m = await s.app.inject({ method: 'GET', url: '/metrics' });
    expect(m.body).toMatch(/distillguard_ingest_refused_total\{code="overloaded"\} 1/);
  });
});

describe('serve: operations, decisions', () => {
  it('serves /healthz, Prometheus /metrics and an OpenAPI 3.1 document of every route', async () => {
    s = await startTestServer();
    await s.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson([exchangeLine(1), { bad: 1 }]), headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'ok' });
    const m = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(m).toMatch(/distillguard_records_received_total\{route="records"\} 2/);
    expect(m).toMatch(/distillguard_records_rejected_total\{reason="missing_field"\} 1/);
    expect(m).toMatch(/distillguard_ingest_request_seconds_count\{route="records"\} 1/);
    // Where the batch's time went: every stage once, with the engine's slices within it; they add up
    // to at least the request's time until durable (the answer comes after).
    for (const stage of INGEST_STAGES) expect(m).toMatch(new RegExp(`distillguard_ingest_stage_seconds_count\\{stage="${stage}"\\} 1\\n`));
    for (const stage of INGEST_STAGES) expect(m).toMatch(new RegExp(`distillguard_ingest_stage_engine_seconds_total\\{stage="${stage}"\\} `));
    const sum = (label: string): number => Number(new RegExp(`^distillguard_ingest_(?:stage|request)_seconds_sum\\{${label}\\} (\\S+)`, 'm').exec(m)![1]);
    expect(INGEST_STAGES.reduce((a, st) => a + sum(`stage="${st}"`), 0)).toBeGreaterThanOrEqual(sum('route="records"') * 0.999);
    for (const g of ['event_time_lag_seconds', 'accounts_tracked', 'accounts_flagged', 'campaigns', 'ingest_to_verdict_seconds_bucket']) expect(m).toContain(`distillguard_${g}`);
    const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/v1/records', '/v1/traces', '/v1/logs', '/v1/litellm', '/v1/accounts', '/v1/accounts/{id}', '/v1/campaigns', '/v1/campaigns/{id}', '/v1/daily', '/v1/summary', '/v1/decisions', '/v1/audit']) {
      expect(doc.paths).toHaveProperty([p]);
    }
    expect(doc.components.schemas.Account.properties.verdict.enum).toEqual(['distillation', 'suspicious', 'benign']);
    expect(doc.paths['/v1/accounts'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['verdict', 'campaign_id', 'min_score', 'limit', 'offset', 'refresh']);
  });

  it('records analyst decisions in the audit log under the key id', async () => {
    s = await startTestServer();
    const bad = await s.app.inject({ method: 'POST', url: '/v1/decisions', payload: { decision: 'confirmed' }, headers: bearer('analyst') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/account_id or a campaign_id/);
    const r = await s.app.inject({ method: 'POST', url: '/v1/decisions', payload: { account_id: 'acct-1', decision: 'false_positive', note: 'university class' }, headers: bearer('analyst') });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ kind: 'decision', actor: 'alice', account_id: 'acct-1', body: { decision: 'false_positive', note: 'university class' } });
    // A split names its campaign and the accounts it takes out; a merge two different campaigns; each is refused clearly otherwise.
    const post = (payload: object) => s!.app.inject({ method: 'POST', url: '/v1/decisions', payload, headers: bearer('analyst') });
    const noAccounts = await post({ campaign_id: 'cmp_00001', decision: 'split' });
    expect([noAccounts.statusCode, noAccounts.json().error.message]).toEqual([400, expect.stringMatching(/split names a campaign_id and the accounts/)]);
    const self = await post({ campaign_id: 'cmp_00001', with_campaign_id: 'cmp_00001', decision: 'merge' });
    expect([self.statusCode, self.json().error.message]).toEqual([400, expect.stringMatching(/another campaign, with_campaign_id/)]);
    const stray = await post({ account_id: 'acct-1', decision: 'confirmed', accounts: ['acct-2'] });
    expect(stray.statusCode).toBe(400);
    const unknown = await post({ campaign_id: 'cmp_00042', accounts: ['acct-1'], decision: 'split' });
    expect([unknown.statusCode, unknown.json().error.message]).toEqual([404, 'no campaign "cmp_00042"']);
    const log = (await s.app.inject({ method: 'GET', url: '/v1/audit?account_id=acct-1', headers: bearer('read') })).json();
    expect(log.audit).toHaveLength(1);
    expect(log.audit[0].id).toBe(r.json().id);
  });
});


describe('serve: watermarks', () => {
  it('judges the last records while traffic pauses, rejects what comes later than the watermark, and replays it', async () => {
    s = await startTestServer(); // 10-minute lateness, 15-minute judgement interval
    const post = (url: string, payload: string | object, type = 'application/x-ndjson') => s!.app.inject({ method: 'POST', url, payload, headers: { ...bearer('ingest'), 'content-type': type } });
    const summary = async () => (await s!.app.inject({ method: 'GET', url: '/v1/summary', headers: bearer('read') })).json();
    expect((await post('/v1/records', ndjson(Array.from({ length: 20 }, (_, i) => exchangeLine(i, 'acct-a', T0 + i * 60_000))))).json().accepted).toBe(20);
    await s.live.drain();
    let live = (await summary()).live;
    expect(live.buffered).toBe(10); // the last 10 minutes wait in the ordering buffer
    expect(live.judged_through).toBe(new Date(T0).toISOString());

    const wm = await post('/v1/watermark', { ts: new Date(T0 + 3_600_000).toISOString() }, 'application/json');
    expect(wm.json()).toEqual({ batch: 2, watermark: new Date(T0 + 3_600_000).toISOString(), released: 10, released_through: new Date(T0 + 3_600_000).toISOString() });
    await s.live.drain();
    live = (await summary()).live;
    expect(live.buffered).toBe(0);
    expect(live.consumed).toBe(20);
    expect(live.judged_through).toBe(new Date(T0 + 45 * 60_000).toISOString()); // ticks before the watermark
    const again = await post('/v1/watermark', { ts: T0 }, 'application/json');
    expect(again.json().batch).toBeNull(); // behind the current one: nothing to do
    const late = await post('/v1/records', ndjson([exchangeLine(99, 'acct-a', T0 + 30 * 60_000)]));
    expect(late.json()).toMatchObject({ accepted: 0, rejected_by_reason: { late: 1 } });
    expect((await post('/v1/watermark', { ts: Date.now() + 3_600_000 }, 'application/json')).statusCode).toBe(400);
    expect((await post('/v1/watermark', { when: 1 }, 'application/json')).json().error.code).toBe('bad_request');

    await s.stop();
    s = await startTestServer({ dir: s.dir }); // replay
    live = (await summary()).live;
    expect(live).toMatchObject({ buffered: 0, consumed: 20, judged_through: new Date(T0 + 45 * 60_000).toISOString() });
  });
});
