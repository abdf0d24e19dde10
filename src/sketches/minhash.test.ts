import { describe, expect, it } from 'vitest';
import {
  EMPTY_SLOT,
  MinHasher,
  SketchMismatchError,
  estimateJaccard,
  isEmptySignature,
  signatureParamsId,
  type MinHashAlgorithm,
} from './minhash.js';
import { shingleHashes } from './shingle.js';
import { fmix32, murmurStep } from './hash.js';
import { deriveUint32s } from './seed.js';
import { scaffoldText } from './normalize.js';
import { corpusSkipReason, loadPromptCorpus } from './prompt-corpus.js';
import { mulberry32 } from '../core/prng.js';

/** Random 32-bit values: the project's mulberry32 (a u32 / 2^32, so scaling back is exact). */
function prng(seed: number): () => number {
  const r = mulberry32(seed);
  return () => (r() * 4294967296) >>> 0;
}

/** Two sets of random 32-bit values with `shared` common elements and `onlyA`/`onlyB` own ones. */
function sets(seed: number, shared: number, onlyA: number, onlyB: number): [Uint32Array, Uint32Array, number] {
  const r = prng(seed);
  const common = Array.from({ length: shared }, r);
  const a = Uint32Array.from([...common, ...Array.from({ length: onlyA }, r)]);
  const b = Uint32Array.from([...common, ...Array.from({ length: onlyB }, r)]);
  return [a, b, shared / (shared + onlyA + onlyB)];
}

const ALGORITHMS: MinHashAlgorithm[] = ['oph', 'kperm'];

