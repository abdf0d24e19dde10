// The link index: from each shared thing (a key along one dimension) to the accounts sharing it.
// Membership follows the accounts' current keys; groups touched since the last judgement are dirty.
import { DEFAULT_SCORING, type ScoringParams } from '../config/scoring.js';
import type { AccountState } from '../observe/account-state.js';
import { DIMENSIONS, dimensionOf, identityKeys, trafficKeys, type Dimension, type TemplateKeys, type TrafficKeyParams } from './dimensions.js';
import type { StateKinds } from '../core/state-graph.js';


/** Members a list is scanned through before has() builds an index of it. */
const SCAN_MEMBERS = 32;
/** A left member's place in the list. */
const GONE = -1;

/**
 * The accounts of a group, answering as a Set of account indexes would (same answers, same insertion
 * order) for a fraction of its memory: one member inline (most keys name one account: its own card),
 * then a list in insertion order where a member that left leaves a gap (GONE) until the list is
 * compacted. A Set costs ~28 bytes per member and a sign-up cohort or carrier network holds thousands;
 * the list costs ~10. Membership tests (has) on a long list use an index built on first use: the judge
 * asks only of suspicious groups. Not to be changed while iterated.
 */
export class MemberSet implements Iterable<number> {
  /** Without a list: the only member (GONE: none). With one: how many members it holds. */
  private n = GONE;
  private list: number[] | undefined = undefined;
  private index: Set<number> | undefined = undefined;

  get size(): number {
    return this.list !== undefined ? this.n : this.n >= 0 ? 1 : 0;
  }

  has(idx: number): boolean {
    if (idx < 0) return false;
    const list = this.list;
    if (list === undefined) return idx === this.n;
    if (this.index !== undefined) return this.index.has(idx);
    if (list.length <= SCAN_MEMBERS) return list.includes(idx);
    const index = (this.index = new Set<number>());
    for (const m of list) if (m >= 0) index.add(m);
    return index.has(idx);
  }

  add(idx: number): this {
    if (!this.has(idx)) this.join(idx);
    return this;
  }

  /** Adds an account known not to be a member (GroupIndex knows from the account's previous groups). */
  join(idx: number): void {
    if (idx < 0) throw new RangeError(`MemberSet: account index ${idx}`);
    const list = this.list;
    if (list === undefined) {
      if (this.n < 0) this.n = idx;
      else {
        this.list = [this.n, idx];
        this.n = 2;
      }
      return;
    }
    list.push(idx);
    this.n++;
    this.index?.add(idx);
  }

  delete(idx: number): boolean {
    if (idx < 0) return false;
    const list = this.list;
    if (list === undefined) {
      if (idx !== this.n) return false;
      this.n = GONE;
      return true;
    }
    const at = list.lastIndexOf(idx);
    if (at < 0) return false;
    list[at] = GONE;
    this.n--;
    this.index?.delete(idx);
    // Gaps outnumbering members: close them (order kept).
    if (list.length - this.n > Math.max(8, this.n)) this.list = list.filter((m) => m >= 0);
    return true;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    const list = this.list;
    if (list === undefined) {
      if (this.n >= 0) yield this.n;
      return;
    }
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      if (m >= 0) yield m;
    }
  }
}

// Group.bits: two yes/no facts, then the dimension's index in DIMS.
const DIRTY = 1;
const MEMBERSHIP_CHANGED = 2;
const DIM_AT = 2;
const DIMS = Object.keys(DIMENSIONS) as Dimension[];

/**
 * The accounts sharing one key. A group is its member set (`members` is the group itself); most groups
 * hold one account (its own card), so a group keeps its yes/no facts in one integer. What later stages
 * conclude about a group (the judge's suspicion, sums, detail) they keep by its `slot`.
 */
export class Group extends MemberSet {
  private bits: number;

  /** `slot`: the group's number in its index, dense and reused after the group is dropped (-1: outside any index). */
  constructor(
    readonly key: string,
    dim: Dimension,
    readonly slot = -1,
  ) {
    super();
    const d = DIMS.indexOf(dim);
    if (d < 0) throw new Error(`Group ${key}: unknown dimension ${dim}`);
    this.bits = d << DIM_AT;
  }

  get dim(): Dimension {
    return DIMS[this.bits >>> DIM_AT];
  }

  get members(): MemberSet {
    return this;
  }

  private flag(bit: number, on: boolean): void {
    this.bits = on ? this.bits | bit : this.bits & ~bit;
  }

