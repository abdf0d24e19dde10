// Word k-shingles, each hashed once to 32 bits into a caller-owned Uint32Array.
//
// Tokens: a word is a maximal run of word code units: ASCII letters, digits, '_' and '<' '>'
// (so the scaffold placeholders `<q>`, `<code>`, `<url>` stay distinct from the words "q",
// "code", "url"), and any non-ASCII code unit that is not whitespace or punctuation (accented
// Latin, Cyrillic, Arabic, Devanagari, Hangul, surrogate pairs). Han ideographs and kana form
// one token per character, since Chinese and Japanese do not separate words with spaces.
// ASCII letters are case-folded while hashing, so raw text and scaffolds shingle alike.
//
// Each word is hashed once (MurmurHash3 over its code units); a shingle's hash is MurmurHash3
// over its k word hashes. Word hashes are written into `out` first and shingles overwrite them
// in place (shingle i reads words i..i+k-1 before writing slot i), so no scratch is needed.

import { fmix32, murmurFinish, murmurStep, murmurTail } from './hash.js';

/** Code-unit classes. */
const SEP = 0;
const WORD = 1;
/** A code unit that is a token on its own (Han ideographs, kana). */
const SOLO = 2;

function buildClassTable(): Uint8Array {
  const t = new Uint8Array(65536).fill(WORD);
  const sep = (from: number, to: number): void => {
    t.fill(SEP, from, to + 1);
  };
  // ASCII: everything but letters, digits, '_', '<', '>' separates.
  sep(0x00, 0x7f);
  t.fill(WORD, 0x30, 0x3a); // 0-9
  t.fill(WORD, 0x41, 0x5b); // A-Z
  t.fill(WORD, 0x61, 0x7b); // a-z
  t[0x5f] = WORD; // _
  t[0x3c] = WORD; // <
  t[0x3e] = WORD; // >
  sep(0x80, 0xbf); // C1 controls, NBSP, Latin-1 punctuation and symbols
  t[0xaa] = WORD; // ª
  t[0xb2] = WORD; // ²
  t[0xb3] = WORD; // ³
  t[0xb5] = WORD; // µ
  t[0xb9] = WORD; // ¹
  t[0xba] = WORD; // º
  t[0xd7] = SEP; // ×
  t[0xf7] = SEP; // ÷
  t[0x1680] = SEP;
  sep(0x2000, 0x206f); // general punctuation, typographic spaces, ZW chars
  sep(0x20a0, 0x20cf); // currency symbols
  sep(0x2190, 0x23ff); // arrows, math operators, technical
  sep(0x2500, 0x27bf); // box drawing, shapes, dingbats
  sep(0x2e00, 0x2e7f); // supplemental punctuation
  sep(0x3000, 0x303f); // CJK symbols and punctuation, ideographic space
  t.fill(SOLO, 0x3040, 0x3100); // hiragana, katakana
  t.fill(SOLO, 0x3400, 0x4dc0); // CJK extension A
  t.fill(SOLO, 0x4e00, 0xa000); // CJK unified ideographs
  t.fill(SOLO, 0xf900, 0xfb00); // CJK compatibility ideographs
  sep(0xfe30, 0xfe4f); // CJK compatibility forms
  t[0xfeff] = SEP; // BOM / ZWNBSP
  sep(0xff01, 0xff0f); // full-width punctuation
  sep(0xff1a, 0xff20);
  sep(0xff3b, 0xff40);
  sep(0xff5b, 0xff65);
  return t;
}

/** Class of each UTF-16 code unit; shared, read-only after module load. */
export const CODE_CLASS: Uint8Array = buildClassTable();

export const DEFAULT_SHINGLE_K = 3;

/**
 * Hashes the word k-shingles of `text` into `out` and returns how many were written.
 *
 * - Texts with fewer than `k` words (but at least one) yield a single shingle of all their words.
 * - Words beyond `out.length` are ignored: size `out` for the texts you feed (a 2,000-char
 *   scaffold has at most ~1,000 words).
 * - Duplicated shingles are written as often as they occur; MinHash does not care.
 */
