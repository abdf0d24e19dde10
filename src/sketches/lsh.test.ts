import { describe, expect, it } from 'vitest';
import { bandKeys, collisionProbability, falseNegativeArea, falsePositiveArea, lshParams } from './lsh.js';
import { MinHasher, estimateJaccard } from './minhash.js';
import { shingleHashes } from './shingle.js';
import { scaffoldText } from './normalize.js';
import { corpusSkipReason, loadPromptCorpus } from './prompt-corpus.js';

/**
 * (bands, rows) chosen by datasketch's `_optimal_param`, computed with its own code path
 * (scipy.integrate.quad, weights 0.5/0.5 unless given). datasketch's docs quote 0.9/128 → (5, 25).
 */
const DATASKETCH: [threshold: number, numPerm: number, bands: number, rows: number, fpW?: number, fnW?: number][] = [
  [0.5, 64, 14, 4],
  [0.7, 64, 8, 8],
  [0.9, 64, 3, 21],
  [0.5, 128, 25, 5],
  [0.7, 128, 14, 9],
  [0.9, 128, 5, 25],
  [0.3, 16, 8, 2],
  [0.8, 32, 3, 10],
  [0.95, 256, 5, 51],
  [0.5, 128, 25, 5, 0.3, 0.7],
  [0.7, 128, 11, 11, 0.7, 0.3],
  [0.8, 64, 8, 8, 0.2, 0.8],
];

/** Independent quadrature for the check: adaptive Simpson to 1e-13. */
function simpson(f: (x: number) => number, a: number, b: number): number {
  const rec = (a0: number, b0: number, fa: number, fm: number, fb: number, whole: number, depth: number): number => {
    const m = (a0 + b0) / 2;
    const lm = (a0 + m) / 2;
    const rm = (m + b0) / 2;
    const flm = f(lm);
    const frm = f(rm);
    const left = ((m - a0) / 6) * (fa + 4 * flm + fm);
    const right = ((b0 - m) / 6) * (fm + 4 * frm + fb);
    if (depth > 40 || Math.abs(left + right - whole) < 1e-13) return left + right + (left + right - whole) / 15;
    return rec(a0, m, fa, flm, fm, left, depth + 1) + rec(m, b0, fm, frm, fb, right, depth + 1);
  };
  const fa = f(a);
  const fb = f(b);
  const fm = f((a + b) / 2);
  return rec(a, b, fa, fm, fb, ((b - a) / 6) * (fa + 4 * fm + fb), 0);
}

describe('lshParams', () => {
  it.each(DATASKETCH)('threshold %d, %d perms → (%d bands, %d rows) like datasketch', (t, numPerm, bands, rows, fpW, fnW) => {
    const p = lshParams(t, numPerm, fpW, fnW);
    expect([p.bands, p.rows]).toEqual([bands, rows]);
    expect(p.bands * p.rows).toBeLessThanOrEqual(numPerm);
  });

  it('the areas agree with an independent quadrature, and the choice is the brute-force argmin', () => {
    for (const [t, numPerm] of [
      [0.5, 64],
      [0.7, 128],
      [0.9, 128],
    ]) {
      let best = Infinity;
      let arg: [number, number] = [0, 0];
      for (let b = 1; b <= numPerm; b++) {
        for (let r = 1; r <= Math.floor(numPerm / b); r++) {
          const fp = simpson((s) => 1 - (1 - s ** r) ** b, 0, t);
          const fn = simpson((s) => (1 - s ** r) ** b, t, 1);
          if (b <= 8 && r <= 8) {
            expect(falsePositiveArea(t, b, r)).toBeCloseTo(fp, 10);
            expect(falseNegativeArea(t, b, r)).toBeCloseTo(fn, 10);
          }
          const e = 0.5 * fp + 0.5 * fn;
          if (e < best) {
            best = e;
            arg = [b, r];
          }
        }
      }
      const p = lshParams(t, numPerm);
      expect([p.bands, p.rows]).toEqual(arg);
      expect(0.5 * p.falsePositive + 0.5 * p.falseNegative).toBeCloseTo(best, 10);
    }
  });

  it('the collision curve crosses 1/2 near the threshold', () => {
    for (const t of [0.5, 0.7, 0.9]) {
      const p = lshParams(t, 128);
      const crossing = Math.pow(1 / p.bands, 1 / p.rows); // the S-curve's inflection, (1/b)^(1/r)
      expect(Math.abs(crossing - t)).toBeLessThan(0.1);
      expect(collisionProbability(t + 0.1, p.bands, p.rows)).toBeGreaterThan(collisionProbability(t - 0.1, p.bands, p.rows));
    }
  });

  it('rejects impossible settings', () => {
    expect(() => lshParams(0, 64)).toThrow(RangeError);
    expect(() => lshParams(1, 64)).toThrow(RangeError);
    expect(() => lshParams(0.5, 1)).toThrow(RangeError);
    expect(() => lshParams(0.5, 64, 0, 0)).toThrow(RangeError);
  });
});

