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
import { DecodePool, ingestStreamParallel } from './decode-pool.js';
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
