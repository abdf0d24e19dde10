// A campaign member's reasons, materialized when read. At every judgement that touches a campaign each
// member is scored again, because its reasons quote the campaign's evidence at that moment (member count,
// coverage, release pivot). The score needs only the weights; the reasons themselves are read far less
// often (actions that change, outputs, the API). So a member's verdict keeps the parts it is made of —
// its own evidence, the campaign's shared reasons of that judgement, its own links, what it inherited —
// all immutable snapshots, and builds the list (one reason per code, sorted) on first read: the same list
// the eager code built, byte for byte.
import { REASON_CODES, sortReasons, type Reason } from '../core/reasons.js';
import { NO_REASONS, type PendingReasons } from './account-verdicts.js';

export class MemberReasons implements PendingReasons {
  private value: readonly Reason[] | undefined = undefined;

  constructor(
    private readonly own: readonly Reason[],
    private readonly shared: readonly Reason[],
    private readonly links: readonly Reason[],
    private readonly inherited: Reason | undefined,
  ) {}

  /** Sum of the weights of the reasons the list will hold: each code once, at its strongest. */
  weight(scratch: StrongestWeights): number {
    return scratch.sum(this.own, this.shared, this.links, this.inherited);
  }

  get(): readonly Reason[] {
    if (this.value === undefined) {
      const all = [...this.own, ...this.shared, ...this.links];
      if (this.inherited) all.push(this.inherited);
      const best = strongestPerCode(all);
      this.value = best.length === 0 ? NO_REASONS : sortReasons(best);
    }
    return this.value;
  }
}

/** One reason per code: an account's own evidence and its campaign's can name the same thing. */
export function strongestPerCode(reasons: Reason[]): Reason[] {
  // A few dozen reasons at most: a linear scan beats a Map per account per judgement (kept in order of
  // each code's first appearance, the first of equal weights winning, as a Map would).
  const best: Reason[] = [];
  for (const r of reasons) {
    let k = 0;
    while (k < best.length && best[k].code !== r.code) k++;
    if (k === best.length) best.push(r);
    else if (r.weight > best[k].weight) best[k] = r;
  }
  return best.length === reasons.length ? reasons : best;
}

/** Slot of each reason code, for StrongestWeights. */
const CODE_SLOT = new Map<string, number>(Object.keys(REASON_CODES).map((code, i) => [code, i]));

/**
 * The weight of strongestPerCode(own ++ shared ++ links ++ [inherited]), summed in the same order (each
 * code at its first appearance, with its strongest weight), so the score is bit for bit the eager one,
 * without building the list. Two passes over per-code slots; the scratch is its own (one per judge).
 */
export class StrongestWeights {
  private readonly best = new Float64Array(CODE_SLOT.size);
  /** Pass number that last wrote each slot (no clearing between calls). */
  private readonly stamp = new Uint32Array(CODE_SLOT.size);
  private pass = 0;

  sum(own: readonly Reason[], shared: readonly Reason[], links: readonly Reason[], inherited: Reason | undefined): number {
    const gather = ++this.pass;
    this.gather(own, gather);
    this.gather(shared, gather);
    this.gather(links, gather);
    if (inherited !== undefined) this.gather1(inherited, gather);
    const emit = ++this.pass;
    let w = this.emit(own, gather, emit, 0);
    w = this.emit(shared, gather, emit, w);
    w = this.emit(links, gather, emit, w);
    if (inherited !== undefined) w = this.emit1(inherited, gather, emit, w);
    return w;
  }

  private gather(part: readonly Reason[], pass: number): void {
    for (let i = 0; i < part.length; i++) this.gather1(part[i], pass);
  }

  private gather1(r: Reason, pass: number): void {
    const k = slotOf(r.code);
    if (this.stamp[k] !== pass) {
      this.stamp[k] = pass;
      this.best[k] = r.weight;
    } else if (r.weight > this.best[k]) this.best[k] = r.weight;
  }

  private emit(part: readonly Reason[], gathered: number, pass: number, w: number): number {
    for (let i = 0; i < part.length; i++) w = this.emit1(part[i], gathered, pass, w);
    return w;
  }

  /** Adds the code's strongest weight at its first appearance (the slot still holds the gather pass). */
  private emit1(r: Reason, gathered: number, pass: number, w: number): number {
    const k = slotOf(r.code);
    if (this.stamp[k] !== gathered) return w;
    this.stamp[k] = pass;
    return w + this.best[k];
  }
}

function slotOf(code: string): number {
  const k = CODE_SLOT.get(code);
  if (k === undefined) throw new Error(`member reasons: unknown reason code ${code}`);
  return k;
}
