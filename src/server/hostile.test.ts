// `serve` against a client with a valid ingest key that means harm (issue 15's findings 1-5): one
// request must not take the server down, hold its memory, keep its connections, merge distinct ids or
// slip past a limit. Limits are set small here so each case stays fast; docs/serve.md has the defaults.
import { connect, type Socket } from 'node:net';
import { createGzip, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeLine } from '../decode/index.js';
import { LineSplitter, type RawLine } from '../sources/file.js';
import { bearer, ndjson, startTestServer, type TestServer } from '../../test/helpers/serve.js';

const T0 = Date.UTC(2026, 3, 1);
const ex = (id: string, ts = T0, request: object = { model: 'm', max_tokens: 64, messages: [{ role: 'user', content: 'what is a tide?' }] }): object => ({
  type: 'exchange',
  id,
  ts,
  account_id: 'acct-1',
  request,
});
const NDJSON = { ...bearer('ingest'), 'content-type': 'application/x-ndjson' };

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('serve under attack: one request cannot take it down (findings 1, 2)', () => {
  it('answers a gzip bomb of 4.5M `{}` lines with 413 at once, writes nothing, and stays up', async () => {
    s = await startTestServer();
    const bomb = gzipSync(Buffer.from('{}\n'.repeat(4_500_000)));
    expect(bomb.length).toBeLessThan(64 * 1024);
    // Refused by count while inflating (not after inflating all 9 MB); speed is not asserted (no timed tests).
    const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: bomb, headers: { ...NDJSON, 'content-encoding': 'gzip' } });
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toEqual({ code: 'too_many_records', message: expect.stringMatching(/at most 100000 per request/) });
    expect(s.live.counts.linesRead).toBe(0);
    expect((await s.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ok = await s.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson([ex('fine-1')]), headers: NDJSON });
    expect(ok.json()).toMatchObject({ accepted: 1 });
  });

  it('refuses a gzip bomb by its record count while inflating it: the rest (past 64 MiB) is never inflated', async () => {
    s = await startTestServer();
    // 96 MiB of `{}` lines once inflated: inflated whole, it would be refused as over 64 MiB instead.
    const z = createGzip();
    const parts: Buffer[] = [];
    z.on('data', (b: Buffer) => parts.push(b));
    const line = Buffer.from('{}\n'.repeat(1 << 20));
    for (let i = 0; i < 32; i++) z.write(line);
    await new Promise((r) => z.end(r));
    const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: Buffer.concat(parts), headers: { ...NDJSON, 'content-encoding': 'gzip' } });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe('too_many_records');
    expect(s.live.counts.linesRead).toBe(0);
  });

  it('takes a batch at the record limit and writes its log entry in bounded parts within the segment size', async () => {
    s = await startTestServer({ server: { limits: { maxBatchRecords: 20_000 } }, live: { segmentBytes: 1 << 20 } });
    const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: '{}\n'.repeat(20_000), headers: NDJSON });
    expect(r.json()).toMatchObject({ received: 20_000, rejected: 20_000 });
    const over = await s.app.inject({ method: 'POST', url: '/v1/records', payload: '{}\n'.repeat(20_001), headers: NDJSON });
    expect(over.statusCode).toBe(413);
    const { readdir, stat } = await import('node:fs/promises');
    const dir = `${s.dir}/ingest`;
    for (const f of await readdir(dir)) expect((await stat(`${dir}/${f}`)).size).toBeLessThan((1 << 20) * 2 + 4096);
  });

  it('a log that cannot be written answers 503, and shutting down after it throws nothing', async () => {
    s = await startTestServer();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): number => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const log = (s.live as unknown as { log: { append: () => Promise<void> } }).log;
      log.append = () => Promise.reject(new Error('ENOSPC: no space left on device'));
      const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson([ex('x-1')]), headers: NDJSON });
      expect(r.statusCode).toBe(503);
      expect((await s.app.inject({ url: '/healthz' })).statusCode).toBe(503);
      await s.stop();
      await new Promise((res) => setTimeout(res, 200)); // several flush intervals (50 ms) after the store closed
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('serve under attack: slow clients are cut off (finding 3)', () => {
  it('closes 100 connections that send a body byte at a time with 408, and /healthz answers meanwhile', async () => {
    s = await startTestServer({ server: { limits: { bodyTimeoutMs: 400, headersTimeoutMs: 400, maxConcurrentIngest: 200 } } });
    const base = await s.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(base);
    const sockets: Socket[] = [];
    const answers: string[] = [];
    const closed: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      const sock = connect(Number(port), '127.0.0.1');
      sockets.push(sock);
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      sock.on('error', () => undefined);
      closed.push(new Promise((res) => sock.on('close', () => res(void answers.push(got)))));
      sock.write(`POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bearer('ingest').authorization.slice(7)}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 1000\r\n\r\n{`);
    }
    const drip = setInterval(() => {
      for (const sock of sockets) if (!sock.destroyed) sock.write(' ');
    }, 100);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    await Promise.all(closed);
    clearInterval(drip);
    // Every socket closed by the server's own timeout (the test's timeout fails it otherwise).
    expect(answers.length).toBe(100);
    for (const a of answers) expect(a).toMatch(/^HTTP\/1\.1 408[\s\S]*"code":"request_timeout"/);
  });

  it('closes connections that never finish their headers', async () => {
    s = await startTestServer({ server: { limits: { headersTimeoutMs: 300, bodyTimeoutMs: 300 } } });
    const base = await s.app.listen({ port: 0, host: '127.0.0.1' });
    const sock = connect(Number(new URL(base).port), '127.0.0.1');
    let got = '';
    sock.on('data', (d) => (got += d.toString()));
    sock.write('POST /v1/records HTTP/1.1\r\nHost: x\r\n');
    await new Promise((res) => sock.on('close', res));
    expect(got).toMatch(/^HTTP\/1\.1 408[\s\S]*"code":"request_timeout"/);
  });
});

