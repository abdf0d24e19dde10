// Lines kept as bytes must be exactly readLines' lines: same numbers, sizes, text and too-large
// markers, whatever the chunking, and however many batches they fall in.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawLine, readLines } from './file.js';
import { LineBytesSplitter, LineCursor, type LineBytes, readLineBytes } from './line-bytes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dg-line-bytes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every line of the batches as a plain RawLine, read through one cursor. */
function unpack(batches: LineBytes[]): RawLine[] {
  const cursor = new LineCursor();
  const out: RawLine[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.count; i++) {
      const r = cursor.at(b, i);
      const line: RawLine = r.tooLarge ? { ...r } : { file: r.file, line: r.line, text: r.text, bytes: r.bytes };
      // The cursor tells a line's invalid UTF-8 on demand (decode asks when the text holds U+FFFD).
      out.push(!r.tooLarge && r.text.includes('\uFFFD') && r.badUtf8 === true ? { ...line, badUtf8: true } : line);
    }
  }
  return out;
}

async function both(input: string, maxLineBytes: number, chunks?: Buffer[]): Promise<[RawLine[], RawLine[]]> {
  const stdin = (): Readable | undefined => (chunks ? Readable.from(chunks) : undefined);
  const plain: RawLine[] = [];
  for await (const b of readLines(input, { maxLineBytes, stdin: stdin() })) plain.push(...b);
  const batches: LineBytes[] = [];
  for await (const b of readLineBytes(input, { maxLineBytes, stdin: stdin() })) batches.push(b);
  return [plain, unpack(batches)];
}

// BOM, CRLF, blank lines, a too-large line, multi-byte and invalid UTF-8, no final newline.
const text = Buffer.concat([
  Buffer.from('\uFEFF{"a":1}\r\n\r\n  \n{"b":"é€𝄞"}\n\t\n'),
  Buffer.from(`{"big":"${'x'.repeat(300)}"}\n`),
  Buffer.from([0x7b, 0x22, 0x63, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
  Buffer.from('{"d":4}\r\n{"e":5}'),
]);

describe('readLineBytes', () => {
  it('gives the lines of readLines from a file, plain and gzip', async () => {
    for (const [name, data] of [
      ['plain.ndjson', text],
      ['packed.gz', gzipSync(text)],
    ] as const) {
      const path = join(dir, name);
      await writeFile(path, data);
      const [plain, bytes] = await both(path, 200);
      expect(plain.length).toBe(6);
      expect(plain.some((l) => l.tooLarge)).toBe(true);
      expect(bytes).toEqual(plain);
    }
  });

  it('gives the lines of readLines however the input is chunked', async () => {
    for (const step of [1, 2, 3, 7, 64, 1000]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < text.length; i += step) chunks.push(text.subarray(i, i + step));
      const [plain, bytes] = await both('-', 200, chunks);
      expect(bytes).toEqual(plain);
    }
  });

  it('hands over each batch once, on buffers of its own, growing for long lines', () => {
    const s = new LineBytesSplitter('t', { maxLineBytes: 4 << 20 });
    const long = `{"x":"${'y'.repeat(3 << 20)}"}`;
    s.push(Buffer.from(`{"a":1}\n${long}\n`), []);
    const first = s.take()!;
    expect(s.take()).toBeUndefined();
    s.push(Buffer.from('{"b":2}\n'), []);
    const second = s.take()!;
    expect(second.data.buffer).not.toBe(first.data.buffer);
    expect(unpack([first]).map((l) => l.text)).toEqual(['{"a":1}', long]);
    expect(unpack([second])).toEqual([{ file: 't', line: 3, text: '{"b":2}', bytes: 7 }]);
  });

  it('gives the same lines from a splitter sized to the body and taken once (a decode worker’s), or sized too small', () => {
    const lines = (capacity: number | undefined, last: boolean): RawLine[] => {
      const s = new LineBytesSplitter('t', { maxLineBytes: 200 }, capacity);
      s.push(text, []);
      s.end([]);
      return unpack([s.take(last)!]);
    };
    const expected = lines(undefined, false);
    expect(expected.length).toBe(6);
    expect(lines(text.length, true)).toEqual(expected);
    expect(lines(1, true)).toEqual(expected); // grows as before
  });
});