  get dirty(): boolean {
    return (this.bits & DIRTY) !== 0;
  }
  set dirty(on: boolean) {
    this.flag(DIRTY, on);
  }
  /** Accounts joined or left since the last evaluation. */
  get membershipChanged(): boolean {
    return (this.bits & MEMBERSHIP_CHANGED) !== 0;
  }
  set membershipChanged(on: boolean) {
    this.flag(MEMBERSHIP_CHANGED, on);
  }
}

/** The groups an account left and joined in one update (in that order): what follows membership (the judge's member sums) moves with it. */
export interface MembershipMoves {
  readonly left: readonly Group[];
  readonly joined: readonly Group[];
}

/** What link reads of the judge's view of a group (the judge implements it, as part of LinkFeedback). */
export interface GroupSuspicion {
  /** The group's suspicion from the judge's latest evaluation, in [0, 1]. */
  suspicion(g: Group): number;
}

export class GroupIndex {
  /** Slots of dropped groups, handed out again first; `nextSlot` the next never used. */
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  /** Dropped during the current judgement; their slots are released after it. */
  private readonly dropped: Group[] = [];
  /** A few eligible members of a group that newcomers are tested against for a pairwise link, by slot (few groups have any). */
  private readonly anchorsOf = new Map<number, number[]>();
  readonly groups = new Map<string, Group>();
  /**
   * The groups each account belongs to, by account index, identity groups first: their keys are the
   * account's current keys (no second list of key strings per account).
   */
  private readonly refsOf: (readonly Group[])[] = [];
  /**
   * How many of refsOf[idx] are identity groups, by account index; -1 (or absent): the identity keys
   * are derived again at the next update (the profile changed: `profileChanged`).
   */
  private readonly identityOf: number[] = [];
  private readonly scratch: string[] = [];
  /** The account's new groups in update (undefined: not found yet). */
  private readonly scratchRefs: (Group | undefined)[] = [];
  private readonly left: Group[] = [];
  private readonly joined: Group[] = [];
  private readonly moves: MembershipMoves = { left: this.left, joined: this.joined };
  /** Groups whose membership or members' state changed since the last judgement. */
  dirty: Group[] = [];

  constructor(
    private readonly signupWindowMs: number,
    private readonly knownTemplate?: (key: string) => boolean,
    /** When a template group is hot (joined from first use): its suspicion and members; when traffic keys describe an account. */
    private readonly scoring: Pick<ScoringParams, 'hotSuspicion' | 'hotMembers'> & TrafficKeyParams = DEFAULT_SCORING,
  ) {}

  /** Template groups by template id, so the keys of an account's templates are looked up, not built. */
  private readonly templateGroups = new Map<number, Group>();

  /** Template keys as the judge last found them: hot when already judged suspicious and shared by several accounts, or reported by a peer. */
  private templatesOf(judged: GroupSuspicion): TemplateKeys {
    if (this.templatesFor !== judged) {
      this.templatesFor = judged;
      this.templates = {
        key: (id) => this.templateGroups.get(id)?.key ?? `template:${id}`,
        hot: (id) => {
          const g = this.templateGroups.get(id);
          if (g !== undefined && judged.suspicion(g) >= this.scoring.hotSuspicion && g.members.size >= this.scoring.hotMembers) return true;
          return this.knownTemplate !== undefined && this.knownTemplate(g?.key ?? `template:${id}`);
        },
      };
    }
    return this.templates!;
  }
  private templatesFor: GroupSuspicion | undefined = undefined;
  private templates: TemplateKeys | undefined = undefined;

  /** A few eligible members that newcomers are tested against for a pairwise link (made on first use). */
  anchors(g: Group): number[] {
    let a = this.anchorsOf.get(g.slot);
    if (a === undefined) this.anchorsOf.set(g.slot, (a = []));
    return a;
  }

  /** Whether the group ever took an anchor (without making the list). */
  anchored(g: Group): boolean {
    const a = this.anchorsOf.get(g.slot);
    return a !== undefined && a.length > 0;
  }

  /** The account's profile changed: its identity keys are derived again at its next update. */
  profileChanged(idx: number): void {
    if (idx < this.identityOf.length) this.identityOf[idx] = -1;
  }

  /** The account's current keys (same order as refs). */
  groupsOf(idx: number): readonly string[] {
    return this.refs(idx).map((g) => g.key);
  }

  /** The groups the account belongs to (same order as groupsOf). */
  refs(idx: number): readonly Group[] {
    return this.refsOf[idx] ?? NONE;
  }

