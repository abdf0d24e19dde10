// What the judge keeps about each group, by the group's slot (link hands out the slots, GroupIndex):
// its suspicion and next evaluation time in columns of doubles, and, for the few groups scored with
// members, their member sums, item union, detail and co-activity flags. A slot link frees (a group
// dropped) is cleared here before link hands it out again (`release`).
import { F64Column } from '../core/columns.js';
import type { Hll } from '../sketches/hll.js';
import type { StateKinds } from '../core/state-graph.js';

/** The detail of a group never scored (evaluateGroup assigns a new object). */
const NO_DETAIL: Readonly<Record<string, number>> = Object.freeze({});

/** What only groups scored with members hold. */
export class GroupScore {
  detail: Readonly<Record<string, number>> = NO_DETAIL;
  /** Member sums for scoring (./group-aggregates.ts), from the group's first scoring on. */
  agg: Float64Array | undefined = undefined;
  /** Union of the members' reasoning-item sketches, from the first time it is asked for. */
  items: Hll | undefined = undefined;
  lockstep = false;
  loadBalanced = false;
}

export class GroupScores {
  private readonly suspicions = new F64Column(0);
  private readonly nextEvals = new F64Column(-Infinity);
  /** By slot; filled up to the highest slot seen, so the array stays dense. */
  private readonly scored: (GroupScore | undefined)[] = [];

  /** The group's suspicion from its latest evaluation, in [0, 1] (0: never evaluated). */
  suspicion(slot: number): number {
    return this.suspicions.get(slot);
  }
  setSuspicion(slot: number, v: number): void {
    this.suspicions.set(slot, v);
  }
  /** Event time before which the group is not re-evaluated unless its membership changes. */
  nextEval(slot: number): number {
    return this.nextEvals.get(slot);
  }
  setNextEval(slot: number, t: number): void {
    this.nextEvals.set(slot, t);
  }

  /** The group's scoring state, if it was ever scored with members. */
  of(slot: number): GroupScore | undefined {
    return this.scored[slot];
  }
  /** The group's scoring state, made on first use. */
  make(slot: number): GroupScore {
    let s = this.scored[slot];
    if (s === undefined) {
      while (this.scored.length < slot) this.scored.push(undefined);
      this.scored[slot] = s = new GroupScore();
    }
    return s;
  }

  /** Slots link freed (GroupIndex.releaseDropped): what the judge knew of their groups goes. */
  release(slots: readonly number[]): void {
    for (const slot of slots) {
      this.suspicions.set(slot, 0);
      this.nextEvals.set(slot, -Infinity);
      if (slot < this.scored.length) this.scored[slot] = undefined;
    }
  }
}

export const GROUP_SCORES_KINDS: StateKinds = { classes: [GroupScore, GroupScores], constants: [NO_DETAIL] };
