import { describe, expect, it } from 'vitest';
import { murmur3, murmur3Words } from './hash.js';
import { shingleHashes, shingleWords } from './shingle.js';
import { CORPORA, corpusSkipReason, loadPromptCorpus } from './prompt-corpus.js';

/** Straightforward (allocating) reference: hash words, then each window of k word hashes. */
function reference(text: string, k: number, seed: number): number[] {
  const words = shingleWords(text).map((w) => murmur3(w, seed));
  if (words.length === 0) return [];
  const kk = Math.min(k, words.length);
  const out: number[] = [];
  for (let i = 0; i + kk <= words.length; i++) out.push(murmur3Words(words, i, i + kk, (seed ^ Math.imul(kk, 0x9e3779b1)) | 0));
  return out;
}

describe('shingleWords (tokenization)', () => {
  it('splits on whitespace and punctuation, folds ASCII case, keeps placeholders whole', () => {
    expect(shingleWords('Translate <q> into N, please!')).toEqual(['translate', '<q>', 'into', 'n', 'please']);
    expect(shingleWords("don't stop-me now_1")).toEqual(['don', 't', 'stop', 'me', 'now_1']);
  });

  it('keeps accented and Cyrillic words whole and splits Han and kana per character', () => {
    expect(shingleWords('Grüße aus Köln')).toEqual(['grüße', 'aus', 'köln']);
    expect(shingleWords('Привет, мир')).toEqual(['Привет', 'мир']);
    expect(shingleWords('请一步一步解释')).toEqual(['请', '一', '步', '一', '步', '解', '释']);
    expect(shingleWords('カタカナ word')).toEqual(['カ', 'タ', 'カ', 'ナ', 'word']);
  });
});

describe('shingleHashes', () => {
  const out = new Uint32Array(256);

  it('writes n - k + 1 shingles for n words, matching the reference hashing', () => {
    const text = 'Solve the following problem step by step and put the answer last';
    const n = shingleHashes(text, out, 3, 7);
    expect(n).toBe(12 - 3 + 1);
    expect(Array.from(out.subarray(0, n))).toEqual(reference(text, 3, 7));
  });

  it('falls back to one shingle of all words for texts shorter than k, and 0 for no words', () => {
    expect(shingleHashes('hello world', out, 3)).toBe(1);
    expect(out[0]).toBe(reference('hello world', 3, 0)[0]);
    expect(shingleHashes('  ...  ', out, 3)).toBe(0);
    expect(shingleHashes('', out, 3)).toBe(0);
  });

  it('is case-insensitive (ASCII) and order-sensitive', () => {
    const a = new Uint32Array(8);
    const b = new Uint32Array(8);
    shingleHashes('Write A Poem', a);
    shingleHashes('write a poem', b);
    expect(a[0]).toBe(b[0]);
    shingleHashes('poem a write', b);
    expect(a[0]).not.toBe(b[0]);
  });

  it('respects k and seed', () => {
    const text = 'one two three four five';
    expect(shingleHashes(text, out, 1)).toBe(5);
    expect(shingleHashes(text, out, 5)).toBe(1);
    const s1 = shingleHashes(text, out, 2, 1) && out[0];
    const s2 = shingleHashes(text, out, 2, 2) && out[0];
    expect(s1).not.toBe(s2);
    expect(() => shingleHashes(text, out, 0)).toThrow(RangeError);
  });

  it('stops at the buffer capacity instead of overflowing', () => {
    const small = new Uint32Array(4);
    const n = shingleHashes('a b c d e f g h i j', small, 2);
    expect(n).toBe(3); // 4 words fit, 3 shingles of 2
    expect(Array.from(small.subarray(0, 3))).toEqual(reference('a b c d', 2, 0));
  });
});

const skip = corpusSkipReason();
if (skip) console.warn(`shingle.test: ${skip}`);

describe.skipIf(skip !== undefined)('on real prompts', () => {
  it('the in-place shingler equals the reference on every corpus prompt', () => {
    const buf = new Uint32Array(1 << 16);
    let checked = 0;
    for (const name of CORPORA) {
      for (const r of loadPromptCorpus(name) ?? []) {
        const n = shingleHashes(r.text, buf, 3, 11);
        expect(Array.from(buf.subarray(0, n))).toEqual(reference(r.text, 3, 11));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