  get(key: string): Group | undefined {
    return this.groups.get(key);
  }

  /**
   * Re-derives the account's keys, moves it between groups, marks its groups dirty. `judged`: the
   * judge's latest suspicion of each group (templates of suspicious groups are joined from first use).
   * Returns the groups left and joined (valid until the next call).
   */
  update(s: AccountState, judged: GroupSuspicion): MembershipMoves {
    const idx = s.idx;
    this.left.length = 0;
    this.joined.length = 0;
    const prevRefs = this.refsOf[idx] ?? NONE;
    const next = this.scratch;
    // Identity keys change only with the profile: until then they are the keys of the first groups.
    const known = this.identityOf[idx] ?? -1;
    let identity: number;
    if (known < 0) {
      identityKeys(s, this.signupWindowMs, next);
      identity = next.length;
    } else {
      identity = known;
      next.length = 0;
      for (let i = 0; i < identity; i++) next.push(prevRefs[i].key);
    }
    trafficKeys(s, next, this.templatesOf(judged), this.scoring);
    if (sameKeys(prevRefs, next)) {
      // Same groups: only their members' state changed.
      for (const g of prevRefs) this.touch(g);
      this.keepIdentity(idx, identity);
      return this.moves;
    }
    // First the groups of the keys it keeps, at their places in next: found among its groups, not in the
    // map of every group (which grows with the accounts: a cache miss or two per lookup at scale).
    const refs = this.scratchRefs;
    refs.length = 0;
    for (let i = 0; i < next.length; i++) refs.push(undefined);
    for (let i = 0; i < prevRefs.length; i++) {
      const g = prevRefs[i];
      const at = next.indexOf(g.key);
      if (at >= 0) refs[at] = g;
      else {
        this.left.push(g);
        g.members.delete(idx);
        g.membershipChanged = true;
        // An emptied group that never linked anyone holds nothing worth keeping.
        if (g.members.size === 0 && !this.anchored(g)) this.drop(g);
        else this.touch(g);
      }
    }
    for (let i = 0; i < next.length; i++) {
      const k = next[i];
      // A kept key's group is the map's: the account is still its member, so it was not dropped.
      let g = refs[i] ?? this.groups.get(k);
      if (!g) {
        g = new Group(k, dimensionOf(k), this.freeSlots.pop() ?? this.nextSlot++);
        this.groups.set(k, g);
        if (g.dim === 'template') this.templateGroups.set(templateIdOf(k), g);
      }
      // A member of the groups it had (refsOf), of no other: no lookup in the group's members.
      if (!prevRefs.includes(g) && !refs.includes(g)) {
        g.members.join(idx);
        g.membershipChanged = true;
        this.joined.push(g);
      }
      this.touch(g);
      refs[i] = g;
    }
    this.refsOf[idx] = refs.length === 0 ? NONE : (refs.slice() as Group[]);
    this.keepIdentity(idx, identity);
    return this.moves;
  }

  private keepIdentity(idx: number, count: number): void {
    // Filled up to idx (a far write would turn the array into a dictionary).
    while (this.identityOf.length < idx) this.identityOf.push(-1);
    this.identityOf[idx] = count;
  }

  private drop(g: Group): void {
    this.groups.delete(g.key);
    if (g.dim === 'template') this.templateGroups.delete(templateIdOf(g.key));
    this.dropped.push(g);
  }

  /**
   * Groups dropped since the last call give their slots back, to be handed out again: called once a
   * judgement is over, when nothing reads them any more. Returns the slots (valid until the next call),
   * so that what other stages keep by slot can be cleared.
   */
  releaseDropped(): readonly number[] {
    if (this.dropped.length === 0) return NO_SLOTS;
    const slots = this.dropped.map((g) => g.slot);
    for (const slot of slots) this.freeSlots.push(slot);
    this.dropped.length = 0;
    return slots;
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
const NO_SLOTS: readonly number[] = [];

function templateIdOf(key: string): number {
  return Number(key.slice(key.indexOf(':') + 1));
}

function sameKeys(a: readonly Group[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].key !== b[i]) return false;
  return true;
}

/** For a checkpoint: the classes, and the shared empty lists compared by identity. */
export const GROUPS_KINDS: StateKinds = {
  classes: [MemberSet, Group, GroupIndex],
  constants: [NONE, NO_SLOTS],
  // The template keys closed over the judge's view: made again on first use.
  transient: [[GroupIndex, ['templatesFor', 'templates']]],
};