describe.each(ALGORITHMS)('MinHasher (%s)', (algorithm) => {
  it('is deterministic for a seed and differs across seeds', () => {
    const [a] = sets(1, 50, 50, 0);
    const h1 = new MinHasher({ numPerm: 64, seed: 'community-key', algorithm });
    const h2 = new MinHasher({ numPerm: 64, seed: 'community-key', algorithm });
    const h3 = new MinHasher({ numPerm: 64, seed: 'other-key', algorithm });
    expect(Array.from(h1.signature(a))).toEqual(Array.from(h2.signature(a)));
    expect(h1.paramsId).toBe(h2.paramsId);
    expect(h3.paramsId).not.toBe(h1.paramsId);
    const s1 = h1.signature(a);
    const s3 = h3.signature(a);
    let equal = 0;
    for (let i = 0; i < 64; i++) if (s1[i] === s3[i]) equal++;
    expect(equal).toBeLessThan(8);
  });

  it('accepts string, byte and numeric seeds; a string seed equals its UTF-8 bytes', () => {
    const fromString = new MinHasher({ seed: 'k', algorithm });
    const fromBytes = new MinHasher({ seed: new TextEncoder().encode('k'), algorithm });
    const fromNumber = new MinHasher({ seed: 7, algorithm });
    expect(fromBytes.paramsId).toBe(fromString.paramsId);
    expect(fromNumber.paramsId).not.toBe(fromString.paramsId);
    expect(() => new MinHasher({ seed: -1, algorithm })).toThrow(RangeError);
  });

  it('signature layout: numPerm values + params id; identical sets estimate 1', () => {
    const h = new MinHasher({ numPerm: 32, seed: 1, algorithm });
    const [a] = sets(2, 40, 0, 0);
    const sig = h.signature(a);
    expect(sig.length).toBe(33);
    expect(signatureParamsId(sig)).toBe(h.paramsId);
    expect(h.paramsKey).toMatch(new RegExp(`^minhash/v1/${algorithm}/32/[0-9a-f]{8}$`));
    const shuffled = Uint32Array.from([...a].reverse());
    expect(estimateJaccard(sig, h.signature(shuffled))).toBe(1);
    // Duplicates do not change a set.
    expect(Array.from(h.signature(Uint32Array.from([...a, ...a])))).toEqual(Array.from(sig));
  });

  it('disjoint sets estimate ~0', () => {
    const h = new MinHasher({ numPerm: 128, seed: 3, algorithm });
    const [a, b] = sets(3, 0, 200, 200);
    expect(estimateJaccard(h.signature(a), h.signature(b))).toBeLessThan(0.05);
  });

  it('the empty set: all EMPTY_SLOT, similarity 0 with anything', () => {
    const h = new MinHasher({ numPerm: 16, seed: 4, algorithm });
    const empty = h.signature(new Uint32Array(0));
    expect(isEmptySignature(empty)).toBe(true);
    expect(empty[0]).toBe(EMPTY_SLOT);
    expect(estimateJaccard(empty, empty)).toBe(0);
    const [a] = sets(4, 1, 0, 0);
    expect(isEmptySignature(h.signature(a))).toBe(false);
    expect(estimateJaccard(empty, h.signature(a))).toBe(0);
  });

  it('refuses to compare signatures of other params', () => {
    const [a] = sets(5, 20, 0, 0);
    const h = new MinHasher({ numPerm: 64, seed: 'x', algorithm });
    const otherSeed = new MinHasher({ numPerm: 64, seed: 'y', algorithm });
    const otherSize = new MinHasher({ numPerm: 32, seed: 'x', algorithm });
    expect(() => estimateJaccard(h.signature(a), otherSeed.signature(a))).toThrow(SketchMismatchError);
    expect(() => estimateJaccard(h.signature(a), otherSize.signature(a))).toThrow(SketchMismatchError);
  });

  it('writes into a caller buffer and validates it', () => {
    const h = new MinHasher({ numPerm: 16, seed: 5, algorithm });
    const [a] = sets(6, 30, 0, 0);
    const out = h.newSignature();
    expect(h.signature(a, a.length, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(h.signature(a)));
    expect(() => h.signature(a, a.length, new Uint32Array(16))).toThrow(RangeError);
    expect(() => h.signature(a, a.length + 1)).toThrow(RangeError);
  });

  it('signText equals shingling then signing', () => {
    const h = new MinHasher({ numPerm: 64, seed: 6, algorithm });
    const text = 'solve the following problem step by step and put the final answer last';
    const buf = new Uint32Array(64);
    const n = shingleHashes(text, buf, 3);
    expect(Array.from(h.signText(text))).toEqual(Array.from(h.signature(buf, n)));
  });

  it.each([
    [200, 200, 200],
    [300, 50, 50],
    [50, 200, 100],
    [10, 0, 5],
  ])('estimates Jaccard of random sets (shared %d, only-A %d, only-B %d) without bias and within 4 sigma', (shared, onlyA, onlyB) => {
    const numPerm = 128;
    let sum = 0;
    const trials = 40;
    for (let t = 0; t < trials; t++) {
      const [a, b, exact] = sets(100 + t, shared, onlyA, onlyB);
      const h = new MinHasher({ numPerm, seed: t, algorithm });
      const est = estimateJaccard(h.signature(a), h.signature(b));
      const sigma = Math.sqrt((exact * (1 - exact)) / numPerm);
      expect(Math.abs(est - exact)).toBeLessThanOrEqual(4 * sigma + 1e-9);
      sum += est;
    }
    const exact = shared / (shared + onlyA + onlyB);
    expect(Math.abs(sum / trials - exact)).toBeLessThan(0.02);
  });
});

/** The documented 'oph' algorithm, written naively: keyed bijection, bins by top bits, probe densification. */
function referenceOph(values: Uint32Array, k: number, seed: string): number[] {
  const mix = deriveUint32s(seed, `minhash/v1/oph/${k}/mix`, 5);
  const bins: (number | undefined)[] = new Array(k).fill(undefined);
  for (const v of values) {
    let x = v ^ (mix[0] | 0);
    x = Math.imul(x, mix[1] | 1);
    x ^= x >>> 16;
    x = Math.imul(x, mix[2] | 1);
    x ^= x >>> 13;
    x = Math.imul(x, mix[3] | 1);
    x = (x ^ (x >>> 16)) >>> 0;
    const bin = ((x >>> 16) * k) >>> 16;
    if (bins[bin] === undefined || x < (bins[bin] as number)) bins[bin] = x;
  }
  if (values.length === 0) return new Array(k).fill(EMPTY_SLOT);
  return bins.map((v, i) => {
    if (v !== undefined) return v;
    for (let attempt = 1; ; attempt++) {
      const p = ((fmix32(murmurStep(murmurStep(mix[4] | 0, i), attempt)) >>> 16) * k) >>> 16;
      if (bins[p] !== undefined) return bins[p] as number;
    }
  });
}

describe('one-permutation hashing with densification on sets smaller than the signature', () => {
  it.each([16, 64, 128, 300])('equals the naive reference algorithm for %d bins, sparse to full (both densification paths)', (k) => {
    const h = new MinHasher({ numPerm: k, seed: 'reference' });
    const r = prng(k);
    for (const size of [0, 1, 2, 3, 5, 8, 11, 13, 20, 40, 80, 200, 1000]) {
      const values = Uint32Array.from({ length: size }, r);
      expect(Array.from(h.signature(values).subarray(0, k))).toEqual(referenceOph(values, k, 'reference'));
    }
  });


  it('stays unbiased (8 + 4 + 4 elements in 64 bins: J = 0.5)', () => {
    let sum = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const [a, b, exact] = sets(7000 + t, 8, 4, 4);
      expect(exact).toBe(0.5);
      const h = new MinHasher({ numPerm: 64, seed: t, algorithm: 'oph' });
      sum += estimateJaccard(h.signature(a), h.signature(b));
    }
    expect(Math.abs(sum / trials - 0.5)).toBeLessThan(0.02);
  });

  it('a one-shingle text fills every slot by densification', () => {
    const h = new MinHasher({ numPerm: 64, seed: 'x' });
    const sig = h.signature(Uint32Array.of(123456789));
    expect(new Set(Array.from(sig.subarray(0, 64))).size).toBe(1);
  });
});