export function shingleHashes(text: string, out: Uint32Array, k = DEFAULT_SHINGLE_K, seed = 0): number {
  if (!(k >= 1)) throw new RangeError(`shingle k must be >= 1, got ${k}`);
  return shingleWordHashes(out, hashWords(text, out, seed), k, seed);
}

/** Where `hashWords` adds up the runs of digits it masked: a holder the caller owns and reuses. */
export interface NumberSum {
  sum: number;
}

/**
 * The first half of `shingleHashes`: the hash of each word of `text` into `out` (words beyond its
 * length are ignored); returns how many. With `numbers`, each run of ASCII digits is one code unit '0'
 * of its word (the words of `text.replace(/[0-9]+/g, '0')`, without making that copy) and a hash of
 * the run's digits is added to `numbers.sum`, over the whole text: an order-free fingerprint of the
 * numbers the text states (link/phrase-frequency.ts numberPrint), found by the same pass.
 */
export function hashWords(text: string, out: Uint32Array, seed: number, numbers?: NumberSum): number {
  const cap = out.length;
  const len = text.length;
  let n = 0;
  let h = seed | 0;
  let half = -1; // first code unit of a pending pair, -1 when none
  let units = 0; // code units in the current word
  let v = 0; // hash of the current run of digits
  let inNumber = false;
  for (let i = 0; i < len; i++) {
    let c = text.charCodeAt(i);
    if (numbers !== undefined) {
      if (c >= 0x30 && c <= 0x39) {
        v = (Math.imul(v, 31) + c) | 0;
        if (inNumber) continue; // the run is one '0' of its word, already hashed
        inNumber = true;
        c = 0x30;
      } else if (inNumber) {
        numbers.sum = (numbers.sum + fmix32(v >>> 0)) | 0;
        v = 0;
        inNumber = false;
      }
      if (n >= cap) continue; // words past `out` are ignored, numbers are not
    } else if (n >= cap) break;
    const cls = CODE_CLASS[c];
    if (cls === WORD) {
      if (c - 0x41 < 26 && c >= 0x41) c += 32; // ASCII case fold
      if (half < 0) {
        half = c;
      } else {
        h = murmurStep(h, half | (c << 16));
        half = -1;
      }
      units++;
      continue;
    }
    if (units > 0) {
      if (half >= 0) h = murmurTail(h, half);
      out[n++] = murmurFinish(h, units * 2);
      h = seed | 0;
      half = -1;
      units = 0;
    }
    if (cls === SOLO && n < cap) out[n++] = murmurFinish(murmurTail(seed | 0, c), 2);
  }
  if (inNumber) numbers!.sum = (numbers!.sum + fmix32(v >>> 0)) | 0;
  if (units > 0 && n < cap) {
    if (half >= 0) h = murmurTail(h, half);
    out[n++] = murmurFinish(h, units * 2);
  }
  return n;
}

/**
 * The second half of `shingleHashes`: the `n` word hashes at the start of `out` become its k-shingle
 * hashes, in place (a text of fewer than k words, one shingle of all of them). Returns how many.
 */
export function shingleWordHashes(out: Uint32Array, n: number, k: number, seed: number): number {
  if (n === 0) return 0;
  const kk = k < n ? k : n;
  const shingles = n - kk + 1;
  const shingleSeed = (seed ^ Math.imul(kk, 0x9e3779b1)) | 0;
  for (let i = 0; i < shingles; i++) {
    let s = shingleSeed;
    for (let j = 0; j < kk; j++) s = murmurStep(s, out[i + j]);
    out[i] = murmurFinish(s, kk * 4);
  }
  return shingles;
}

/** Splits `text` into the words `shingleHashes` sees (for tests, debugging and reports; allocates). */
export function shingleWords(text: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const cls = i < text.length ? CODE_CLASS[text.charCodeAt(i)] : SEP;
    if (cls === WORD) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      words.push(text.slice(start, i).replace(/[A-Z]/g, (ch) => ch.toLowerCase()));
      start = -1;
    }
    if (cls === SOLO) words.push(text[i]);
  }
  return words;
}
