// serve keeps up with what it acknowledges: every read answer comes from one store snapshot and names
// it; what a watermark makes judged becomes visible within a bound; ingest is refused in time
// (Retry-After) once the engine is more seconds of processing behind than allowed.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/serve.js';

let tmp: string;
let lines: string[];
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'distillguard-keeps-up-'));
  const input = (await runSimulate({ scenario: 'tiny', scale: 0.3, seed: 4, out: join(tmp, 'sim'), days: 2 })).path;
  lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l.length > 0);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const once = (srv: TestServer, url: string, payload: string, type = 'application/x-ndjson') =>
  srv.app.inject({ method: 'POST', url, payload, headers: { ...bearer('ingest'), 'content-type': type } });
/** Posts as a well-behaved client: a 429 is retried (after a short wait here; its Retry-After is a bound). */
async function post(srv: TestServer, url: string, payload: string, type?: string): Promise<Awaited<ReturnType<typeof once>>> {
  for (;;) {
    const r = await once(srv, url, payload, type);
    if (r.statusCode !== 429) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}
const read = (srv: TestServer, url: string) => srv.app.inject({ method: 'GET', url, headers: bearer('read') });
const newestTs = (): number => Math.max(...lines.map((l) => Date.parse((JSON.parse(l) as { ts: string }).ts)));

describe('serve: one view, visible in time', () => {
  it('answers summary and accounts from snapshots that name their refresh, and they never disagree', async () => {
    s = await startTestServer({ live: { flushMs: 20 } });
    const srv = s;
    let ingesting = true;
    const ingest = (async () => {
      for (let i = 0; i < lines.length; i += 400) expect((await post(srv, '/v1/records', `${lines.slice(i, i + 400).join('\n')}\n`)).statusCode).toBe(200);
      expect((await post(srv, '/v1/watermark', JSON.stringify({ ts: newestTs() + 3_600_000 }), 'application/json')).statusCode).toBe(200);
      ingesting = false;
    })();
    let same = 0;
    const refreshes = new Set<string>();
    while (ingesting || same < 3) {
      // inject() answers in-memory reads without any I/O: give the engine and ingest their turns, as
      // a client's network round trips would.
      await new Promise((r) => setTimeout(r, 1));
      const sum = await read(srv, '/v1/summary');
      const acc = await read(srv, '/v1/accounts?limit=1000');
      expect(sum.statusCode).toBe(200);
      const sr = sum.headers['distillguard-refresh'] as string;
      const ar = acc.headers['distillguard-refresh'] as string;
      expect(sr).toMatch(/^\d+$/);
      expect(sum.json().snapshot.refresh).toBe(Number(sr));
      expect(acc.json().snapshot.refresh).toBe(Number(ar));
      refreshes.add(sr);
      if (sr !== ar) continue;
      same++;
      // The same refresh: the summary's counts are those of the accounts listed.
      const listed = acc.json().accounts as { verdict: string }[];
      const summary = sum.json().summary;
      expect(listed).toHaveLength(summary.accounts);
      expect(listed.filter((a) => a.verdict === 'distillation')).toHaveLength(summary.flagged_accounts);
      expect(listed.filter((a) => a.verdict === 'suspicious')).toHaveLength(summary.suspicious_accounts);
      if (sum.headers['distillguard-event-time'] !== undefined) expect(sum.headers['distillguard-event-time']).toBe(sum.json().snapshot.judged_through);
    }
    await ingest;
    expect(refreshes.size).toBeGreaterThanOrEqual(2); // the reads saw the store move while ingest ran
    const daily = await read(srv, '/v1/daily');
    const campaigns = await read(srv, '/v1/campaigns');
    for (const r of [daily, campaigns]) expect(r.headers['distillguard-refresh']).toMatch(/^\d+$/);
  });

  it('shows what a watermark made judged within a bound, and the latencies in /metrics', async () => {
    s = await startTestServer({ live: { flushMs: 50 } });
    for (let i = 0; i < lines.length; i += 2000) expect((await post(s, '/v1/records', `${lines.slice(i, i + 2000).join('\n')}\n`)).statusCode).toBe(200);
    const wm = await post(s, '/v1/watermark', JSON.stringify({ ts: newestTs() + 3_600_000 }), 'application/json');
    expect(wm.statusCode).toBe(200);
    const t0 = performance.now();
    await s.live.drain();
    const judged = s.live.engine.now;
    // Visible: a refresh that reflects the watermark's judgement has committed, and the answer shows it.
    for (;;) {
      const sum = await read(s, '/v1/summary');
      if (Date.parse(sum.json().snapshot?.engine_clock ?? '') >= judged) break;
      expect(performance.now() - t0).toBeLessThan(10_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    const accounts = (await read(s, '/v1/accounts?limit=1000')).json().accounts as { account_id: string; exchanges: number }[];
    const exchanges = lines.filter((l) => l.includes('"type":"exchange"')).length;
    expect(accounts.reduce((n, a) => n + a.exchanges, 0)).toBe(exchanges);
    const metrics = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const name of ['distillguard_ack_to_judged_seconds', 'distillguard_judged_to_visible_seconds', 'distillguard_ack_to_visible_seconds', 'distillguard_store_refresh_seconds']) {
      expect(Number(new RegExp(`^${name}_count (\\d+)`, 'm').exec(metrics)?.[1])).toBeGreaterThan(0);
    }
    expect(metrics).toMatch(/^distillguard_store_refresh_rows_total\{table="accounts"\} [1-9]/m);
  });

  it('answers 429 with Retry-After once the engine is more seconds of processing behind than allowed', async () => {
    s = await startTestServer({ live: { maxBehindSeconds: 0.001, highWater: 10_000_000 } });
    const body = (from: number, n: number): string => `${lines.slice(from, from + n).join('\n')}\n`;
    expect((await once(s, '/v1/records', body(0, 1500))).statusCode).toBe(200);
    await s.live.drain(); // the engine has measured its rate
    let refused;
    for (let i = 1500; i < lines.length && !refused; i += 1500) {
      const r = await once(s, '/v1/records', body(i, 1500));
      if (r.statusCode === 429) refused = r;
      else expect(r.statusCode).toBe(200);
    }
    expect(refused).toBeDefined();
    expect(refused!.json().error).toEqual({ code: 'overloaded', message: expect.stringMatching(/s of processing behind \(limit 0\.001 s\)/) });
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const before = s.live.counts.linesRead;
    await s.live.drain();
    expect(s.live.behindSeconds).toBe(0);
    expect((await once(s, '/v1/records', body(before, 10))).statusCode).toBe(200); // caught up: taken again
  });
});
