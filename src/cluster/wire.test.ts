// Batches cross NATS as frames: split into parts, packed, unpacked and decoded on the other side, they
// must give back exactly the records the whole batch decodes to here (same keys, same order).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import { LineDecoder } from '../engine/line-decoder.js';
import { decodeBatch } from '../engine/record-codec.js';
import { runSimulate } from '../sim/index.js';
import { readLineBytes, type LineBytes } from '../sources/line-bytes.js';
import { packDecoded, packLines, splitLines, unpackDecoded, unpackLines } from './wire.js';

const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789', maxLineBytes: 4096 });

describe('cluster wire format', () => {
  let tmp: string;
  let batches: LineBytes[];
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-wire-'));
    const sim = (await runSimulate({ scenario: 'tiny', scale: 0.3, seed: 5, out: join(tmp, 'sim'), days: 1 })).path;
    const lines = (await readFile(sim, 'utf8')).split('\n').filter((l) => l !== '').slice(0, 600);
    // Hostile lines among them: not JSON, a blank line, a line over the size limit, multi-byte text.
    lines.splice(10, 0, '{not json', '', `{"type":"exchange","pad":"${'x'.repeat(5000)}"}`, '{"type":"exchange","account_id":"ü→😀"}');
    const input = join(tmp, 'in.ndjson');
    await writeFile(input, `${lines.join('\n')}\n`);
    batches = [];
    for await (const b of readLineBytes(input, { maxLineBytes: cfg.maxLineBytes })) batches.push(b);
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('splits batches into parts that keep every line, its number and the too-large ones', () => {
    for (const b of batches) {
      const parts = splitLines(b, 2048);
      expect(parts.length).toBeGreaterThan(1);
      expect(parts.reduce((n, p) => n + p.count, 0)).toBe(b.count);
      expect(parts.flatMap((p) => [...p.lineNos])).toEqual([...b.lineNos.subarray(0, b.count)]);
      expect(parts.flatMap((p) => p.large.map((l) => l.line))).toEqual(b.large.map((l) => l.line));
      for (const p of parts) expect(p.count === 1 || p.ends[p.count - 1] <= 2048).toBe(true);
    }
    expect(batches.some((b) => b.large.length > 0)).toBe(true);
  });

  it('gives back, part by part through frames, exactly the records the whole batch decodes to', () => {
    const here = new LineDecoder(cfg, undefined);
    const there = new LineDecoder(cfg, undefined);
    for (const b of batches) {
      const whole = decodeBatch(here.decode(b));
      const parts = splitLines(b, 4096).flatMap((p) => decodeBatch(unpackDecoded(packDecoded(there.decode(unpackLines(packLines(p)))))));
      expect(parts).toStrictEqual(whole);
      for (let i = 0; i < whole.length; i++) expect(Object.keys(parts[i])).toEqual(Object.keys(whole[i]));
    }
  });

  it('refuses a frame whose length does not match its header', () => {
    const frame = packLines(batches[0]);
    expect(() => unpackLines(frame.subarray(0, frame.length - 1))).toThrow(/frame length/);
    expect(() => unpackLines(new Uint8Array(2))).toThrow(/truncated/);
  });
});
