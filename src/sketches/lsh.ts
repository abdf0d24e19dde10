// MinHash LSH banding, configured by the similarity threshold (intent), not by bands.
//
// `lshParams` derives (bands, rows) exactly the way datasketch's `_optimal_param` does: for
// every b in 1..numPerm and r in 1..floor(numPerm / b) it integrates the probability that a
// pair is a false positive (collides although its Jaccard s < threshold) and a false negative
// (misses although s >= threshold),
//
//   FP(b, r) = ∫_0^t 1 − (1 − s^r)^b ds        FN(b, r) = ∫_t^1 (1 − s^r)^b ds
//
// and keeps the first (b, r) minimizing fpWeight·FP + fnWeight·FN (strict <, b then r
// ascending, as datasketch iterates). datasketch integrates with scipy's adaptive quadrature;
// here a composite 10-point Gauss–Legendre rule over 32 panels, accurate to ~1e-12 on these
// smooth integrands, so the chosen (b, r) agree (tests compare against values computed with
// scipy). Like datasketch, b·r may be less than numPerm; the remaining slots are unused.
//
// `bandKeys` turns a signature into one number per band: two seeded MurmurHash3 runs over the
// band's rows (mixed with the band index and the signature's params id) packed into a 53-bit
// safe integer, so keys from different bands or MinHash params do not collide and spurious
// collisions between different band contents are ~2^-53 per pair.

import { fmix32, murmurStep } from './hash.js';

export interface LshParams {
  readonly threshold: number;
  readonly numPerm: number;
  readonly bands: number;
  readonly rows: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
  /** FP(b, r) area for the chosen parameters. */
  readonly falsePositive: number;
  /** FN(b, r) area for the chosen parameters. */
  readonly falseNegative: number;
}

// 10-point Gauss–Legendre nodes (positive half) and weights on [-1, 1].
const GL_X = [0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845, 0.9739065285171717];
const GL_W = [0.2955242247147529, 0.2692667193099963, 0.219086362515982, 0.1494513491505806, 0.0666713443086881];
const PANELS = 32;

/** ∫_lo^hi f(s) ds by composite Gauss–Legendre. */
function integrate(f: (s: number) => number, lo: number, hi: number): number {
  if (hi <= lo) return 0;
  const h = (hi - lo) / PANELS;
  let total = 0;
  for (let p = 0; p < PANELS; p++) {
    const mid = lo + (p + 0.5) * h;
    const half = h / 2;
    let sum = 0;
    for (let j = 0; j < GL_X.length; j++) {
      const dx = half * GL_X[j];
      sum += GL_W[j] * (f(mid - dx) + f(mid + dx));
    }
    total += sum * half;
  }
  return total;
}

/** Probability that a pair with Jaccard `s` shares at least one band of `rows` rows among `bands`. */
export function collisionProbability(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

/** FP(b, r): area under the collision curve below the threshold. */
export function falsePositiveArea(threshold: number, bands: number, rows: number): number {
  return integrate((s) => collisionProbability(s, bands, rows), 0, threshold);
}

/** FN(b, r): area above the collision curve from the threshold up. */
export function falseNegativeArea(threshold: number, bands: number, rows: number): number {
  return integrate((s) => 1 - collisionProbability(s, bands, rows), threshold, 1);
}

/**
 * Bands and rows for a Jaccard `threshold`, minimizing the weighted false-positive and
 * false-negative areas (datasketch's `_optimal_param`). Call at build time: O(numPerm log numPerm)
 * integrations (a few ms for 128 permutations).
 */
export function lshParams(threshold: number, numPerm: number, fpWeight = 0.5, fnWeight = 0.5): LshParams {
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`LSH threshold must be in (0, 1), got ${threshold}`);
  if (!Number.isInteger(numPerm) || numPerm < 2) throw new RangeError(`numPerm must be an integer >= 2, got ${numPerm}`);
  if (!(fpWeight >= 0 && fpWeight <= 1 && fnWeight >= 0 && fnWeight <= 1) || fpWeight + fnWeight === 0) {
    throw new RangeError(`LSH weights must be in [0, 1] and not both 0, got ${fpWeight}, ${fnWeight}`);
  }
  let best = Infinity;
  let bands = 0;
  let rows = 0;
  let fpBest = 0;
  let fnBest = 0;
  for (let b = 1; b <= numPerm; b++) {
    const maxR = Math.floor(numPerm / b);
    for (let r = 1; r <= maxR; r++) {
      const fp = falsePositiveArea(threshold, b, r);
      const fn = falseNegativeArea(threshold, b, r);
      const err = fp * fpWeight + fn * fnWeight;
      if (err < best) {
        best = err;
        bands = b;
        rows = r;
        fpBest = fp;
        fnBest = fn;
      }
    }
  }
  return { threshold, numPerm, bands, rows, fpWeight, fnWeight, falsePositive: fpBest, falseNegative: fnBest };
}

const SEED_HI = 0x6c736831; // "lsh1"
const SEED_LO = 0x62616e64; // "band"
const TWO_32 = 4294967296;

/**
 * One key per band of a MinHash signature (numPerm + 1 slots, params id last), written into
 * `out` (a number[] or Float64Array of at least `bands` entries) or a new array. Keys are
 * non-negative integers below 2^53. Skip empty-set signatures (`isEmptySignature`): they all
 * share the same keys.
 */
export function bandKeys<T extends number[] | Float64Array = Float64Array>(sig: Uint32Array, params: LshParams, out?: T): T {
  const { numPerm, bands, rows } = params;
  if (sig.length !== numPerm + 1) {
    throw new RangeError(`signature has ${sig.length - 1} permutations, LSH params expect ${numPerm}`);
  }
  const keys = (out ?? new Float64Array(bands)) as T;
  if (out !== undefined && Array.isArray(out) && out.length < bands) out.length = bands;
  else if (keys.length < bands) throw new RangeError(`band key buffer holds ${keys.length}, need ${bands}`);
  const pid = sig[numPerm];
  for (let band = 0, at = 0; band < bands; band++) {
    let hi = murmurStep(SEED_HI ^ pid, band);
    let lo = murmurStep(SEED_LO ^ pid, band);
    for (let r = 0; r < rows; r++, at++) {
      const v = sig[at];
      hi = murmurStep(hi, v);
      lo = murmurStep(lo, v);
    }
    const len = (rows + 1) * 4;
    keys[band] = (fmix32(hi ^ len) & 0x1fffff) * TWO_32 + fmix32(lo ^ len);
  }
  return keys;
}
