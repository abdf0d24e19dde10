// The link index: from each shared thing (a key along one dimension) to the accounts sharing it.
// Membership follows the accounts' current keys; groups touched since the last judgement are dirty.
import type { AccountState } from '../observe/account-state.js';
import type { Hll } from '../observe/hll.js';
import { accountKeys, dimensionOf, identityKeys, type Dimension, type TemplateKeys } from './dimensions.js';

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
  /** Event time before which the group is not re-evaluated unless its membership changes. */
  nextEval = -Infinity;
  /** Accounts joined or left since the last evaluation. */
  membershipChanged = false;
  loadBalanced = false;
  /** Member sums for scoring (judge/group-aggregates.ts), from the group's first scoring on. */
  agg: Float64Array | undefined = undefined;
  /** Union of the members' reasoning-item sketches, from the first time it is asked for. */
  items: Hll | undefined = undefined;

  constructor(
    readonly key: string,
    readonly dim: Dimension,
  ) {}
}

/** Told of every join and leave, before the group's member set changes for a leave, after for a join. */
export interface MembershipListener {
  join(g: Group, idx: number): void;
  leave(g: Group, idx: number): void;
}

export class GroupIndex {
  readonly groups = new Map<string, Group>();
  /** Current keys of each account, by account index, and the groups they name. */
  private readonly keysOf: string[][] = [];
  private readonly refsOf: Group[][] = [];
  private readonly scratch: string[] = [];
  /** Groups whose membership or members' state changed since the last judgement. */
  dirty: Group[] = [];

  constructor(
    private readonly signupWindowMs: number,
    private readonly knownTemplate?: (key: string) => boolean,
    private readonly membership?: MembershipListener,
  ) {}

  /** Template groups by template id, so the keys of an account's templates are looked up, not built. */
  private readonly templateGroups = new Map<number, Group>();
  /** Each account's identity keys and the profile version they were derived from. */
  private readonly identityOf: string[][] = [];
  private readonly identityVersion: number[] = [];

  private readonly templates: TemplateKeys = {
    key: (id) => this.templateGroups.get(id)?.key ?? `template:${id}`,
    /** A template group already judged suspicious and shared by several accounts, or one a peer reported. */
    hot: (id) => {
      const g = this.templateGroups.get(id);
      if (g !== undefined && g.suspicion >= HOT_SUSPICION && g.members.size >= HOT_MEMBERS) return true;
      return this.knownTemplate !== undefined && this.knownTemplate(g?.key ?? `template:${id}`);
    },
  };

  groupsOf(idx: number): readonly string[] {
    return this.keysOf[idx] ?? [];
  }

  /** The groups the account belongs to (same order as groupsOf). */
  refs(idx: number): readonly Group[] {
    return this.refsOf[idx] ?? NONE;
  }

  get(key: string): Group | undefined {
    return this.groups.get(key);
  }

  /** Re-derives the account's keys, moves it between groups, marks its groups dirty. */
  update(s: AccountState): void {
    let identity = this.identityOf[s.idx];
    if (identity === undefined || this.identityVersion[s.idx] !== s.profileVersion) {
      identity = this.identityOf[s.idx] = identityKeys(s, this.signupWindowMs, []);
      this.identityVersion[s.idx] = s.profileVersion;
    }
    const next = accountKeys(s, this.signupWindowMs, this.scratch, this.templates, identity);
    const prev = this.keysOf[s.idx] ?? [];
    const prevRefs = this.refsOf[s.idx] ?? NONE;
    if (sameKeys(prev, next)) {
      // Same groups: only their members' state changed.
      for (const g of prevRefs) this.touch(g);
      return;
    }
    for (let i = 0; i < prev.length; i++) {
      if (!next.includes(prev[i])) {
        const g = prevRefs[i];
        this.membership?.leave(g, s.idx);
        g.members.delete(s.idx);
        g.membershipChanged = true;
        // An emptied group that never linked anyone holds nothing worth keeping.
        if (g.members.size === 0 && g.anchors.length === 0) this.drop(g);
        else this.touch(g);
      }
    }
    const refs: Group[] = [];
    for (const k of next) {
      let g = this.groups.get(k);
      if (!g) {
        g = new Group(k, dimensionOf(k));
        this.groups.set(k, g);
        if (g.dim === 'template') this.templateGroups.set(templateIdOf(k), g);
      }
      if (!g.members.has(s.idx)) {
        g.members.add(s.idx);
        g.membershipChanged = true;
        this.membership?.join(g, s.idx);
      }
      this.touch(g);
      refs.push(g);
    }
    this.keysOf[s.idx] = next.slice();
    this.refsOf[s.idx] = refs;
  }

  private drop(g: Group): void {
    this.groups.delete(g.key);
    if (g.dim === 'template') this.templateGroups.delete(templateIdOf(g.key));
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

const NONE: readonly Group[] = [];

function templateIdOf(key: string): number {
  return Number(key.slice(key.indexOf(':') + 1));
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
