// A query distribution unlike the background: a population-calibrated two-sample test. A pipeline feeds
// its accounts items from one payload set chosen for what it wants to learn, so the items its accounts
// send are drawn from another distribution than the queries of people around them; a library's users
// paste its snippets on their own questions, which are the background's.
//
// - Features: an exchange's item phrases (its sampled word 4-grams minus tradecraft and common
//   language: what it asks, not how it asks) hashed into `dim` signed buckets (feature hashing), the
//   vector scaled to unit length. An account's profile is the mean of its first `k` exchanges' vectors:
//   every profile, a member's or a background account's, averages the same number of exchanges, so a
//   split of the background strays by chance as much as a group of members would (a profile of fewer
//   exchanges is noisier, and a threshold drawn from less noisy ones would call it unlike).
// - Statistic: the unbiased squared MMD with the linear kernel between the group's member profiles and
//   a background sample's (the squared distance between the two mean embeddings, each sample's own
//   diagonal removed). The unit is the account: one person's exchanges are not independent draws.
// - Calibration: the threshold is the (1 - alpha) quantile of the same statistic over random splits of
//   the background sample itself (n accounts against the rest), n the group's size: benign against
//   benign at the stated false-positive rate. The group is tested against the whole sample (less noisy
//   than a split's rest), so the threshold errs high.
// Bounded: `dim` floats per tracked account (candidate members and the background sample), a fixed
// background sample, and a cache of thresholds per size.
import { fmix32 } from '../sketches/hash.js';

/** One exchange's features: `phrases` hashed into `out` (signed buckets), scaled to unit length. False when it had none. */
export function hashedFeatures(phrases: ArrayLike<number>, out: Float32Array): boolean {
  out.fill(0);
  const mask = out.length - 1;
  for (let i = 0; i < phrases.length; i++) {
    const h = fmix32((phrases[i] ^ 0x5bd1e995) >>> 0);
    out[h & mask] += (h & 0x80000000) === 0 ? 1 : -1;
  }
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += out[i] * out[i];
  if (norm === 0) return false;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i] *= inv;
  return true;
}

/** Per account, the sum of its first `k` exchanges' feature vectors and their count. */
export class QueryProfiles {
  private readonly sums = new Map<number, Float32Array>();
  private readonly counts = new Map<number, number>();

  constructor(
    readonly dim: number,
    readonly k: number,
  ) {
    if (dim < 2 || (dim & (dim - 1)) !== 0) throw new Error(`query profiles: dim ${dim} is not a power of two`);
    if (k < 1) throw new Error(`query profiles: k ${k} < 1`);
  }

  add(idx: number, features: Float32Array): void {
    const n = this.counts.get(idx) ?? 0;
    if (n >= this.k) return;
    let s = this.sums.get(idx);
    if (!s) this.sums.set(idx, (s = new Float32Array(this.dim)));
    for (let i = 0; i < s.length; i++) s[i] += features[i];
    this.counts.set(idx, n + 1);
  }

  /** The account's profile (the mean of its first k vectors), or undefined before it has k. */
  mean(idx: number): Float32Array | undefined {
    const s = this.sums.get(idx);
    const n = this.counts.get(idx) ?? 0;
    if (!s || n < this.k) return undefined;
    const out = new Float32Array(this.dim);
    for (let i = 0; i < out.length; i++) out[i] = s[i] / n;
    return out;
  }

  has(idx: number): boolean {
    return this.sums.has(idx);
  }

  accounts(): IterableIterator<number> {
    return this.sums.keys();
  }

  delete(idx: number): void {
    this.sums.delete(idx);
    this.counts.delete(idx);
  }

  get size(): number {
    return this.sums.size;
  }

  get bytes(): number {
    return this.sums.size * (this.dim * 4 + 48);
  }
}

/** The unbiased squared MMD (linear kernel) between two samples of profiles (each at least 2). */
export function mmd2(x: readonly Float32Array[], y: readonly Float32Array[]): number {
  const dim = x[0].length;
  const sx = new Float64Array(dim);
  const sy = new Float64Array(dim);
  let dx = 0;
  let dy = 0;
  for (const v of x) {
    for (let i = 0; i < dim; i++) {
      sx[i] += v[i];
      dx += v[i] * v[i];
    }
  }
  for (const v of y) {
    for (let i = 0; i < dim; i++) {
      sy[i] += v[i];
      dy += v[i] * v[i];
    }
  }
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < dim; i++) {
    xx += sx[i] * sx[i];
    yy += sy[i] * sy[i];
    xy += sx[i] * sy[i];
  }
  const n = x.length;
  const m = y.length;
  return (xx - dx) / (n * (n - 1)) + (yy - dy) / (m * (m - 1)) - (2 * xy) / (n * m);
}

