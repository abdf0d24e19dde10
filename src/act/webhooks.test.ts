import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../store/duckdb.js';
import type { AuditEntry, Store } from '../store/store.js';
import { SIGNATURE_HEADER, signPayload, verifySignature } from './signature.js';
import { WebhookDispatcher } from './webhooks.js';

const SECRET = 'whsec-test-0123456789abcdef';

describe('webhook signatures', () => {
  it('verifies its own signature and refuses tampering, a wrong secret, a stale timestamp, junk', () => {
    const body = '{"id":"e1","type":"verdict.changed"}';
    const h = signPayload(body, SECRET, 1_800_000_000);
    expect(h).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(body, h, SECRET, { nowS: 1_800_000_100 })).toEqual({ ok: true, timestamp: 1_800_000_000 });
    expect(verifySignature(`${body} `, h, SECRET, { nowS: 1_800_000_100 })).toEqual({ ok: false, reason: 'no_match' });
    expect(verifySignature(body, h, 'another-secret-0123456789', { nowS: 1_800_000_100 })).toEqual({ ok: false, reason: 'no_match' });
    expect(verifySignature(body, h, SECRET, { nowS: 1_800_000_000 + 301 })).toEqual({ ok: false, reason: 'too_old' });
    expect(verifySignature(body, 'v1=abc', SECRET)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(body, undefined, SECRET)).toEqual({ ok: false, reason: 'malformed' });
    // A rotated secret: the header carries both signatures, either verifies.
    const both = `${h},v1=${signPayload(body, 'old-secret-0123456789abc', 1_800_000_000).split('v1=')[1]}`;
    expect(verifySignature(body, both, 'old-secret-0123456789abc', { nowS: 1_800_000_000 }).ok).toBe(true);
  });
});

describe('webhook delivery', () => {
  let server: Server | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await store?.close();
  });

  it('retries with backoff until a loopback receiver accepts, and logs every attempt', async () => {
    const received: { body: string; sig: string | undefined; at: number }[] = [];
    let calls = 0;
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        calls++;
        received.push({ body, sig: req.headers[SIGNATURE_HEADER] as string | undefined, at: performance.now() });
        res.statusCode = calls <= 2 ? 503 : 204; // down twice, then up
        res.end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    store = await openDuckDbStore(':memory:');
    const d = new WebhookDispatcher({ store, urls: [url], secret: SECRET, baseDelayMs: 40 });
    const entry: AuditEntry = {
      id: 'verdict:acct-1:distillation:2026-04-01T00:15:00.000Z',
      kind: 'verdict_change',
      at: '2026-04-01T00:15:00.000Z',
      recorded_at: '2026-04-02T08:00:00.000Z',
      actor: 'engine',
      account_id: 'acct-1',
      campaign_id: 'c1',
      body: { from: 'suspicious', to: 'distillation', score: 0.91, reasons: ['shared_payment'] },
    };
    d.enqueue([entry, { ...entry, id: 'decision:x', kind: 'decision' }]); // decisions are not sent
    await d.idle();
    expect(received).toHaveLength(3);
    for (const r of received) expect(verifySignature(r.body, r.sig, SECRET).ok).toBe(true);
    expect(JSON.parse(received[2].body)).toEqual({
      id: entry.id,
      type: 'verdict.changed',
      created: entry.recorded_at,
      data: { account_id: 'acct-1', campaign_id: 'c1', at: entry.at, from: 'suspicious', to: 'distillation', score: 0.91, reasons: ['shared_payment'] },
    });
    // Exponential backoff: the second wait is about twice the first.
    const gap1 = received[1].at - received[0].at;
    const gap2 = received[2].at - received[1].at;
    expect(gap1).toBeGreaterThanOrEqual(35);
    expect(gap2).toBeGreaterThanOrEqual(75);
    const log = await store.deliveries(entry.id);
    expect(log.map((x) => [x.attempt, x.status, x.delivered])).toEqual([[1, 503, false], [2, 503, false], [3, 204, true]]);
    expect(d.delivered).toBe(1);
    await d.close();
  });

  it('gives up after the last attempt when nothing listens, logging the network error', async () => {
    store = await openDuckDbStore(':memory:');
    const d = new WebhookDispatcher({ store, urls: ['http://127.0.0.1:9/none'], secret: SECRET, baseDelayMs: 5, maxAttempts: 3 });
    d.enqueue([{ id: 'e2', kind: 'verdict_change', at: '2026-04-01T00:15:00.000Z', recorded_at: '2026-04-01T00:15:00.000Z', actor: 'engine', account_id: 'a', campaign_id: null, body: { from: 'benign', to: 'suspicious' } }]);
    await d.idle();
    const log = await store.deliveries('e2');
    expect(log.map((x) => [x.attempt, x.status, x.delivered])).toEqual([[1, null, false], [2, null, false], [3, null, false]]);
    expect(log[0].error).toBeTruthy();
    expect(d.failed).toBe(1);
  });
});
