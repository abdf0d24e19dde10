import { describe, expect, it } from 'vitest';
import { fmix32 } from '../sketches/hash.js';
import { BackgroundSample, DistributionTest, hashedFeatures, mmd2, QueryProfiles } from './query-distribution.js';

const DIM = 64;
const rule = { alpha: 0.01, splits: 200, minMembers: 5, minBackground: 64 };

/**
 * An account's profile over `exchanges` exchanges: each one's phrases drawn from a vocabulary of
 * `vocab` phrases starting at `base`, with a Zipf-like skew (a few phrases common, most rare), as
 * people's word 4-grams are. `seed` makes each account its own.
 */
function profile(seed: number, exchanges: number, base: number, vocab: number): Float32Array {
  const p = new QueryProfiles(DIM, exchanges);
  const f = new Float32Array(DIM);
  let s = seed >>> 0;
  for (let e = 0; e < exchanges; e++) {
    const phrases: number[] = [];
    for (let k = 0; k < 10; k++) {
      s = fmix32((s + 0x9e3779b9) >>> 0);
      const u = (s >>> 8) / 2 ** 24;
      phrases.push(base + Math.floor(vocab * u * u));
    }
    if (hashedFeatures(phrases, f)) p.add(0, f);
  }
  return p.mean(0)!;
}

const population = (n: number, from: number, base: number, vocab = 400): Float32Array[] => Array.from({ length: n }, (_, i) => profile(from + i, 12, base, vocab));

describe('hashedFeatures', () => {
  it('is a unit vector, the same for the same phrases, and says when there were none', () => {
    const a = new Float32Array(DIM);
    const b = new Float32Array(DIM);
    expect(hashedFeatures([1, 2, 3, 99], a)).toBe(true);
    hashedFeatures([1, 2, 3, 99], b);
    expect(a).toEqual(b);
    expect(a.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 5);
    expect(hashedFeatures([], a)).toBe(false);
  });
});

describe('mmd2', () => {
  it('equals the unbiased estimator written pairwise', () => {
    const x = population(6, 1, 0);
    const y = population(7, 100, 0);
    const dot = (u: Float32Array, v: Float32Array): number => u.reduce((s, ui, i) => s + ui * v[i], 0);
    let xx = 0;
    let yy = 0;
    let xy = 0;
    for (let i = 0; i < x.length; i++) for (let j = 0; j < x.length; j++) if (i !== j) xx += dot(x[i], x[j]);
    for (let i = 0; i < y.length; i++) for (let j = 0; j < y.length; j++) if (i !== j) yy += dot(y[i], y[j]);
    for (const u of x) for (const v of y) xy += dot(u, v);
    const want = xx / (6 * 5) + yy / (7 * 6) - (2 * xy) / (6 * 7);
    expect(mmd2(x, y)).toBeCloseTo(want, 6);
  });
});

describe('DistributionTest', () => {
  const background = population(400, 10_000, 0);

  it('calibrated on benign splits: benign groups pass at about the stated rate', () => {
    const t = new DistributionTest(rule);
    let unlike = 0;
    for (let g = 0; g < 60; g++) if (t.test(population(20, 50_000 + g * 20, 0), background)!.unlike) unlike++;
    // alpha 0.01 (at a size calibrated one power of two below: errs high): 60 groups, at most a few.
    expect(unlike).toBeLessThanOrEqual(3);
  });

  it('a group whose queries come from another distribution is unlike the background; a mix is judged by its share', () => {
    const t = new DistributionTest(rule);
    const foreign = population(20, 90_000, 1_000_000);
    expect(t.test(foreign, background)!.unlike).toBe(true);
    // The same accounts with a twentieth of their exchanges from the payload set: indistinguishable at 20 accounts.
    const mixed = Array.from({ length: 20 }, (_, i) => {
      const own = profile(70_000 + i, 19, 0, 400);
      const payload = profile(80_000 + i, 1, 1_000_000, 400);
      return own.map((v, k) => (v * 19 + payload[k]) / 20);
    });
    expect(t.test(mixed, background)!.unlike).toBe(false);
  });

  it('says nothing on too small a group or background', () => {
    const t = new DistributionTest(rule);
    expect(t.test(population(4, 1, 0), background)).toBeUndefined();
    expect(t.test(population(20, 1, 0), background.slice(0, 63))).toBeUndefined();
    // At most half the background is used as the group.
    expect(t.test(population(300, 1, 0), background.slice(0, 100))!.members).toBe(50);
    expect(() => new DistributionTest({ ...rule, splits: 50 })).toThrow(/quantile/);
  });

  it('the threshold falls with the group size (a larger sample of benign accounts strays less)', () => {
    const t = new DistributionTest(rule);
    expect(t.threshold(8, background)).toBeGreaterThan(t.threshold(64, background));
  });
});

describe('BackgroundSample', () => {
  it('keeps a fixed sample of accounts chosen by their index, up to its capacity', () => {
    const b = new BackgroundSample(DIM, 1, 10, 2);
    const f = new Float32Array(DIM);
    hashedFeatures([1, 2, 3], f);
    let held = 0;
    for (let idx = 0; idx < 1000; idx++) {
      if (!b.holds(idx)) continue;
      b.profiles.add(idx, f);
      held++;
    }
    expect(held).toBe(10);
    expect(b.sample(() => false)).toHaveLength(10);
    const first = [...b.profiles.accounts()][0];
    expect(b.sample((i) => i === first)).toHaveLength(9);
  });
});
