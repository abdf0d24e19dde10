// Property-based fuzzing (fast-check) of decode and of every HTTP route: whatever bytes, headers or
// URL a client sends, decode returns a record or a typed rejection and the server answers below 500
// in the documented error shape. Bounded in CI (FUZZ_SECONDS, default 3 s per property); the long run
// is `npm run fuzz` (FUZZ_SECONDS=120), which prints cases tried, crashes and 500s.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REJECT_CODES } from '../core/rejections.js';
import { decodeLine, isRejection } from '../decode/index.js';
import { LineSplitter, type RawLine } from '../sources/file.js';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/serve.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 3);
const params = { interruptAfterTimeLimit: SECONDS * 1000, numRuns: Number.MAX_SAFE_INTEGER, seed: Number(process.env.FUZZ_SEED ?? 15) } as const;
const T0 = Date.UTC(2026, 3, 1);
const figures: Record<string, { cases: number; crashes: number; status500: number }> = {};

const exchange = {
  type: 'exchange',
  id: 'ex-1',
  ts: T0,
  account_id: 'a',
  request: { model: 'm', max_tokens: 64, temperature: 0.5, n: 1, messages: [{ role: 'user', content: 'hi' }] },
  response: { usage: { input_tokens: 3, output_tokens: 9 } },
  client: { ip: '192.0.2.1', country: 'DE' },
};

/** A valid record with one field replaced by an arbitrary JSON value (the cases a decoder most often gets wrong). */
const mutated = fc
  .tuple(fc.constantFrom('id', 'ts', 'account_id', 'request', 'response', 'client', 'status', 'type', 'model'), fc.jsonValue({ maxDepth: 4 }), fc.constantFrom('', 'request', 'client', 'response'))
  .map(([key, value, under]) => {
    const o = structuredClone(exchange) as Record<string, unknown>;
    const target = under === '' ? o : (o[under] as Record<string, unknown>);
    target[key] = value;
    return JSON.stringify(o);
  });

const lineText = fc.oneof(mutated, fc.json({ maxDepth: 5 }), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));
const bodyBytes = fc.oneof(
  lineText.map((t) => Buffer.from(t)),
  fc.array(lineText, { maxLength: 8 }).map((ls) => Buffer.from(ls.join('\n'))),
  fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
  fc.constantFrom('[', '{"resourceSpans":[null,1,"x",{"scopeSpans":{}}]}', '{"ts":"x"}', '[[[[[[[[[[]]]]]]]]]]', '\u0000').map((t) => Buffer.from(t)),
);

function tally(name: string, status: number | 'crash'): void {
  const f = (figures[name] ??= { cases: 0, crashes: 0, status500: 0 });
  f.cases++;
  if (status === 'crash') f.crashes++;
  else if (status >= 500) f.status500++;
}

afterAll(() => {
  if (process.env.FUZZ_REPORT) process.stdout.write(`fuzz figures (${SECONDS} s per property): ${JSON.stringify(figures)}\n`);
});

describe('fuzz: decode', () => {
  it('any bytes split into lines decode to a record or a typed rejection, never an exception', () => {
    fc.assert(
      fc.property(fc.oneof(bodyBytes, fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a))), (bytes) => {
        const lines: RawLine[] = [];
        const split = new LineSplitter('fuzz', { maxLineBytes: 4096 });
        split.push(bytes, lines);
        split.end(lines);
        for (const raw of lines) {
          let rec;
          try {
            rec = decodeLine(raw, { emailKey: Buffer.from('fuzz-key'), maxDepth: 64 });
          } catch (e) {
            tally('decode', 'crash');
            throw e;
          }
          tally('decode', 200);
          if (isRejection(rec)) expect(REJECT_CODES).toContain(rec.reason);
          else expect(['exchange', 'account']).toContain(rec.kind);
        }
      }),
      params,
    );
  });
});

describe('fuzz: every HTTP route', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ server: { limits: { maxBatchRecords: 50 } } });
  });
  afterAll(async () => {
    await s?.close();
  });

  const routes = [
    ['POST', '/v1/records'],
    ['POST', '/v1/traces'],
    ['POST', '/v1/litellm'],
    ['POST', '/v1/watermark'],
    ['POST', '/v1/decisions'],
    ['POST', '/v1/session'],
    ['DELETE', '/v1/session'],
    ['POST', '/v1/session/tokens'],
    ['GET', '/v1/accounts'],
    ['GET', '/v1/accounts/x'],
    ['GET', '/v1/campaigns'],
    ['GET', '/v1/campaigns/x/graph'],
    ['GET', '/v1/daily'],
    ['GET', '/v1/summary'],
    ['GET', '/v1/rejections'],
    ['GET', '/v1/audit'],
    ['GET', '/v1/review'],
    ['GET', '/v1/review/decisions'],
    ['GET', '/v1/webhooks/deliveries'],
    ['GET', '/v1/intel'],
    ['GET', '/healthz'],
    ['GET', '/metrics'],
    ['GET', '/openapi.json'],
  ] as const;
  const request = fc.record({
    route: fc.constantFrom(...routes),
    suffix: fc.oneof(fc.constant(''), fc.string({ maxLength: 30 }).map((q) => `?${q}`), fc.constantFrom('?limit=0', '?limit=1e99', '?min_score=NaN', '%', '%E0%A4%A', '/..%2f..', '?verdict[]=x')),
    body: bodyBytes,
    type: fc.constantFrom('application/x-ndjson', 'application/json', 'text/plain', 'application/json; charset=latin1', '', 'multipart/form-data; boundary=x'),
    gzip: fc.boolean(),
    auth: fc.constantFrom('ingest', 'read', 'analyst', 'none', 'bogus'),
    extra: fc.dictionary(fc.constantFrom('idempotency-key', 'distillguard-source', 'content-encoding', 'cookie'), fc.string({ maxLength: 40 }), { maxKeys: 2 }),
  });

  it('answers every request below 500, in the documented error shape', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [method, path] = r.route;
        const headers: Record<string, string> = { ...r.extra };
        if (r.auth === 'bogus') headers.authorization = 'Bearer bogus-bogus-bogus-bogus';
        else if (r.auth !== 'none') Object.assign(headers, bearer(r.auth));
        if (r.type !== '') headers['content-type'] = r.type;
        let payload: Buffer | undefined;
        if (method !== 'GET') {
          payload = r.gzip ? gzipSync(r.body) : r.body;
          if (r.gzip) headers['content-encoding'] = 'gzip';
        }
        let res;
        try {
          res = await s.app.inject({ method, url: `${path}${r.suffix}`, headers, payload });
        } catch (e) {
          tally('http', 'crash');
          throw e;
        }
        tally('http', res.statusCode);
        expect(res.statusCode, `${method} ${path}${r.suffix}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
        if (res.statusCode >= 400 && path !== '/v1/traces') {
          expect(res.json(), res.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
        }
      }),
      params,
    );
    expect(s.live.failure).toBeUndefined();
  });
});
