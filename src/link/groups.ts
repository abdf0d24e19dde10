// The link index: from each shared thing (a key along one dimension) to the accounts sharing it.
// Membership follows the accounts' current keys; groups touched since the last judgement are dirty.
import type { AccountState } from '../observe/account-state.js';
import { accountKeys, dimensionOf, type Dimension } from './dimensions.js';

const HOT_SUSPICION = 0.5;
const HOT_MEMBERS = 5;

export class Group {
  readonly members = new Set<number>();
  dirty = false;
  /** Suspicion from the latest evaluation, in [0, 1]. */
  suspicion = 0;
  /** A few eligible members that newcomers are tested against for a pairwise link. */
  readonly anchors: number[] = [];
  detail: Record<string, number> = {};
  lockstep = false;
  /** Event time before which a large group is not re-evaluated. */
  nextEval = -Infinity;
  loadBalanced = false;

  constructor(
    readonly key: string,
    readonly dim: Dimension,
  ) {}
}

export class GroupIndex {
  readonly groups = new Map<string, Group>();
  /** Current keys of each account, by account index. */
  private readonly keysOf: string[][] = [];
  private readonly scratch: string[] = [];
  /** Groups whose membership or members' state changed since the last judgement. */
  dirty: Group[] = [];

  constructor(private readonly signupWindowMs: number) {}

  /** A template group already judged suspicious and shared by several accounts. */
  private readonly isHot = (key: string): boolean => {
    const g = this.groups.get(key);
    return g !== undefined && g.suspicion >= HOT_SUSPICION && g.members.size >= HOT_MEMBERS;
  };

  groupsOf(idx: number): readonly string[] {
    return this.keysOf[idx] ?? [];
  }

  get(key: string): Group | undefined {
    return this.groups.get(key);
  }

  /** Re-derives the account's keys, moves it between groups, marks its groups dirty. */
  update(s: AccountState): void {
    const next = accountKeys(s, this.signupWindowMs, this.scratch, this.isHot);
    const prev = this.keysOf[s.idx] ?? [];
    for (const k of prev) {
      if (!next.includes(k)) {
        const g = this.groups.get(k);
        if (g) {
          g.members.delete(s.idx);
          this.touch(g);
        }
      }
    }
    for (const k of next) {
      let g = this.groups.get(k);
      if (!g) {
        g = new Group(k, dimensionOf(k));
        this.groups.set(k, g);
      }
      g.members.add(s.idx);
      this.touch(g);
    }
    this.keysOf[s.idx] = next.slice();
  }

  touch(g: Group): void {
    if (!g.dirty) {
      g.dirty = true;
      this.dirty.push(g);
    }
  }

  /** The dirty groups, cleared for the next judgement. */
  takeDirty(): Group[] {
    const d = this.dirty;
    this.dirty = [];
    for (const g of d) g.dirty = false;
    return d;
  }
}