describe('serve under attack: bytes are not silently changed (finding 4)', () => {
  it('rejects invalid UTF-8 as invalid_utf8 instead of merging two ids into one', async () => {
    s = await startTestServer();
    const [head, tail] = JSON.stringify(ex('probe_utf8coll_X')).split('X');
    const line = (b: number): Buffer => Buffer.concat([Buffer.from(head), Buffer.from([b]), Buffer.from(tail)]);
    const body = Buffer.concat([line(0xff), Buffer.from('\n'), line(0xfe), Buffer.from('\n')]);
    // The id field is the only place the bytes differ: check the JSON is otherwise well formed.
    expect(body.toString('latin1')).toContain('"id":"probe_utf8coll_\xff"');
    const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: body, headers: NDJSON });
    expect(r.json()).toMatchObject({ received: 2, accepted: 0, duplicates: 0, rejected: 2, rejected_by_reason: { invalid_utf8: 2 } });
  });

  it('scan decodes the same way (the rule is in the line splitter and decode, shared by both)', () => {
    const lines: RawLine[] = [];
    const split = new LineSplitter('f', { maxLineBytes: 1 << 20 });
    split.push(Buffer.concat([Buffer.from('{"type":"exchange","id":"a\xff'.replace('\xff', '')), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"x":"\uFFFD fine"}\n')]), lines);
    const [bad, fine] = lines.map((l) => decodeLine(l, { emailKey: Buffer.from('k') }));
    expect(bad).toMatchObject({ reason: 'invalid_utf8', stage: 'source' });
    expect(fine).toMatchObject({ reason: 'missing_field' }); // a literal U+FFFD is valid UTF-8
  });
});

