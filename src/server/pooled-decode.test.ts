// NDJSON decoded on the workers must give what decoding on the main thread gives: the same lines and
// numbers, the same rejections, the same records (their text travels as the JSON the ingest log
// writes, byte for byte the same log lines). Workers run the compiled script (dist/), so without a
// build this suite skips.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import { decodeLine, isRejection } from '../decode/index.js';
import { DecodePool } from '../engine/decode-pool.js';
import { Presketcher } from '../engine/presketch.js';
import { runSimulate } from '../sim/index.js';
import { LineSplitter, type RawLine } from '../sources/file.js';
import { serializeEntry } from './ingest-log.js';
import { decodeOnPool } from './pooled-decode.js';
import { sharedConcat } from './shared-body.js';
import type { CanonicalRecord } from '../core/records.js';

const script = new URL('../../dist/src/engine/decode-worker.js', import.meta.url);
const built = existsSync(fileURLToPath(script));
if (!built) console.warn('pooled-decode.test: dist/src/engine/decode-worker.js is missing (npm run build); skipping');

describe.skipIf(!built)('NDJSON ingest decoded on the workers', () => {
  const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
  const maxLineBytes = 4096;
  const maxDepth = 8;
  let pool: DecodePool;
  /** Two workers, bodies cut into pieces of 4 KiB or more: the test's body decodes in two pieces, at once. */
  let pool2: DecodePool;
  let body: Buffer;
  let tmp: string;
  beforeAll(async () => {
    pool = new DecodePool(cfg, 1, script, { intel: false, maxDepth });
    pool2 = new DecodePool(cfg, 2, script, { intel: false, maxDepth, splitMinBytes: 4096 });
    tmp = await mkdtemp(join(tmpdir(), 'dg-pooled-'));
    const sim = await runSimulate({ scenario: 'tiny', scale: 0.3, seed: 9, out: tmp, days: 1 });
    const lines = (await readFile(sim.path, 'utf8')).split('\n').filter((l) => l !== '').slice(0, 400);
    // Non-ASCII text, bad lines, blank lines, a too-large line, invalid UTF-8, nesting over the limit, CRLF.
    const odd = ['{not json', '', '   ', `{"type":"exchange","pad":"${'x'.repeat(5000)}"}`, '[1,2]', `${'['.repeat(20)}${']'.repeat(20)}`];
    const withText = lines.map((l, i) => (i % 50 === 7 ? l.replace(/"prompt":"/, '"prompt":"Größe 東京 — ') : l));
    body = Buffer.concat([Buffer.from('\ufeff' + withText.slice(0, 200).join('\n') + '\r\n'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), Buffer.from(odd.join('\n') + '\n' + withText.slice(200).join('\n'))]);
  });
  afterAll(async () => {
    await pool.close();
    await pool2.close();
    await rm(tmp, { recursive: true, force: true });
  });

  /** What the main-thread path of routes/ingest.ts does with the same body. */
  function onMainThread(): { raw: RawLine; rec: CanonicalRecord | ReturnType<typeof decodeLine> }[] {
    const lines: RawLine[] = [];
    const split = new LineSplitter('http', { maxLineBytes });
    split.push(body, lines);
    split.end(lines);
    const ctx = { emailKey: Buffer.from(emailKeyOf(cfg)), maxDepth };
    return lines.map((raw) => ({ raw, rec: decodeLine(raw, ctx) }));
  }

  it.each([
    ['one worker', () => pool],
    ['two workers, the body cut in two', () => pool2],
  ])('gives the same lines, rejections and records, and the records JSON the log writes (%s)', async (_, which) => {
    const main = onMainThread();
    const pooled = await decodeOnPool(body, which(), maxLineBytes);
    expect(pooled.length).toBe(main.length);
    const presketch = new Presketcher(cfg.template, cfg.scoring.pipelines.phraseSampleBits);
    let rejections = 0;
    let nonAscii = 0;
    for (let i = 0; i < main.length; i++) {
      const [m, p] = [main[i], pooled[i]];
      expect([p.raw.line, p.raw.bytes, p.raw.text, p.raw.file]).toEqual([m.raw.line, m.raw.bytes, m.raw.text, m.raw.file]);
      if (isRejection(m.rec)) {
        rejections++;
        expect(p.rec).toEqual(m.rec);
        expect(p.json).toBeUndefined();
        continue;
      }
      const json = JSON.stringify(m.rec);
      if (Buffer.byteLength(json) !== json.length) nonAscii++;
      expect(p.json?.toString('utf8')).toBe(json);
      const r = p.rec as CanonicalRecord;
      if (m.rec.kind === 'exchange' && r.kind === 'exchange') {
        // The record arrives without its text, with the sketch the engine would have made of it.
        expect({ ...r, prompt: undefined, system: undefined, sketch: undefined }).toEqual({ ...m.rec, prompt: undefined, system: undefined, sketch: undefined });
        expect(JSON.parse(JSON.stringify(r.sketch))).toEqual(JSON.parse(JSON.stringify(presketch.sketch(m.rec))));
      } else expect(r).toEqual(m.rec);
    }
    expect(rejections).toBeGreaterThanOrEqual(5); // bad JSON, too large, not an object, invalid UTF-8, too deep
    expect(nonAscii).toBeGreaterThan(0);
    const reasons = main.filter((x) => isRejection(x.rec)).map((x) => (x.rec as { reason: string }).reason);
    expect(reasons).toEqual(expect.arrayContaining(['invalid_json', 'too_large', 'invalid_utf8', 'too_deep']));

    // The log lines of a batch of these records: the same bytes from either path.
    const accepted = main.flatMap((x, i) => (isRejection(x.rec) ? [] : [i]));
    const entry = { seq: 3, lines: main.length, dup: 0, rej: [], at: 1 };
    const fromMain = serializeEntry({ ...entry, recs: accepted.map((i) => main[i].rec as CanonicalRecord) });
    const fromPool = serializeEntry({ ...entry, recs: accepted.map((i) => pooled[i].rec as CanonicalRecord) }, accepted.map((i) => pooled[i].json!));
    expect(Buffer.concat(fromPool).equals(Buffer.concat(fromMain))).toBe(true);
    // The worker split a copy: the caller's body is still whole.
    expect(body.length).toBeGreaterThan(0);
    expect(body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
  });

  it('cuts the body into one piece per worker, the second numbered on from the first', async () => {
    const parts = await pool2.decodeBody(body, 'http', maxLineBytes, { json: true });
    expect(parts.length).toBe(2);
    const [a, b] = parts;
    expect(a.lines.count).toBeGreaterThan(0);
    expect(b.lines.count).toBeGreaterThan(0);
    // The second piece's first line number goes on from the first piece's lines (the BOM line is 1).
    expect(a.lines.lineNos[0]).toBe(1);
    expect(b.lines.lineNos[0]).toBeGreaterThan(a.lines.lineNos[a.lines.count - 1]);
    expect(a.lines.count + b.lines.count).toBe(onMainThread().length);
    // A small body, or one worker: one piece.
    expect((await pool2.decodeBody(Buffer.from('{"a":1}\n{"b":2}\n'), 'http', maxLineBytes)).length).toBe(1);
    expect((await pool.decodeBody(body, 'http', maxLineBytes)).length).toBe(1);
  });

  it('reads a body in shared memory where it is, and gives the same items as from an ordinary Buffer', async () => {
    const shared = sharedConcat([body], body.length);
    const flat = (items: Awaited<ReturnType<typeof decodeOnPool>>): unknown[] => items.map((x) => [x.raw.line, x.raw.bytes, x.raw.text, x.rec, x.json?.toString('hex')]);
    const fromShared = await decodeOnPool(shared, pool2, maxLineBytes);
    expect(flat(fromShared)).toEqual(flat(await decodeOnPool(body, pool2, maxLineBytes)));
    expect(fromShared.length).toBe(onMainThread().length);
    expect(shared.equals(body)).toBe(true); // read, not changed
  });

  it('gives no items for a body of blank lines only, and a line without its final newline', async () => {
    expect(await decodeOnPool(Buffer.from('\n  \r\n\t\n'), pool, maxLineBytes)).toEqual([]);
    const one = await decodeOnPool(Buffer.from('\n{"type":"account"'), pool, maxLineBytes);
    expect(one.map((x) => [x.raw.line, x.raw.text, 'reason' in x.rec ? x.rec.reason : 'record'])).toEqual([[2, '{"type":"account"', 'invalid_json']]);
  });

  it('splits into parts of at most PART_BYTES by bytes, each a whole line the reader takes', () => {
    const recs = Array.from({ length: 3000 }, (_, i) => ({ kind: 'account', id: `a${i}`, pad: 'é'.repeat(400) }) as unknown as CanonicalRecord);
    const json = recs.map((r) => Buffer.from(JSON.stringify(r)));
    const parts = serializeEntry({ seq: 1, lines: 3000, dup: 0, recs, rej: [] }, json);
    expect(parts.length).toBeGreaterThan(1);
    const back = parts.flatMap((p) => (JSON.parse(p.toString('utf8')) as { recs: unknown[] }).recs);
    expect(back).toEqual(JSON.parse(JSON.stringify(recs)));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual((1 << 20) + 2048);
  });
});

describe.skipIf(!built)('/v1/records with bodies in pooled shared buffers', () => {
  it('gives the accounts of decoding on the main thread while two clients post at once and buffers are used again', async () => {
    const cfg = { emailKey: 'test-email-key-0123456789' };
    const tmp = await mkdtemp(join(tmpdir(), 'dg-pooled-route-'));
    const pool = new DecodePool(buildEngineConfig(cfg), 2, script, { intel: false, splitMinBytes: 4096 });
    const { startTestServer, bearer } = await import('../../test/helpers/serve.js');
    try {
      const sim = await runSimulate({ scenario: 'tiny', scale: 0.3, seed: 5, out: tmp, days: 2 });
      const lines = (await readFile(sim.path, 'utf8')).split('\n').filter((l) => l !== '');
      const newest = Math.max(...lines.map((l) => Date.parse((JSON.parse(l) as { ts: string }).ts)));
      const accountsAfter = async (decoder?: DecodePool): Promise<unknown> => {
        const s = await startTestServer({ server: { decoder }, live: { flushMs: 3_600_000 } });
        try {
          // As a well-behaved client: a 429 (the engine behind) is asked again shortly.
          const post = async (url: string, payload: string, source: string, type = 'application/x-ndjson') => {
            for (;;) {
              const r = await s.app.inject({ method: 'POST', url, payload, headers: { ...bearer('ingest'), 'content-type': type, 'distillguard-source': source } });
              if (r.statusCode !== 429) return r;
              await new Promise((res) => setTimeout(res, 50));
            }
          };
          // Batches of 150 lines (64-128 KiB: one size of buffer), two sources posting at once.
          for (let i = 0; i < lines.length; i += 300) {
            const [a, b] = await Promise.all([
              post('/v1/records', `${lines.slice(i, i + 150).join('\n')}\n`, 'a'),
              post('/v1/records', `${lines.slice(i + 150, i + 300).join('\n')}\n`, 'b'),
            ]);
            expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
            expect(a.json().rejected + b.json().rejected).toBe(0);
          }
          for (const src of ['a', 'b']) expect((await post('/v1/watermark', JSON.stringify({ ts: newest + 3_600_000 }), src, 'application/json')).statusCode).toBe(200);
          await s.live.drain();
          await s.live.flush(true);
          return (await s.app.inject({ method: 'GET', url: '/v1/accounts?limit=1000', headers: bearer('read') })).json().accounts;
        } finally {
          await s.close();
        }
      };
      const onMain = await accountsAfter(undefined);
      const onWorkers = await accountsAfter(pool);
      expect((onMain as unknown[]).length).toBeGreaterThan(20);
      expect(onWorkers).toEqual(onMain);
    } finally {
      await pool.close();
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
