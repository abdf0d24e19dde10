// The decode worker's phrases and numbers of a prompt: the one pass (scanPhrases) against what it
// replaced (regex mask + shingles, then a number pass), alternated round by round on the real prompt
// corpora. A benchmark, not a test: speed is never asserted.
//   npm run build && node dist/src/link/phrase-scan.bench.js
import { CORPORA, corpusSkipReason, loadPromptCorpus } from '../sketches/prompt-corpus.js';
import { scanPhrases } from './phrase-scan.js';
import { referencePhrases } from './phrase-scan-reference.js';

const skip = corpusSkipReason();
if (skip) {
  console.log(`phrase-scan.bench: ${skip}`);
} else {
  const texts = CORPORA.flatMap((name) => (loadPromptCorpus(name) ?? []).map((r) => r.text));
  const words = new Uint32Array(2048);
  const out: number[] = [];
  let sink = 0;
  const onePass = (): void => {
    for (const t of texts) sink += scanPhrases(t, out, words, 3) + out.length;
  };
  const before = (): void => {
    for (const t of texts) sink += referencePhrases(t, words, 3).numbers;
  };
  const timed = (f: () => void): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  onePass();
  before();
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < 9; round++) {
    b.push(timed(before));
    a.push(timed(onePass));
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  const chars = texts.reduce((s, t) => s + t.length, 0);
  console.log(`${texts.length} real prompts (${Math.round(chars / texts.length)} chars on average), 9 alternated rounds, medians:`);
  console.log(`  regex mask + shingles, number pass: ${median(b).toFixed(1)} ms`);
  console.log(`  scanPhrases (one pass):             ${median(a).toFixed(1)} ms (${(median(b) / median(a)).toFixed(2)}x faster)`);
  if (sink === 0.5) console.log(sink);
}
