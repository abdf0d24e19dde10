import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CORPORA, corpusSkipReason, loadPromptCorpus } from '../sketches/prompt-corpus.js';
import { scanPhrases } from './phrase-scan.js';
import { referencePhrases } from './phrase-scan-reference.js';

function reference(text: string, cap: number, sampleBits: number): { phrases: number[]; numbers: number } {
  return referencePhrases(text, new Uint32Array(cap), sampleBits);
}

function scanned(text: string, cap: number, sampleBits: number): { phrases: number[]; numbers: number } {
  const phrases: number[] = [];
  const numbers = scanPhrases(text, phrases, new Uint32Array(cap), sampleBits);
  return { phrases, numbers };
}

describe('scanPhrases', () => {
  it('masks each run of digits to one word unit and fingerprints the runs', () => {
    const a = scanned('buys 7 boxes of 23 apples today', 64, 0);
    const b = scanned('buys 4 boxes of 61 apples today', 64, 0);
    expect(a.phrases).toEqual(b.phrases);
    expect(a.numbers).not.toBe(b.numbers);
    expect(scanned('x12y and more words here', 64, 0)).toEqual(reference('x12y and more words here', 64, 0));
    expect(scanned('no numbers in this one', 64, 0).numbers).toBe(0);
  });

  it('keeps counting numbers past the words the scratch holds', () => {
    const text = 'one two three four five six seven 42';
    const few = scanned(text, 3, 0);
    expect(few).toEqual(reference(text, 3, 0));
    expect(few.numbers).toBe(scanned(text, 64, 0).numbers);
  });

  it('equals the regex-masked shingles on generated text (digits, CJK, surrogates, punctuation; small and large scratch)', () => {
    const unit = fc.constantFrom('a', 'B', 'z', '0', '7', '9', ' ', '.', '\n', '_', '<', '>', 'é', 'Ж', '中', 'か', '\u2014', '\ud83d', '\ude00', '½');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 200 }), fc.constantFrom(2, 5, 64, 2048), fc.integer({ min: 0, max: 4 }), (units, cap, bits) => {
        const text = units.join('');
        expect(scanned(text, cap, bits)).toEqual(reference(text, cap, bits));
      }),
      { numRuns: 2000 },
    );
  });
});

const skip = corpusSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('scanPhrases on the real prompt corpora', () => {
  it('equals the regex-masked shingles and the number pass on every prompt', () => {
    let texts = 0;
    for (const name of CORPORA) {
      for (const r of loadPromptCorpus(name) ?? []) {
        expect(scanned(r.text, 2048, 3)).toEqual(reference(r.text, 2048, 3));
        texts++;
      }
    }
    expect(texts).toBeGreaterThan(10_000);
  });
});
