import { describe, expect, it } from 'vitest';
import { fmix32, hash32, murmur3, murmur3Codes, murmur3Range, murmur3Words } from './hash.js';
import { CORPORA, corpusSkipReason, loadPromptCorpus } from './prompt-corpus.js';

/** Byte-oriented MurmurHash3 x86_32, written straight from the reference algorithm. */
function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const nblocks = bytes.length >> 2;
  for (let b = 0; b < nblocks; b++) {
    const i = b * 4;
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = nblocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest >= 3) k ^= bytes[tail + 2] << 16;
    if (rest >= 2) k ^= bytes[tail + 1] << 8;
    k ^= bytes[tail];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const utf16le = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));

describe('murmur3 reference (byte version) matches published test vectors', () => {
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['test', 0, 0xba6bd213],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abc', 0, 0xb3dd93fa],
  ])('murmur3_32(%j, %d)', (s, seed, expected) => {
    expect(murmur3Bytes(ascii(s), seed)).toBe(expected);
  });
});

describe('murmur3 over UTF-16 code units', () => {
  const samples = ['', 'a', 'ab', 'abc', 'abcd', 'Grüße, 世界! 🙂', 'x'.repeat(1001), 'Solve step by step: 2 + 2 = ?'];

  it('equals murmur3_32 of the UTF-16LE bytes, for any seed', () => {
    for (const s of samples) {
      for (const seed of [0, 1, 42, 0xdeadbeef]) expect(murmur3(s, seed)).toBe(murmur3Bytes(utf16le(s), seed));
    }
  });

  it('hashes substrings without slicing, and typed code-unit arrays alike', () => {
    const s = 'the fixed wrapper around a varying payload';
    const codes = new Uint16Array([...s].map((c) => c.charCodeAt(0)));
    for (const [a, b] of [
      [0, 3],
      [4, 9],
      [4, 10],
      [0, s.length],
      [7, 7],
    ]) {
      expect(murmur3Range(s, a, b, 7)).toBe(murmur3(s.slice(a, b), 7));
      expect(murmur3Codes(codes, a, b, 7)).toBe(murmur3(s.slice(a, b), 7));
    }
  });

  it('returns unsigned 32-bit values, and the seed changes the result', () => {
    for (const s of samples) {
      const h = murmur3(s, 3);
      expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
    }
    expect(murmur3('payload', 1)).not.toBe(murmur3('payload', 2));
    expect(hash32('payload', 5)).toBe(murmur3('payload', 5));
  });

  it('murmur3Words hashes 32-bit words like the bytes of their little-endian encoding', () => {
    const words = new Uint32Array([1, 0xdeadbeef, 0x80000000, 12345]);
    const bytes = new Uint8Array(words.buffer);
    expect(murmur3Words(words, 0, 4, 9)).toBe(murmur3Bytes(bytes, 9));
    expect(murmur3Words(words, 1, 3, 9)).toBe(murmur3Bytes(bytes.subarray(4, 12), 9));
  });

  it('fmix32 is a bijection on a sample (no collisions among 200k consecutive inputs)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) seen.add(fmix32(i));
    expect(seen.size).toBe(200_000);
  });
});

const skip = corpusSkipReason();
if (skip) console.warn(`hash.test: ${skip}`);

describe.skipIf(skip !== undefined)('on real prompts', () => {
  it('distinct prompts get distinct hashes (collisions at the birthday rate, ~0 for 12k)', () => {
    const texts = new Set<string>();
    for (const name of CORPORA) for (const r of loadPromptCorpus(name) ?? []) texts.add(r.text);
    const hashes = new Set<number>();
    for (const t of texts) hashes.add(murmur3(t, 0));
    expect(texts.size).toBeGreaterThan(10_000);
    expect(texts.size - hashes.size).toBeLessThanOrEqual(1);
  });
});