describe('serve under attack: every route holds the same limits (finding 5)', () => {
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('a 10 MB LiteLLM array item is too_large like an NDJSON line; 100,000-deep nesting is 400 / too_deep, never 500', async () => {
    s = await startTestServer();
    const big = { id: 'l-1', call_type: 'completion', startTime: T0 / 1000, messages: [{ role: 'user', content: 'x'.repeat(10_000_000) }] };
    const r = await s.app.inject({ method: 'POST', url: '/v1/litellm', payload: [big], headers: bearer('ingest') });
    expect(r.json()).toMatchObject({ received: 1, rejected: 1, rejected_by_reason: { too_large: 1 } });
    const d1 = await s.app.inject({ method: 'POST', url: '/v1/litellm', payload: `[{"id":"x","call_type":"completion","startTime":1,"m":${deep(100_000)}}]`, headers: { ...bearer('ingest'), 'content-type': 'application/json' } });
    expect(d1.statusCode).toBe(400);
    expect(d1.json().error).toEqual({ code: 'bad_request', message: expect.stringMatching(/deeper than 64 levels/) });
    const d2 = await s.app.inject({ method: 'POST', url: '/v1/records', payload: `{"type":"exchange","x":${deep(100_000)}}\n`, headers: NDJSON });
    expect(d2.json()).toMatchObject({ rejected: 1, rejected_by_reason: { too_deep: 1 } });
    const d3 = await s.app.inject({ method: 'POST', url: '/v1/traces', payload: `{"resourceSpans":${deep(100_000)}}`, headers: { ...bearer('ingest'), 'content-type': 'application/json' } });
    expect(d3.statusCode).toBe(400);
    const d4 = await s.app.inject({ method: 'POST', url: '/v1/litellm', payload: `{"a":1}\n{"b":${deep(100_000)}}\n`, headers: NDJSON });
    expect(d4.json()).toMatchObject({ rejected: 2, rejected_by_reason: { too_deep: 1 } });
  });

  it('answers 415 for a content type the route does not take', async () => {
    s = await startTestServer();
    const body = ndjson([ex('ct-1')]);
    for (const type of ['text/plain', 'image/png', 'multipart/form-data; boundary=x', 'application/x-ndjson; charset=latin1']) {
      const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: body, headers: { ...bearer('ingest'), 'content-type': type } });
      expect(r.statusCode, type).toBe(415);
      expect(r.json().error.code).toBe('unsupported_media_type');
    }
    for (const url of ['/v1/litellm', '/v1/watermark', '/v1/traces']) {
      const r = await s.app.inject({ method: 'POST', url, payload: '{}', headers: { ...bearer('ingest'), 'content-type': 'text/plain' } });
      expect(r.statusCode, url).toBe(415);
    }
    expect(s.live.counts.linesRead).toBe(0);
  });

  it('range-checks numbers and says the range', async () => {
    s = await startTestServer();
    const body = (id: string, extra: object): object => ex(id, T0, { model: 'm', messages: [{ role: 'user', content: 'q' }], ...extra });
    const r = await s.app.inject({
      method: 'POST',
      url: '/v1/records',
      payload: ndjson([
        body('r1', { temperature: 1e308 }),
        body('r2', { temperature: -5 }),
        body('r3', { n: 1e15 }),
        body('r4', { max_tokens: 2 ** 53 + 2 }),
        body('r5', { temperature: 0.7, n: 2, max_tokens: 1024 }),
      ]),
      headers: NDJSON,
    });
    const j = r.json();
    expect(j).toMatchObject({ accepted: 1, rejected: 4 });
    expect(j.rejections.map((x: { detail: string }) => x.detail)).toEqual([
      'request.temperature: expected a number in 0..2, got 1e+308',
      'request.temperature: expected a number in 0..2, got -5',
      'request.n: expected integer in 1..128, got 1000000000000000',
      'request.max_tokens: expected integer in 0..2147483647, got 9007199254740994',
    ]);
  });

  it('reports OTLP structure errors in the receipt instead of answering 200 with nothing said', async () => {
    s = await startTestServer();
    const json = { ...bearer('ingest'), 'content-type': 'application/json' };
    const r = await s.app.inject({ method: 'POST', url: '/v1/traces', payload: { resourceSpans: [null, 1, 'x'] }, headers: json });
    expect(r.statusCode).toBe(200);
    expect(r.json().partialSuccess).toMatchObject({ rejectedSpans: '3', errorMessage: expect.stringMatching(/resourceSpans\[0\]: expected an object, got null/) });
    expect(r.headers['distillguard-receipt']).toMatch(/rejected=3/);
    const r2 = await s.app.inject({ method: 'POST', url: '/v1/traces', payload: { resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: 'a', attributes: { 'gen_ai.system': 'openai' } }] }] }] }, headers: json });
    expect(r2.json().partialSuccess.errorMessage).toMatch(/spans\[0\]\.attributes: expected an array of key-value pairs, got object/);
  });

  it('answers a malformed URL in the documented error shape', async () => {
    s = await startTestServer();
    const r = await s.app.inject({ method: 'GET', url: '/v1/accounts/%E0%A4%A', headers: bearer('read') });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: { code: 'bad_request', message: expect.stringMatching(/malformed URL/) } });
  });
});

