// What scanPhrases (./phrase-scan.ts) replaced, kept as its definition: phraseHashes as it was (mask each
// run of digits with a regex, shingle the masked copy, sample, dedupe) and numberPrint's own pass. For
// its test and its benchmark only (the engine runs the one pass).
import { fmix32 } from '../sketches/hash.js';
import { shingleHashes } from '../sketches/shingle.js';
import { numberPrint } from './phrase-frequency.js';

export function referencePhrases(text: string, words: Uint32Array, sampleBits: number): { phrases: number[]; numbers: number } {
  const n = shingleHashes(text.replace(/[0-9]+/g, '0'), words, 4);
  const phrases: number[] = [];
  const keep = 32 - sampleBits;
  let m = n;
  if (sampleBits > 0) {
    m = 0;
    for (let i = 0; i < n; i++) if (fmix32(words[i]) >>> keep === 0) words[m++] = words[i];
  }
  const sorted = words.subarray(0, m).sort();
  for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) phrases.push(sorted[i]);
  return { phrases, numbers: numberPrint(text) };
}
