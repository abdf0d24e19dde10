// Opaque ids. Every id of every kind, for every label, comes from this one function, so
// nothing in an id's length, alphabet or order can tell a campaign account from an organic one.
import type { Rng } from './rng.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case
export const ID_CHARS = 20; // 100 random bits: collisions are negligible at any scale we run

export function opaqueId(rng: Rng, prefix: string): string {
  let s = prefix;
  let word = 0;
  let left = 0;
  for (let i = 0; i < ID_CHARS; i++) {
    if (left === 0) {
      word = rng.u32();
      left = 6;
    }
    s += ALPHABET[word & 31];
    word >>>= 5;
    left--;
  }
  return s;
}

export const ID_PATTERN = /^[a-z]+_[0-9a-hjkmnp-tv-z]{20}$/;