describe('bandKeys', () => {
  const params = lshParams(0.7, 64);
  const h = new MinHasher({ numPerm: 64, seed: 'lsh' });
  const buf = new Uint32Array(256);
  const sig = (text: string): Uint32Array => h.signature(buf, shingleHashes(text, buf));

  it('one safe-integer key per band; equal signatures give equal keys', () => {
    const a = bandKeys(sig('write a short poem about the sea and the wind tonight'), params);
    const b = bandKeys(sig('write a short poem about the sea and the wind tonight'), params);
    expect(a.length).toBe(params.bands);
    expect(Array.from(a)).toEqual(Array.from(b));
    for (const k of a) expect(Number.isSafeInteger(k) && k >= 0).toBe(true);
    expect(new Set(a).size).toBe(params.bands); // keys of different bands differ
  });

  it('fills a caller array (number[] or Float64Array)', () => {
    const s = sig('translate the following sentence into french please');
    const arr: number[] = [];
    expect(bandKeys(s, params, arr)).toBe(arr);
    expect(arr.length).toBe(params.bands);
    const f = new Float64Array(params.bands);
    bandKeys(s, params, f);
    expect(Array.from(f)).toEqual(arr);
    expect(() => bandKeys(s, params, new Float64Array(1))).toThrow(RangeError);
  });

  it('refuses a signature of another size; keys depend on the MinHash params id', () => {
    const small = new MinHasher({ numPerm: 32, seed: 'lsh' });
    expect(() => bandKeys(small.signature(Uint32Array.of(1, 2, 3)), params)).toThrow(RangeError);
    const other = new MinHasher({ numPerm: 64, seed: 'other' });
    const s1 = h.signature(Uint32Array.of(1, 2, 3));
    const s2 = Uint32Array.from(s1);
    s2[64] = other.paramsId;
    const k1 = bandKeys(s1, params);
    const k2 = bandKeys(s2, params);
    for (let i = 0; i < params.bands; i++) expect(k1[i]).not.toBe(k2[i]);
  });
});

const skip = corpusSkipReason();
if (skip) console.warn(`lsh.test: ${skip}`);

describe.skipIf(skip !== undefined)('on real prompt pairs', () => {
  it('pairs above the threshold collide with high probability, pairs far below rarely', () => {
    const threshold = 0.7;
    const numPerm = 64;
    const params = lshParams(threshold, numPerm);
    const prompts = [...(loadPromptCorpus('organic-sharegpt') ?? []), ...(loadPromptCorpus('distill-alpaca') ?? [])];
    let seed = 7;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const buf = new Uint32Array(1 << 14);
    const setOf = (t: string): Set<number> => new Set(buf.subarray(0, shingleHashes(t, buf)));
    const stats = { above: 0, aboveHit: 0, below: 0, belowHit: 0, expectedAbove: 0, expectedBelow: 0 };
    const ka = new Float64Array(params.bands);
    const kb = new Float64Array(params.bands);
    for (let trial = 0; trial < 3; trial++) {
      const h = new MinHasher({ numPerm, seed: `trial-${trial}` });
      for (const p of prompts) {
        const words = scaffoldText(p.text).split(' ');
        if (words.length < 20) continue;
        // Edit a share of the words: small edits keep J high, large ones push it low.
        const q = rand() < 0.5 ? rand() * 0.06 : 0.25 + rand() * 0.4;
        const a = words.join(' ');
        const b = words.map((w) => (rand() < q ? `x${Math.floor(rand() * 1e6)}` : w)).join(' ');
        const sa = setOf(a);
        const sb = setOf(b);
        let inter = 0;
        for (const x of sa) if (sb.has(x)) inter++;
        const exact = inter / (sa.size + sb.size - inter);
        bandKeys(h.signText(a), params, ka);
        bandKeys(h.signText(b), params, kb);
        let hit = false;
        for (let i = 0; i < params.bands; i++) if (ka[i] === kb[i]) hit = true;
        if (exact >= threshold + 0.1) {
          stats.above++;
          if (hit) stats.aboveHit++;
          stats.expectedAbove += collisionProbability(exact, params.bands, params.rows);
        } else if (exact <= threshold - 0.3) {
          stats.below++;
          if (hit) stats.belowHit++;
          stats.expectedBelow += collisionProbability(exact, params.bands, params.rows);
        }
        // Sanity: the MinHash estimate is what LSH acts on.
        expect(estimateJaccard(h.signText(a), h.signText(b))).toBeGreaterThanOrEqual(0);
      }
    }
    const aboveRate = stats.aboveHit / stats.above;
    const belowRate = stats.belowHit / stats.below;
    console.log(
      `LSH t=${threshold} (${params.bands}x${params.rows}): J>=${(threshold + 0.1).toFixed(1)}: ${stats.aboveHit}/${stats.above} collide ` +
        `(${(100 * aboveRate).toFixed(1)}%, theory ${((100 * stats.expectedAbove) / stats.above).toFixed(1)}%); ` +
        `J<=${(threshold - 0.3).toFixed(1)}: ${stats.belowHit}/${stats.below} (${(100 * belowRate).toFixed(2)}%, theory ${((100 * stats.expectedBelow) / stats.below).toFixed(2)}%)`,
    );
    expect(stats.above).toBeGreaterThan(500);
    expect(stats.below).toBeGreaterThan(500);
    expect(aboveRate).toBeGreaterThan(0.95);
    expect(belowRate).toBeLessThan(0.02);
    expect(Math.abs(aboveRate - stats.expectedAbove / stats.above)).toBeLessThan(0.03);
  });
});
