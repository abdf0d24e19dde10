// The compact batch form must give back exactly the records decode built (less the text), through a
// real structured clone, with the same keys in the same order.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import { buildEngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import type { CanonicalRecord, Exchange } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';
import { decodeLine, isRejection } from '../decode/index.js';
import { Presketcher } from './presketch.js';
import { decodeBatch, RecordEncoder } from './record-codec.js';

const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
const presketcher = new Presketcher(cfg.template, cfg.scoring.pipelines.phraseSampleBits);
const bands = presketcher.bands;
const ctx = { emailKey: Buffer.from(emailKeyOf(cfg)) };

/** What a decode worker hands over: the record with its sketch, without its text. */
function decoded(text: string, line: number): CanonicalRecord | Rejection {
  const rec = decodeLine({ file: 'in.ndjson', line, text, bytes: Buffer.byteLength(text) }, ctx);
  if (!isRejection(rec) && rec.kind === 'exchange') {
    rec.sketch = presketcher.sketch(rec);
    rec.prompt = '';
    rec.system = '';
  }
  return rec;
}

function roundTrip(recs: (CanonicalRecord | Rejection)[]): (CanonicalRecord | Rejection)[] {
  const enc = new RecordEncoder(bands);
  for (const r of recs) enc.add(r);
  const batch = enc.finish();
  // The clone and transfer a worker's postMessage makes.
  return decodeBatch(structuredClone(batch, { transfer: [batch.nums.buffer, batch.kinds.buffer, batch.phrases.buffer] }));
}

describe('record codec', () => {
  let tmp: string;
  let lines: string[];
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-codec-'));
    const input = (await runSimulate({ scenario: 'tiny', scale: 0.5, seed: 3, out: join(tmp, 'sim'), days: 1 })).path;
    lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l !== '');
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('gives back every record of a simulated input, in order, with the same keys in the same order', () => {
    const recs = [...lines.map((l, i) => decoded(l, i + 1)), decoded('{not json', 0), decoded('{"type":"exchange"}', 0)];
    expect(recs.some((r) => !isRejection(r) && r.kind === 'account')).toBe(true);
    expect(recs.filter((r) => !isRejection(r) && r.kind === 'exchange').length).toBeGreaterThan(100);
    const back = roundTrip(recs);
    expect(back).toStrictEqual(recs);
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i];
      expect(Object.keys(back[i])).toEqual(Object.keys(r));
      if (!isRejection(r) && r.kind === 'exchange') {
        const b = back[i] as Exchange;
        expect(Object.keys(b.client)).toEqual(Object.keys(r.client));
        expect(Object.keys(b.sketch!)).toEqual(Object.keys(r.sketch!));
        expect(Object.keys(b.sketch!.templates)).toEqual(Object.keys(r.sketch!.templates));
      }
    }
  });

  it('keeps absent numbers absent and every present number exact (-0, large, fractional)', () => {
    const body = { messages: [{ role: 'user', content: 'Solve the following problem step by step: what is 12 + 30? Put the answer in a box.' }] };
    const a = decoded(JSON.stringify({ type: 'exchange', id: 'a', ts: 1767225600000, account_id: 'x', request: body }), 1) as Exchange;
    const b = decoded(
      JSON.stringify({
        type: 'exchange',
        id: 'b',
        ts: '2026-01-01T00:00:00.123Z',
        account_id: 'y',
        key_id: 'k',
        model: 'm',
        client: { ip: '10.0.0.1', asn: 4294967295, country: 'de', user_agent: 'ua', sdk: 's' },
        request: { ...body, system: 'You are terse.', max_tokens: 8192, temperature: -0, thinking: { type: 'enabled', budget_tokens: 1024 } },
        response: { usage: { input_tokens: 10, output_tokens: 0 }, stop_reason: 'end_turn' },
      }).replace('"temperature":0', '"temperature":-0'), // JSON.stringify writes -0 as 0
      2,
    ) as Exchange;
    expect(b.temperature).toBe(-0);
    expect(a.maxTokens).toBeUndefined();
    expect(a.sketch!.systemHash).toBeUndefined();
    expect(b.sketch!.systemHash).toBeDefined();
    const back = roundTrip([a, b]) as Exchange[];
    expect(back).toStrictEqual([a, b]);
    expect(Object.is(back[1].temperature, -0)).toBe(true);
    expect(back[0].sketch!.templates.windows.length).toBe(a.sketch!.templates.windows.length);
  });

  it('gives the same records from one reused sketch (a decode worker) as from a fresh sketch per exchange', () => {
    const scratch = presketcher.newSketch();
    const enc = new RecordEncoder(bands);
    const fresh: (CanonicalRecord | Rejection)[] = [];
    for (let i = 0; i < lines.length; i++) {
      fresh.push(decoded(lines[i], i + 1));
      const rec = decodeLine({ file: 'in.ndjson', line: i + 1, text: lines[i], bytes: 0 }, ctx);
      if (!isRejection(rec) && rec.kind === 'exchange') rec.sketch = presketcher.sketchInto(rec, scratch);
      enc.add(rec);
    }
    const windows = new Set(fresh.map((r) => (!isRejection(r) && r.kind === 'exchange' ? r.sketch!.templates.windows.length : -1)));
    expect([...windows].sort()).toEqual([-1, 0, 1, 2]);
    expect(decodeBatch(enc.finish())).toStrictEqual(fresh);
  });

  it('refuses an exchange without its sketch', () => {
    const rec = decodeLine({ file: 'f', line: 1, text: JSON.stringify({ type: 'exchange', id: 'a', ts: 1767225600000, account_id: 'x', request: { messages: [] } }), bytes: 1 }, ctx);
    expect(() => new RecordEncoder(bands).add(rec)).toThrow(/sketch/);
  });
});
