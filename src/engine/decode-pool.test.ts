// Decode workers must change nothing but speed: the same records (less the text the engine no longer
// needs), the same rejections with the same line numbers, the same verdicts and campaigns.
// Workers run the compiled script (dist/, built by `npm ci` / `npm run build`); node cannot start a
// TypeScript worker, so without a build this suite skips.
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import { buildEngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import type { CanonicalRecord } from '../core/records.js';
import { Ingestor, ingestStream, type IngestBatch } from '../order/pipeline.js';
import { LineSplitter, type RawLine } from '../sources/file.js';
import { cutAtLines, DecodePool, ingestStreamParallel, serveDecodeWorkers } from './decode-pool.js';
import { Engine } from './engine.js';
import { collectResults } from './results.js';

const script = new URL('../../dist/src/engine/decode-worker.js', import.meta.url);
const built = existsSync(fileURLToPath(script));
if (!built) console.warn('decode-pool.test: dist/src/engine/decode-worker.js is missing (npm run build); skipping');

describe.skipIf(!built)('decode workers', () => {
  let tmp: string;
  let input: string;
  const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-pool-'));
    input = (await runSimulate({ scenario: 'tiny', scale: 0.5, seed: 5, out: join(tmp, 'sim'), days: 1 })).path;
    const lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l !== '');
    // Bad lines, a duplicate and a late record, far apart so they fall in different batches.
    await appendFile(input, ['{not json', '{"type":"exchange"}', lines[5], lines[1], '', '[1,2]'].join('\n') + '\n');
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function run(workers: number): Promise<{ batches: IngestBatch[]; results: string; counts: object }> {
    const ingestor = new Ingestor({ emailKey: Buffer.from(emailKeyOf(cfg)), maxLatenessMs: cfg.maxLatenessMs });
    const pool = workers > 0 ? new DecodePool(cfg, workers, script) : undefined;
    const engine = new Engine(cfg);
    const batches: IngestBatch[] = [];
    try {
      const stream = pool ? ingestStreamParallel([input], ingestor, pool) : ingestStream([input], ingestor);
      for await (const b of stream) {
        batches.push(b);
        for (const r of b.records) engine.push(r);
      }
    } finally {
      await pool?.close();
    }
    engine.finish();
    return { batches, results: JSON.stringify(collectResults(engine, emailKeyOf(cfg))), counts: ingestor.counts() };
  }

  const plain = (r: CanonicalRecord): object => (r.kind === 'exchange' ? { ...r, prompt: undefined, system: undefined, sketch: undefined } : r);

  it('gives the records, rejections, counts and results of decoding on the main thread, with one or two workers', async () => {
    const local = await run(0);
    expect(local.batches.flatMap((b) => b.rejections).length).toBeGreaterThanOrEqual(3);
    for (const n of [1, 2]) {
      const par = await run(n);
      expect(par.counts).toEqual(local.counts);
      expect(par.batches.flatMap((b) => b.rejections)).toEqual(local.batches.flatMap((b) => b.rejections));
      expect(par.batches.flatMap((b) => b.records.map(plain))).toEqual(local.batches.flatMap((b) => b.records.map(plain)));
      expect(par.results).toBe(local.results);
      // The sketch the observer would compute travels instead of the text.
      const ex = par.batches.flatMap((b) => b.records).find((r) => r.kind === 'exchange');
      expect(ex?.kind === 'exchange' && ex.sketch !== undefined && ex.prompt === '').toBe(true);
    }
  });


  it('refuses a bad worker count', () => {
    expect(() => new DecodePool(cfg, 0, script)).toThrow(/positive integer/);
  });
});

// serve cuts a large body into pieces decoded on several workers at once (DecodePool.decodeBody):
// split piece by piece, numbered on from the lines before each, the pieces must give the whole body's
// lines, whatever the cut points (src/server/pooled-decode.test.ts checks the records on real workers).
describe('a body cut at newlines into pieces', () => {
  const split = (body: Buffer, maxLineBytes: number, linesBefore = 0): RawLine[] => {
    const out: RawLine[] = [];
    const s = new LineSplitter('http', { maxLineBytes }, linesBefore);
    s.push(body, out);
    s.end(out);
    return out;
  };
  const plainLines = (ls: RawLine[]): unknown[] => ls.map((l) => [l.line, l.bytes, l.text, l.tooLarge ?? false, l.badUtf8 ?? false]);
  // BOM, CRLF, blank and whitespace lines, a too-large line, invalid UTF-8, non-ASCII, no final newline.
  const bodies = [
    Buffer.concat([Buffer.from('\ufeff{"a":1}\r\n\n  \r\n{"b":"Größe 東京"}\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from(`{"c":"${'x'.repeat(1500)}"}\n\t\n{"d":2}\r\n{"e":3}`)]),
    Buffer.from(Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? '' : `{"i":${i}}`)).join('\n') + '\n'),
    Buffer.from('\n\n\n{"only":1}\n'),
  ];

  it('gives the same lines, numbers, BOM, CRLF, blank, too-large and bad-UTF-8 handling for any number of pieces', () => {
    for (const body of bodies) {
      const whole = plainLines(split(body, 1024)); // the least maxLineBytes the configuration takes
      for (let n = 1; n <= 6; n++) {
        const pieces = cutAtLines(body, n);
        expect(pieces.length).toBeGreaterThanOrEqual(1);
        expect(pieces.length).toBeLessThanOrEqual(Math.max(1, n));
        expect(pieces[0].start).toBe(0);
        expect(pieces.at(-1)!.end).toBe(body.length);
        for (let k = 1; k < pieces.length; k++) {
          expect(pieces[k].start).toBe(pieces[k - 1].end);
          expect(body[pieces[k].start - 1]).toBe(0x0a); // every piece but the last ends just after a newline
        }
        const got = pieces.flatMap((p) => split(body.subarray(p.start, p.end), 1024, p.linesBefore));
        expect(plainLines(got)).toEqual(whole);
      }
    }
  });

  it('cuts a body of many lines into n pieces of about equal size, and never inside its last line', () => {
    const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => `{"i":${i}}`).join('\n') + '\n');
    const pieces = cutAtLines(body, 2);
    expect(pieces.length).toBe(2);
    expect(Math.abs(pieces[0].end - body.length / 2)).toBeLessThan(20);
    expect(pieces[1].linesBefore).toBe(body.subarray(0, pieces[0].end).toString().split('\n').length - 1);
    expect(cutAtLines(Buffer.from('{"one":"line, no newline"}'), 4)).toEqual([{ start: 0, end: 26, linesBefore: 0 }]);
    expect(cutAtLines(Buffer.from('{"one":1}\n'), 2)).toEqual([{ start: 0, end: 10, linesBefore: 0 }]);
    expect(cutAtLines(body, 0)).toEqual([{ start: 0, end: body.length, linesBefore: 0 }]);
  });

  it('gives serve two workers from two cores on, one on one core', () => {
    expect([1, 2, 3, 4, 8, 16].map((c) => serveDecodeWorkers(c, script))).toEqual([1, 2, 2, 3, 4, 4]);
    expect(serveDecodeWorkers(2, undefined)).toBe(0); // no compiled worker script: decode on the main thread
  });
});
