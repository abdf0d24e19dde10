import { mkdtemp, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { checkReadable, LineSplitter, type RawLine, readLines } from './file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dg-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Split `input` fed in pieces of `step` bytes. */
function split(input: Buffer | string, step: number, maxLineBytes = 1 << 20): RawLine[] {
  const buf = typeof input === 'string' ? Buffer.from(input) : input;
  const s = new LineSplitter('t', { maxLineBytes });
  const out: RawLine[] = [];
  for (let i = 0; i < buf.length; i += step) s.push(buf.subarray(i, Math.min(buf.length, i + step)), out);
  s.end(out);
  return out;
}

async function collect(input: string, maxLineBytes = 1 << 20, stdin?: Readable): Promise<RawLine[]> {
  const out: RawLine[] = [];
  for await (const b of readLines(input, { maxLineBytes, stdin })) out.push(...b);
  return out;
}

const brief = (ls: RawLine[]): [number, string][] => ls.map((l) => [l.line, l.text]);

describe('LineSplitter', () => {
  const text = '\uFEFF{"a":1}\r\n\r\n  \n{"b":"é"}\n\t\n{"c":3}';
  const expected: [number, string][] = [
    [1, '{"a":1}'],
    [4, '{"b":"é"}'],
    [6, '{"c":3}'],
  ];

  it.each([1, 2, 3, 5, 7, 1024])('splits the same whatever the chunking (step %i)', (step) => {
    expect(brief(split(text, step))).toEqual(expected);
  });

  it('handles CRLF, BOM, blank lines (skipped but numbered) and a final line without newline', () => {
    const ls = split(text, 1 << 16);
    expect(ls.map((l) => l.bytes)).toEqual([7, Buffer.byteLength('{"b":"é"}'), 7]);
    expect(ls.every((l) => l.tooLarge === undefined)).toBe(true);
  });

  it('keeps a BOM only at the start of the input', () => {
    expect(brief(split('x\n\uFEFFy\n', 1))).toEqual([
      [1, 'x'],
      [2, '\uFEFFy'],
    ]);
  });

  it('an empty input has no lines', () => {
    expect(split('', 1)).toEqual([]);
    expect(split('\n\n\r\n', 1)).toEqual([]);
  });

  it.each([1, 3, 64, 4096])('cuts a too-large line to its first 1 KiB without buffering it (step %i)', (step) => {
    const big = 'x'.repeat(5000);
    const ls = split(`{"ok":1}\n${big}\r\n{"ok":2}\n${big}`, step, 2048);
    expect(ls.map((l) => [l.line, l.tooLarge ?? false, l.bytes])).toEqual([
      [1, false, 8],
      [2, true, 5000],
      [3, false, 8],
      [4, true, 5000],
    ]);
    expect(ls[1].text).toBe('x'.repeat(1024));
  });

  it('a line exactly at the limit is accepted, one byte over is too large', () => {
    const ls = split(`${'y'.repeat(2048)}\r\n${'z'.repeat(2049)}\n`, 100, 2048);
    expect(ls.map((l) => [l.bytes, l.tooLarge ?? false])).toEqual([
      [2048, false],
      [2049, true],
    ]);
  });
});

describe('readLines', () => {
  const body = '{"n":1}\n{"n":2}\r\n\n{"n":3}';

  it('reads a plain file in batches', async () => {
    const p = join(dir, 'plain.ndjson');
    await writeFile(p, body);
    expect(brief(await collect(p))).toEqual([
      [1, '{"n":1}'],
      [2, '{"n":2}'],
      [4, '{"n":3}'],
    ]);
    expect((await collect(p))[0].file).toBe(p);
  });

  it('reads gzip by magic bytes, whatever the name, including concatenated members', async () => {
    const named = join(dir, 'x.ndjson.gz');
    const unnamed = join(dir, 'x.ndjson');
    const multi = join(dir, 'multi.gz');
    await writeFile(named, gzipSync(body));
    await writeFile(unnamed, gzipSync(body));
    await writeFile(multi, Buffer.concat([gzipSync('{"n":1}\n{"n":'), gzipSync('2}\n')]));
    expect(brief(await collect(named))).toEqual(brief(await collect(unnamed)));
    expect((await collect(named)).length).toBe(3);
    expect(brief(await collect(multi))).toEqual([
      [1, '{"n":1}'],
      [2, '{"n":2}'],
    ]);
  });

  it('reads a plain file named .gz as plain text', async () => {
    const p = join(dir, 'plain.gz');
    await writeFile(p, body);
    expect((await collect(p)).length).toBe(3);
  });

  it('reads standard input, plain or gzip, arriving in tiny pieces', async () => {
    for (const data of [Buffer.from(body), gzipSync(body)]) {
      const stdin = new PassThrough();
      const got = collect('-', 1 << 20, stdin);
      for (let i = 0; i < data.length; i++) stdin.write(data.subarray(i, i + 1));
      stdin.end();
      const ls = await got;
      expect(ls.map((l) => [l.file, l.line])).toEqual([
        ['-', 1],
        ['-', 2],
        ['-', 4],
      ]);
    }
  });

  it('streams past a huge line without holding it', async () => {
    const p = join(dir, 'huge.ndjson');
    const huge = Buffer.alloc(8 << 20, 0x61);
    await writeFile(p, Buffer.concat([Buffer.from('{"a":1}\n'), huge, Buffer.from('\n{"a":2}\n')]));
    const ls = await collect(p, 1 << 20);
    expect(ls.map((l) => [l.line, l.tooLarge ?? false, l.bytes, l.text.length])).toEqual([
      [1, false, 7, 7],
      [2, true, 8 << 20, 1024],
      [3, false, 7, 7],
    ]);
  });

  it('turns corrupt gzip into one-line InputError', async () => {
    const p = join(dir, 'corrupt.gz');
    const gz = gzipSync('{"a":1}\n'.repeat(1000));
    await writeFile(p, gz.subarray(0, gz.length - 20));
    const err = await collect(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/corrupt\.gz: corrupt gzip data/);
    expect((err as InputError).message).not.toContain('\n');
  });

  it('turns a missing file into InputError', async () => {
    await expect(collect(join(dir, 'nope.ndjson'))).rejects.toThrow(InputError);
  });
});

describe('checkReadable', () => {
  it('accepts readable files and one stdin', async () => {
    const p = join(dir, 'ok.ndjson');
    await writeFile(p, '{}\n');
    await expect(checkReadable([p, '-'])).resolves.toBeUndefined();
  });

  it.each([
    ['a missing file', (d: string) => join(d, 'missing.ndjson'), /cannot read input .*missing\.ndjson: no such file/],
    ['a directory', (d: string) => join(d, 'sub'), /is a directory/],
  ])('rejects %s with one clear line', async (_name, path, msg) => {
    await mkdir(join(dir, 'sub'), { recursive: true });
    const err = await checkReadable([path(dir)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as InputError).message).toMatch(msg);
    expect((err as InputError).message).not.toContain('\n');
  });

  it('rejects an unreadable file (when not running as root)', async () => {
    const p = join(dir, 'secret.ndjson');
    await writeFile(p, '{}\n');
    await chmod(p, 0o000);
    if (process.getuid?.() === 0) return; // root reads anything
    await expect(checkReadable([p])).rejects.toThrow(/permission denied/);
  });

  it('rejects stdin twice and no input', async () => {
    await expect(checkReadable(['-', '-'])).rejects.toThrow(InputError);
    await expect(checkReadable([])).rejects.toThrow(InputError);
  });
});