describe('serve with many clients: each source has its own event time (finding 8)', () => {
  it('20 gateways posting at once, each in its own order, get 0 records rejected as late', async () => {
    s = await startTestServer({ cfg: { maxLatenessMs: 60_000 } }); // 1-minute lateness: one clock for all would reject most
    const gateways = 20;
    const batches = 6;
    const perBatch = 25;
    const post = (g: number, b: number) => {
      // Gateway g's records: 5 minutes of event time per batch, 12 s apart, each gateway in order.
      const rows = Array.from({ length: perBatch }, (_, i) => ex(`g${g}-b${b}-${i}`, T0 + (b * perBatch + i) * 12_000 + g * 100));
      return s!.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson(rows), headers: { ...NDJSON, 'distillguard-source': `gw-${g}` } });
    };
    const client = async (g: number) => {
      const out = [];
      for (let b = 0; b < batches; b++) out.push((await post(g, b)).json());
      return out;
    };
    // Each gateway is known (it has posted before: here one record at the start), then all 20 post
    // at once; their batches interleave, each spanning 5 minutes of event time.
    for (let g = 0; g < gateways; g++) await s.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson([ex(`g${g}-hello`, T0 - 1000)]), headers: { ...NDJSON, 'distillguard-source': `gw-${g}` } });
    const receipts = (await Promise.all(Array.from({ length: gateways }, (_, g) => client(g)))).flat();
    expect(receipts.reduce((n, r) => n + (r.rejected_by_reason?.late ?? 0), 0)).toBe(0);
    expect(receipts.reduce((n, r) => n + r.accepted, 0)).toBe(gateways * batches * perBatch);
    await s.live.drain();
    // The engine advanced only as far as the slowest active gateway allows, in order, none lost.
    expect(s.live.counts.consumed + s.live.counts.buffered).toBe(gateways * (batches * perBatch + 1));
    // Lateness is still judged per source: gateway 3 going back 10 minutes is late.
    const back = await s.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson([ex('g3-back', T0 + 2 * 60_000)]), headers: { ...NDJSON, 'distillguard-source': 'gw-3' } });
    expect(back.json()).toMatchObject({ accepted: 0, rejected_by_reason: { late: 1 } });
  });

  it('a silent source stops holding the others back after the idle timeout; a replay decides the same', async () => {
    let wall = Date.UTC(2026, 5, 1);
    s = await startTestServer({ cfg: { maxLatenessMs: 60_000 }, live: { sourceIdleMs: 30_000, now: () => wall } });
    const post = (src: string, rows: object[]) => s!.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson(rows), headers: { ...NDJSON, 'distillguard-source': src } });
    await post('a', [ex('a1', T0)]);
    await post('b', Array.from({ length: 10 }, (_, i) => ex(`b${i}`, T0 + i * 60_000)));
    expect(s.live.counts.buffered).toBe(11); // a holds the release point at T0 - 1 min
    wall += 60_000; // a says nothing for a minute
    await post('b', [ex('b10', T0 + 10 * 60_000)]);
    await s.live.drain();
    expect(s.live.counts.buffered).toBe(1); // b alone now: released up to its own bound (b10 waits)
    const consumed = s.live.counts.consumed;
    await s.stop();
    s = await startTestServer({ dir: s.dir, cfg: { maxLatenessMs: 60_000 }, live: { sourceIdleMs: 30_000, now: () => wall } });
    expect(s.live.counts).toMatchObject({ consumed, buffered: 1 });
  });
});

