// What a linked set of accounts asks for as a whole — exchanges, reasoning-eliciting prompts, counts by
// capability and the union of reasoning items — kept as running sums per union-find root: a campaign
// is re-judged every tick one of its members is active, and summing hundreds of members each time was
// a large share of the judgement. Sets only grow (union), so sums merge on union and grow by the exchanges
// of each judgement period (./pending-exchanges.ts);
// integer sums and register maxima give exactly what a pass over the members gives.
import type { CampaignEvidenceParams } from '../config/scoring.js';
import type { Reason } from '../core/reasons.js';
import type { AccountState } from '../observe/account-state.js';
import { Hll } from '../sketches/hll.js';
import { harvestBreadth } from '../signals/content.js';
import type { Tally } from './pending-exchanges.js';
import { addCounts, CAPS, emptyAggregate, EXCHANGES, HOURS, REASONING_PROMPTS } from './group-aggregates.js';

/**
 * A set's traffic counts in a group's layout, added and counted as ./group-aggregates.ts does (the
 * flag slots stay 0: campaigns are not scored on them), and the union of its reasoning items.
 */
export class CoverageSums {
  readonly agg = emptyAggregate();
  readonly items = new Hll();

  get exchanges(): number {
    return this.agg[EXCHANGES];
  }
  get eliciting(): number {
    return this.agg[REASONING_PROMPTS];
  }
  get caps(): Float64Array {
    return this.agg.subarray(CAPS, HOURS);
  }

  add(m: AccountState): void {
    addCounts(this.agg, m, 1);
    this.items.merge(m.reasoningItems);
  }

  merge(o: CoverageSums): void {
    for (let i = 0; i < this.agg.length; i++) this.agg[i] += o.agg[i];
    this.items.merge(o.items);
  }
}

/** Running sums by union-find root, for the sets that have been judged as campaigns. */
export class CampaignCoverage {
  private readonly byRoot = new Map<number, CoverageSums>();

  /** The set's sums, summed over its members the first time they are asked for. */
  of(root: number, members: readonly AccountState[]): CoverageSums {
    let sums = this.byRoot.get(root);
    if (sums === undefined) {
      sums = new CoverageSums();
      for (const m of members) sums.add(m);
      this.byRoot.set(root, sums);
    }
    return sums;
  }

  /** An account's exchanges since the last judgement (./pending-exchanges.ts); its set is rooted at `root`. */
  countTally(root: number, t: Tally): void {
    const sums = this.byRoot.get(root);
    if (sums === undefined) return;
    t.addInto(sums.agg);
    for (const item of t.items) sums.items.add(item);
  }

  /**
   * Two sets are about to be joined: takes both sets' sums out as one (a side without sums brings its
   * members in from scratch), or undefined when neither has any. `attach` files it under the new root.
   */
  detach(ra: number, rb: number, membersA: () => readonly AccountState[], membersB: () => readonly AccountState[]): CoverageSums | undefined {
    const a = this.byRoot.get(ra);
    const b = this.byRoot.get(rb);
    if (a === undefined && b === undefined) return undefined;
    this.byRoot.delete(ra);
    this.byRoot.delete(rb);
    if (a !== undefined && b !== undefined) {
      a.merge(b);
      return a;
    }
    const sums = (a ?? b)!;
    for (const m of a === undefined ? membersA() : membersB()) sums.add(m);
    return sums;
  }

  /** An analyst split the set of `root`: its sums go, and each part sums its members again when next judged. */
  forget(root: number): void {
    this.byRoot.delete(root);
  }

  attach(root: number, sums: CoverageSums): void {
    this.byRoot.set(root, sums);
  }

  /** The roots with sums, and their sums. */
  entries(): IterableIterator<[number, CoverageSums]> {
    return this.byRoot.entries();
  }
}

/**
 * Systematic coverage by the campaign as a whole: many harvest capabilities, reasoning elicited on a
 * large share, each item asked once. Spread over many low-rate accounts (and cover traffic), no single
 * account shows it; the operation does.
 */
export function campaignCoverage(sums: CoverageSums, accounts: number, p: CampaignEvidenceParams, breadthShare: number): Reason | undefined {
  const { exchanges, eliciting } = sums;
  if (exchanges < p.coverageMinExchanges || eliciting < p.coverageMinEliciting) return undefined;
  const breadth = harvestBreadth(sums.caps, exchanges, breadthShare);
  const elicitingShare = eliciting / exchanges;
  const distinct = Math.min(1, sums.items.estimate() / eliciting);
  if (breadth < p.coverageBreadth || elicitingShare < p.coverageElicitingShare || distinct < p.coverageDistinct) return undefined;
  return { code: 'topic_coverage', weight: p.coverageWeight, detail: { scope: 'campaign', capabilities: breadth, eliciting_share: elicitingShare, distinct_items: distinct, accounts } };
}
