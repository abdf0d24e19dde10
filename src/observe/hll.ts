// A small HyperLogLog (Flajolet et al. 2007) over 32-bit hashes: distinct counts in 64 bytes per account.
// Standard error ≈ 1.04/sqrt(m) = 13% for m = 64 — enough to tell "every prompt distinct" from "one prompt repeated".

const M = 64;
const P = 6; // log2(M)
const ALPHA = 0.709; // alpha_64
/** 2^-rank for every register value: estimate() sums these for every group and campaign every judgement. */
const INV_POW2 = Float64Array.from({ length: 256 }, (_, rank) => 2 ** -rank);

export class Hll {
  readonly regs = new Uint8Array(M);

  add(hash32: number): void {
    const h = hash32 >>> 0;
    const idx = h >>> (32 - P);
    const w = (h << P) >>> 0;
    const rank = w === 0 ? 32 - P + 1 : Math.clz32(w) + 1;
    if (rank > this.regs[idx]) this.regs[idx] = rank;
  }

  /** Folds another sketch into this one (register-wise max): the union's distinct count. */
  merge(other: Hll): void {
    for (let i = 0; i < M; i++) if (other.regs[i] > this.regs[i]) this.regs[i] = other.regs[i];
  }

  clear(): void {
    this.regs.fill(0);
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.regs[i];
      sum += INV_POW2[r];
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * M * M) / sum;
    if (raw <= 2.5 * M && zeros > 0) return M * Math.log(M / zeros); // linear counting for small sets
    return raw;
  }
}