const skip = corpusSkipReason();
if (skip) console.warn(`minhash.test: ${skip}`);

describe.skipIf(skip !== undefined)('on real prompt pairs', () => {
  it('mean absolute error against exact Jaccard is near the k-permutation bound', () => {
    const prompts = [...(loadPromptCorpus('organic-sharegpt') ?? []), ...(loadPromptCorpus('distill-alpaca') ?? [])].slice(0, 3000);
    const r = prng(99);
    const vocab = prompts.flatMap((p) => p.text.split(/\s+/).slice(0, 20));
    const buf = new Uint32Array(1 << 14);
    const setOf = (t: string): Set<number> => {
      const n = shingleHashes(t, buf);
      return new Set(buf.subarray(0, n));
    };
    const results: Record<string, { mae: number; theory: number }> = {};
    for (const algorithm of ALGORITHMS) {
      const h = new MinHasher({ numPerm: 64, seed: 'real-pairs', algorithm });
      let err = 0;
      let theory = 0;
      let n = 0;
      for (const p of prompts) {
        const words = p.text.split(/\s+/).filter(Boolean).slice(0, 300);
        if (words.length < 8) continue;
        const q = (r() / 4294967296) * 0.7;
        const a = scaffoldText(words.join(' '));
        const b = scaffoldText(words.map((w) => ((r() / 4294967296) < q ? vocab[r() % vocab.length] : w)).join(' '));
        const sa = setOf(a);
        const sb = setOf(b);
        let inter = 0;
        for (const x of sa) if (sb.has(x)) inter++;
        const exact = sa.size + sb.size - inter === 0 ? 0 : inter / (sa.size + sb.size - inter);
        err += Math.abs(estimateJaccard(h.signText(a), h.signText(b)) - exact);
        theory += Math.sqrt(((2 / Math.PI) * exact * (1 - exact)) / 64);
        n++;
      }
      results[algorithm] = { mae: err / n, theory: theory / n };
    }
    console.log(`MinHash MAE on real prompt pairs (64 perms): ${JSON.stringify(results)}`);
    for (const algorithm of ALGORITHMS) {
      expect(results[algorithm].mae).toBeLessThan(results[algorithm].theory * 1.25);
    }
  });
});
