// A campaign member's reasons, materialized when read. At every judgement that touches a campaign each
// member is scored again, because its reasons quote the campaign's evidence at that moment (member count,
// coverage, release pivot). The score needs only the weights; the reasons themselves are read far less
// often (actions that change, outputs, the API). So a member's verdict keeps the parts it is made of —
// its own evidence, the campaign's shared reasons of that judgement, its own links, what it inherited —
// all immutable snapshots, and builds the list (one reason per code, sorted) on first read: the same list
// the eager code built, byte for byte.
import { sortReasons, type Reason } from '../core/reasons.js';
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
  weight(): number {
    return strongestWeight(this.own, this.shared, this.links, this.inherited);
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

/**
 * The weight of strongestPerCode(own ++ shared ++ links ++ [inherited]), summed in the same order (each
 * code at its first appearance, with its strongest weight), so the score is bit for bit the eager one,
 * without building the list.
 */
function strongestWeight(own: readonly Reason[], shared: readonly Reason[], links: readonly Reason[], inherited: Reason | undefined): number {
  const parts = inherited === undefined ? [own, shared, links] : [own, shared, links, [inherited]];
  let w = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    for (let i = 0; i < part.length; i++) {
      const code = part[i].code;
      if (seenBefore(parts, p, i, code)) continue;
      let max = part[i].weight;
      for (let q = p; q < parts.length; q++) {
        const other = parts[q];
        for (let j = q === p ? i + 1 : 0; j < other.length; j++) if (other[j].code === code && other[j].weight > max) max = other[j].weight;
      }
      w += max;
    }
  }
  return w;
}

function seenBefore(parts: readonly (readonly Reason[])[], p: number, i: number, code: string): boolean {
  for (let q = 0; q <= p; q++) {
    const part = parts[q];
    const end = q === p ? i : part.length;
    for (let j = 0; j < end; j++) if (part[j].code === code) return true;
  }
  return false;
}