describe('serve: a retried batch is recognised (finding 9)', () => {
  it('Idempotency-Key: a retry returns the original receipt and counts nothing twice, even after a restart', async () => {
    s = await startTestServer();
    const account = { type: 'account', account_id: 'acct-1', ts: T0, plan: 'free' };
    const body = ndjson([ex('i-1'), ex('i-2'), account]);
    const post = (key: string, payload = body) => s!.app.inject({ method: 'POST', url: '/v1/records', payload, headers: { ...NDJSON, 'idempotency-key': key } });
    const [a, b] = await Promise.all([post('batch-0001'), post('batch-0001')]); // a retry racing the original
    expect(a.json()).toMatchObject({ batch: 1, accepted: 3 });
    expect(b.json()).toEqual({ ...a.json(), replayed: true });
    const c = await post('batch-0001');
    expect(c.json()).toEqual({ ...a.json(), replayed: true });
    expect(s.live.summary()).toMatchObject({ lines_read: 3, accepted: 3, accepted_accounts_records: 1, duplicates: 0 });
    const conflict = await post('batch-0001', ndjson([ex('i-3')]));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('conflict');
    await s.stop();
    s = await startTestServer({ dir: s.dir }); // as after kill -9: the keys come back from the ingest log
    const d = await post('batch-0001');
    expect(d.json()).toEqual({ ...a.json(), replayed: true });
    expect(s.live.summary()).toMatchObject({ lines_read: 3, accepted: 3, accepted_accounts_records: 1 });
    const other = await post('batch-0002', ndjson([account]));
    expect(other.json()).toMatchObject({ batch: 2, accepted: 1 });
  });
});

describe('serve: what is kept stays private (finding 6)', () => {
  it('without a configured key, each install generates its own random e-mail key (0600); the same install keeps it', async () => {
    const { mkdtemp, stat, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { withEmailKey } = await import('../config/secret.js');
    const { buildEngineConfig } = await import('../config/schema.js');
    const dir = await mkdtemp(`${tmpdir()}/dg-secret-`);
    try {
      const a = await withEmailKey(buildEngineConfig({}), `${dir}/a.secret`);
      const again = await withEmailKey(buildEngineConfig({}), `${dir}/a.secret`);
      const b = await withEmailKey(buildEngineConfig({}), `${dir}/b.secret`);
      expect(a.emailKey).toMatch(/^[0-9a-f]{64}$/);
      expect(again.emailKey).toBe(a.emailKey);
      expect(b.emailKey).not.toBe(a.emailKey);
      expect((await stat(`${dir}/a.secret`)).mode & 0o777).toBe(0o600);
      expect(a.emailKey).not.toBe('distillguard-local-email-key');
      expect((await withEmailKey(buildEngineConfig({ emailKey: 'configured-key-123' }), `${dir}/c.secret`)).emailKey).toBe('configured-key-123');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('encrypts the ingest log at rest when given a key: no prompt, IP or fingerprint readable on disk', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const logKey = Buffer.alloc(32, 3);
    s = await startTestServer({ live: { logKey } });
    const rows = [
      { ...ex('enc-1'), client: { ip: '203.0.113.77' }, request: { messages: [{ role: 'user', content: 'a very private prompt' }] } },
      { type: 'account', account_id: 'acct-1', ts: T0, payment_fingerprint: 'fp_secret_card', signup_ip: '198.51.100.23' },
    ];
    expect((await s.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson(rows), headers: NDJSON })).json().accepted).toBe(2);
    await s.stop();
    const dir = `${s.dir}/ingest`;
    const disk = (await Promise.all((await readdir(dir)).map((f) => readFile(`${dir}/${f}`, 'utf8')))).join('');
    for (const secret of ['private prompt', '203.0.113.77', 'fp_secret_card', '198.51.100.23', 'acct-1']) expect(disk).not.toContain(secret);
    s = await startTestServer({ dir: s.dir, live: { logKey } });
    expect(s.live.counts.accepted).toBe(2);
  });

  it('/v1/rejections gives the read role codes, positions and a redacted excerpt; the raw line only to analysts', async () => {
    s = await startTestServer();
    const bad = { type: 'exchange', id: 'r-1', ts: T0, client: { ip: '203.0.113.5' }, request: { system: 'internal system prompt', messages: [{ role: 'user', content: 'ask "quoted"@example.net' }] } };
    await s.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson([bad]), headers: NDJSON });
    const read = (await s.app.inject({ url: '/v1/rejections', headers: bearer('read') })).json().rejections[0];
    expect(read).toMatchObject({ file: 'batch-1', line: 1, reason: 'missing_field', detail: 'account_id: required field is missing' });
    expect(read.raw).toBeUndefined();
    expect(JSON.stringify(read)).not.toMatch(/203\.0\.113|system prompt|example\.net|r-1/);
    const analyst = (await s.app.inject({ url: '/v1/rejections', headers: bearer('analyst') })).json().rejections[0];
    expect(analyst.raw).toContain('203.0.113.5');
    expect(analyst.raw).not.toContain('example.net'); // e-mails are redacted even in the raw line
  });
});
