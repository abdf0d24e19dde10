// Tagger throughput on the real prompt corpora (a benchmark, not a test: speed is never asserted).
//   npm run build && node dist/src/signals/content-tags.bench.js
import { CORPORA, corpusSkipReason, loadPromptCorpus } from '../sketches/prompt-corpus.js';
import { HEAD_CHARS, TAIL_CHARS, tagCapabilities } from './content-tags.js';

const skip = corpusSkipReason();
if (skip) {
  console.log(`content-tags.bench: ${skip}`);
} else {
  const texts = CORPORA.flatMap((name) => (loadPromptCorpus(name) ?? []).map((r) => r.text));
  for (const t of texts) tagCapabilities(t, '', 0, false); // warm-up
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (const t of texts) tagCapabilities(t, '', 0, false);
    rates.push(texts.length / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  const meanChars = texts.reduce((s, t) => s + Math.min(t.length, HEAD_CHARS + TAIL_CHARS), 0) / texts.length;
  console.log(`tagCapabilities: median ${Math.round(rates[2] / 1000)}k prompts/s over ${texts.length} real prompts (5 rounds, mean ${meanChars.toFixed(0)} chars read)`);
}
