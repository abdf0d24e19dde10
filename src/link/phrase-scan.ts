// A prompt's phrases and numbers in one pass over its code units. Phrases are word 4-grams with every
// run of digits masked to one '0' (what `text.replace(/[0-9]+/g, '0')` then `shingleHashes` gave:
// the same hashes, without building the masked copy of the prompt); the numbers are what the mask
// hides, so the pass that masks a run of digits also hashes it into the prompt's number fingerprint
// (numberPrint). Runs on the decode worker for every exchange (engine/presketch.ts).
import { fmix32 } from '../sketches/hash.js';
import { hashWords, shingleWordHashes, type NumberSum } from '../sketches/shingle.js';

/** Words of a phrase (the project's word shingles, k = 4). */
const PHRASE_WORDS = 4;

/**
 * Distinct hashed phrases of `text` into `out` (ascending; `sampleBits` > 0 keeps one phrase in
 * 2^sampleBits, chosen by its hash, so the same phrases are kept in every prompt), with `scratch` for
 * the word hashes (words beyond its length are ignored). Returns the text's number fingerprint
 * (numberPrint: the sum of a hash of each run of ASCII digits, 0 for none), over the whole text.
 */
export function scanPhrases(text: string, out: number[], scratch: Uint32Array, sampleBits: number): number {
  const numbers: NumberSum = { sum: 0 };
  const words = hashWords(text, scratch, 0, numbers);
  const n = shingleWordHashes(scratch, words, PHRASE_WORDS, 0);
  out.length = 0;
  const keep = 32 - sampleBits;
  let m = n;
  if (sampleBits > 0) {
    m = 0;
    for (let i = 0; i < n; i++) if (fmix32(scratch[i]) >>> keep === 0) scratch[m++] = scratch[i];
  }
  const sorted = scratch.subarray(0, m).sort();
  for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]);
  return numbers.sum >>> 0;
}