export interface DistributionRule {
  /** False-positive rate the threshold is set at, over benign-against-benign splits. */
  alpha: number;
  /** Splits drawn per calibration (at least 1/alpha, so the quantile is inside the draws). */
  splits: number;
  /** Fewest group members and background accounts with a profile before the test speaks. */
  minMembers: number;
  minBackground: number;
}

export interface DistributionResult {
  /** The group's statistic, the threshold at its size, members and background accounts tested. */
  mmd: number;
  threshold: number;
  members: number;
  background: number;
  /** The statistic is above the threshold: the group's queries are unlike the background's. */
  unlike: boolean;
}

/** The calibrated test: thresholds per group size (powers of two), drawn from splits of the background sample, re-drawn when the sample grew by half. */
export class DistributionTest {
  private readonly thresholds = new Map<number, { at: number; value: number }>();

  constructor(readonly rule: DistributionRule) {
    if (rule.splits * rule.alpha < 1) throw new Error(`distribution test: ${rule.splits} splits cannot place a ${rule.alpha} quantile`);
  }

  /** Tests `group` against `background` (profiles); at most half the background's size of members are used (the first, in the caller's order). */
  test(group: readonly Float32Array[], background: readonly Float32Array[]): DistributionResult | undefined {
    const r = this.rule;
    if (background.length < r.minBackground) return undefined;
    const n = Math.min(group.length, background.length >> 1);
    if (n < r.minMembers) return undefined;
    const x = group.length === n ? group : group.slice(0, n);
    const mmd = mmd2(x, background);
    // Calibrated at the largest power of two not above n: a smaller sample's threshold is higher (errs high), and one calibration serves many sizes.
    const threshold = this.threshold(2 ** Math.floor(Math.log2(n)), background);
    return { mmd, threshold, members: n, background: background.length, unlike: mmd > threshold };
  }

  /** The (1 - alpha) quantile of the statistic over splits of the background: n accounts against the rest. */
  threshold(n: number, background: readonly Float32Array[]): number {
    const cached = this.thresholds.get(n);
    if (cached && background.length < cached.at * 1.5) return cached.value;
    const stats: number[] = [];
    const order = background.map((_, i) => i);
    let seed = (n * 0x9e3779b1) >>> 0;
    for (let s = 0; s < this.rule.splits; s++) {
      // A partial Fisher-Yates shuffle with a seeded hash: the same draws for the same sample.
      for (let i = 0; i < n; i++) {
        seed = fmix32((seed + 0x6d2b79f5) >>> 0);
        const j = i + (seed % (order.length - i));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const x: Float32Array[] = [];
      const y: Float32Array[] = [];
      for (let i = 0; i < order.length; i++) {
        if (i < n) x.push(background[order[i]]);
        else y.push(background[order[i]]);
      }
      stats.push(mmd2(x, y));
    }
    stats.sort((a, b) => a - b);
    const value = stats[Math.min(stats.length - 1, Math.ceil((1 - this.rule.alpha) * stats.length) - 1)];
    this.thresholds.set(n, { at: background.length, value });
    return value;
  }
}

/** The account is one of the background's (its index hashes into one in mask + 1): the same ones in every run, whatever they send. */
export function sampledAccount(idx: number, mask: number): boolean {
  return (fmix32((idx ^ 0x27d4eb2f) >>> 0) & mask) === 0;
}

/**
 * The background sample: the accounts whose index hashes into one in 2^`sampleBits` (the same ones in
 * every run, whatever they send), up to `capacity`, with their profiles over all their openers.
 */
export class BackgroundSample {
  readonly profiles: QueryProfiles;
  private readonly mask: number;

  constructor(
    dim: number,
    k: number,
    readonly capacity: number,
    sampleBits: number,
  ) {
    this.profiles = new QueryProfiles(dim, k);
    this.mask = (1 << sampleBits) - 1;
  }

  /** The account is (or may become) part of the sample. */
  holds(idx: number): boolean {
    if (!sampledAccount(idx, this.mask)) return false;
    return this.profiles.has(idx) || this.profiles.size < this.capacity;
  }

  /** The profiles of the sampled accounts that `exclude` does not name (accounts under suspicion are not background). */
  sample(exclude: (idx: number) => boolean, out: Float32Array[] = []): Float32Array[] {
    out.length = 0;
    for (const idx of this.profiles.accounts()) {
      if (exclude(idx)) continue;
      const v = this.profiles.mean(idx);
      if (v) out.push(v);
    }
    return out;
  }
}
