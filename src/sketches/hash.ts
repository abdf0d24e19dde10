// Fast seeded 32-bit hashing of JavaScript strings, without encoding them first.
//
// `murmur3` is MurmurHash3 x86_32 over the string's UTF-16 code units taken two at a time as
// little-endian 32-bit blocks: the result equals murmur3_32 of the string's UTF-16LE bytes, so it
// can be checked against any byte-oriented reference (the tests do), and it never allocates a
// Buffer. It is not a cryptographic hash: anything an outsider must not be able to predict is
// keyed with HMAC instead (see keyed-hash.ts and the seeds of minhash.ts).

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** One MurmurHash3 block step: mixes the 32-bit block `k` into the running hash `h`. */
export function murmurStep(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's tail step for a partial (1..3 byte) last block `k`. */
export function murmurTail(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  return h ^ k;
}

/** MurmurHash3's finalizer: a bijection on 32 bits with full avalanche. Returns an unsigned value. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Finishes a MurmurHash3 run over `byteLength` bytes. Unsigned result. */
export function murmurFinish(h: number, byteLength: number): number {
  return fmix32(h ^ byteLength);
}

/**
 * MurmurHash3 x86_32 of `str.slice(start, end)` read as UTF-16LE, seeded. No allocation.
 * Unsigned 32-bit result.
 */
export function murmur3Range(str: string, start: number, end: number, seed = 0): number {
  let h = seed | 0;
  let i = start;
  const pairsEnd = start + ((end - start) & ~1);
  for (; i < pairsEnd; i += 2) {
    h = murmurStep(h, str.charCodeAt(i) | (str.charCodeAt(i + 1) << 16));
  }
  if (i < end) h = murmurTail(h, str.charCodeAt(i));
  return murmurFinish(h, (end - start) * 2);
}

/** MurmurHash3 x86_32 of the whole string read as UTF-16LE, seeded. Unsigned 32-bit result. */
export function murmur3(str: string, seed = 0): number {
  return murmur3Range(str, 0, str.length, seed);
}

/** MurmurHash3 x86_32 of a run of UTF-16 code units held in a typed array. */
export function murmur3Codes(codes: Uint16Array, start: number, end: number, seed = 0): number {
  let h = seed | 0;
  let i = start;
  const pairsEnd = start + ((end - start) & ~1);
  for (; i < pairsEnd; i += 2) h = murmurStep(h, codes[i] | (codes[i + 1] << 16));
  if (i < end) h = murmurTail(h, codes[i]);
  return murmurFinish(h, (end - start) * 2);
}

/** MurmurHash3 x86_32 over a sequence of 32-bit words (e.g. word hashes making up a shingle). */
export function murmur3Words(words: ArrayLike<number>, start: number, end: number, seed = 0): number {
  let h = seed | 0;
  for (let i = start; i < end; i++) h = murmurStep(h, words[i]);
  return murmurFinish(h, (end - start) * 4);
}

/** Alias of `murmur3`: the project's general-purpose seeded 32-bit string hash. */
export const hash32: (str: string, seed?: number) => number = murmur3;

/**
 * MurmurHash3 x86_32 of a text fed piece by piece (UTF-16 code units, two to a block, as murmur3
 * reads a string), so that a text made of several values need not be built as a string first: the
 * same result as murmur3 of the whole text. Whole numbers are fed digit by digit, anything else as
 * its template-literal text.
 */
export class MurmurText {
  private h = 0;
  /** A code unit waiting for its block's second half, or -1. */
  private half = -1;
  private units = 0;
  private readonly digits = new Uint8Array(16);

  start(seed: number): this {
    this.h = seed | 0;
    this.half = -1;
    this.units = 0;
    return this;
  }

  char(code: number): void {
    this.units++;
    if (this.half < 0) this.half = code;
    else {
      this.h = murmurStep(this.h, this.half | (code << 16));
      this.half = -1;
    }
  }

  /** Feeds `${v}`. */
  value(v: unknown): void {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
      // `${v}` of a whole number below 2^53 is its decimal digits (-0 reads "0").
      let n = v;
      let k = 0;
      do {
        this.digits[k++] = n % 10;
        n = Math.floor(n / 10);
      } while (n > 0);
      while (k > 0) this.char(0x30 + this.digits[--k]); // "0"…"9"
      return;
    }
    const str = typeof v === 'string' ? v : `${v as string}`;
    for (let i = 0; i < str.length; i++) this.char(str.charCodeAt(i));
  }

  finish(): number {
    let h = this.h;
    if (this.half >= 0) h = murmurTail(h, this.half);
    return murmurFinish(h, this.units * 2);
  }
}
