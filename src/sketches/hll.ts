// A small HyperLogLog (Flajolet et al. 2007) over 32-bit hashes: distinct counts in 64 bytes per account.
// Standard error ≈ 1.04/sqrt(m) = 13% for m = 64 — enough to tell "every prompt distinct" from "one prompt repeated".
// The registers may live in a byte array shared with an account's other sketches (see account-state.ts).

const M = 64;
const P = 6; // log2(M)
const ALPHA = 0.709; // alpha_64
/** 2^-rank for every register value: estimate() sums these for every group and campaign every judgement. */
const INV_POW2 = Float64Array.from({ length: 256 }, (_, rank) => 2 ** -rank);

export class Hll {
  /** Bytes of registers one sketch takes. */
  static readonly BYTES = M;

  /** Registers at bytes[at .. at + 64). */
  constructor(
    private readonly bytes = new Uint8Array(M),
    private readonly at = 0,
  ) {}

  /** The registers (a view, not a copy). */
  get regs(): Uint8Array {
    return this.bytes.subarray(this.at, this.at + M);
  }

  add(hash32: number): void {
    const h = hash32 >>> 0;
    const idx = this.at + (h >>> (32 - P));
    const w = (h << P) >>> 0;
    const rank = w === 0 ? 32 - P + 1 : Math.clz32(w) + 1;
    if (rank > this.bytes[idx]) this.bytes[idx] = rank;
  }

  /** Folds another sketch into this one (register-wise max): the union's distinct count. */
  merge(other: Hll): void {
    const a = this.bytes;
    const b = other.bytes;
    const a0 = this.at;
    const b0 = other.at;
    for (let i = 0; i < M; i++) if (b[b0 + i] > a[a0 + i]) a[a0 + i] = b[b0 + i];
  }

  clear(): void {
    this.bytes.fill(0, this.at, this.at + M);
  }

  estimate(): number {
    const regs = this.bytes;
    const a0 = this.at;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = regs[a0 + i];
      sum += INV_POW2[r];
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * M * M) / sum;
    if (raw <= 2.5 * M && zeros > 0) return M * Math.log(M / zeros); // linear counting for small sets
    return raw;
  }
}
