// The link index: from each shared thing (a key along one dimension) to the accounts sharing it.
// Membership follows the accounts' current keys; groups touched since the last judgement are dirty.
import type { AccountState } from '../observe/account-state.js';
import type { Hll } from '../sketches/hll.js';
import { DIMENSIONS, dimensionOf, identityKeys, trafficKeys, type Dimension, type TemplateKeys } from './dimensions.js';

const HOT_SUSPICION = 0.5;
/** Identity keys an account can have for them to be remembered by count (see GroupIndex.identityOf). */
const IDENTITY_SPAN = 2 ** 20;
const HOT_MEMBERS = 5;

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

/** The detail of a group never scored (evaluateGroup assigns a new object). */
const NO_DETAIL: Record<string, number> = Object.freeze({}) as Record<string, number>;

/** What only groups that were scored with members, or linked someone, hold. */
class Scored {
  detail: Record<string, number> = NO_DETAIL;
  anchors: number[] | undefined = undefined;
  agg: Float64Array | undefined = undefined;
  items: Hll | undefined = undefined;
}

// Group.bits: four yes/no facts, then the dimension's index in DIMS.
const DIRTY = 1;
const MEMBERSHIP_CHANGED = 2;
const LOCKSTEP = 4;
const LOAD_BALANCED = 8;
const DIM_AT = 4;
const DIMS = Object.keys(DIMENSIONS) as Dimension[];

/**
 * Every group's suspicion and next evaluation time, two doubles per slot of one growable array. As
 * object fields they cost a boxed heap number each (V8 boxes a field that ever held a fraction), ~40
 * bytes for each of the many groups of one. A dropped group's slot is reused only after the judgement
 * that dropped it (`GroupIndex.releaseDropped`), when nothing can read it any more. Owned by the
 * GroupIndex that hands out the slots: two engines in one process share nothing.
 */
class GroupNumbers {
  data = new Float64Array(2 * 1024);
  private readonly free: number[] = [];
  private next = 0;

  alloc(): number {
    const slot = this.free.pop() ?? this.next++;
    if (2 * slot + 1 >= this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[2 * slot] = 0;
    this.data[2 * slot + 1] = -Infinity;
    return slot;
  }

  release(slot: number): void {
    this.free.push(slot);
  }
}

/**
 * The accounts sharing one key, and what the judge last found about them. A group is its member set
 * (`members` is the group itself). Most groups hold one account (its own card), so a group keeps its
 * yes/no facts in one integer and what scoring and linking add in a part made when first written.
 */
export class Group extends MemberSet {
  private bits: number;
  private more: Scored | undefined = undefined;

  /** `slot`: where its index keeps its suspicion and next evaluation time (-1: a group outside any index). */
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

  private scored(): Scored {
    return (this.more ??= new Scored());
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
  get lockstep(): boolean {
    return (this.bits & LOCKSTEP) !== 0;
  }
  set lockstep(on: boolean) {
    this.flag(LOCKSTEP, on);
  }
  get loadBalanced(): boolean {
    return (this.bits & LOAD_BALANCED) !== 0;
  }
  set loadBalanced(on: boolean) {
    this.flag(LOAD_BALANCED, on);
  }

  get detail(): Record<string, number> {
    return this.more?.detail ?? NO_DETAIL;
  }
  set detail(d: Record<string, number>) {
    this.scored().detail = d;
  }
  /** A few eligible members that newcomers are tested against for a pairwise link (made on first use). */
  get anchors(): number[] {
    return (this.scored().anchors ??= []);
  }
  /** Whether the group ever took an anchor (without making the list). */
  get anchored(): boolean {
    const a = this.more?.anchors;
    return a !== undefined && a.length > 0;
  }
  /** Member sums for scoring (judge/group-aggregates.ts), from the group's first scoring on. */
  get agg(): Float64Array | undefined {
    return this.more?.agg;
  }
  set agg(a: Float64Array | undefined) {
    if (a !== undefined || this.more !== undefined) this.scored().agg = a;
  }
  /** Union of the members' reasoning-item sketches, from the first time it is asked for. */
  get items(): Hll | undefined {
    return this.more?.items;
  }
  set items(h: Hll | undefined) {
    if (h !== undefined || this.more !== undefined) this.scored().items = h;
  }
}

/** Told of every join and leave, before the group's member set changes for a leave, after for a join. */
export interface MembershipListener {
  join(g: Group, idx: number): void;
  leave(g: Group, idx: number): void;
}

export class GroupIndex {
  private readonly numbers = new GroupNumbers();
  /** Dropped during the current judgement; their slots are released after it. */
  private readonly dropped: Group[] = [];
  readonly groups = new Map<string, Group>();
  /**
   * The groups each account belongs to, by account index, identity groups first: their keys are the
   * account's current keys (no second list of key strings per account).
   */
  private readonly refsOf: (readonly Group[])[] = [];
  /**
   * How many of refsOf[idx] are identity groups and the profile version they were derived from, as
   * version * IDENTITY_SPAN + count (one number per account).
   */
  private readonly identityOf: number[] = [];
  private readonly scratch: string[] = [];
  private readonly scratchRefs: Group[] = [];
  /** Groups whose membership or members' state changed since the last judgement. */
  dirty: Group[] = [];

  constructor(
    private readonly signupWindowMs: number,
    private readonly knownTemplate?: (key: string) => boolean,
    private readonly membership?: MembershipListener,
  ) {}

  /** Template groups by template id, so the keys of an account's templates are looked up, not built. */
  private readonly templateGroups = new Map<number, Group>();

  private readonly templates: TemplateKeys = {
    key: (id) => this.templateGroups.get(id)?.key ?? `template:${id}`,
    /** A template group already judged suspicious and shared by several accounts, or one a peer reported. */
    hot: (id) => {
      const g = this.templateGroups.get(id);
      if (g !== undefined && this.suspicion(g) >= HOT_SUSPICION && g.members.size >= HOT_MEMBERS) return true;
      return this.knownTemplate !== undefined && this.knownTemplate(g?.key ?? `template:${id}`);
    },
  };

  /** The group's suspicion from its latest evaluation, in [0, 1]. */
  suspicion(g: Group): number {
    return this.numbers.data[2 * g.slot];
  }
  setSuspicion(g: Group, v: number): void {
    this.numbers.data[2 * g.slot] = v;
  }
  /** Event time before which the group is not re-evaluated unless its membership changes. */
  nextEval(g: Group): number {
    return this.numbers.data[2 * g.slot + 1];
  }
  setNextEval(g: Group, t: number): void {
    this.numbers.data[2 * g.slot + 1] = t;
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

  /** Re-derives the account's keys, moves it between groups, marks its groups dirty. */
  update(s: AccountState): void {
    const idx = s.idx;
    const prevRefs = this.refsOf[idx] ?? NONE;
    const next = this.scratch;
    // Identity keys change only with the profile: until then they are the keys of the first groups.
    const known = this.identityOf[idx];
    let identity: number;
    if (known === undefined || Math.floor(known / IDENTITY_SPAN) !== s.profileVersion) {
      identityKeys(s, this.signupWindowMs, next);
      identity = next.length;
    } else {
      identity = known % IDENTITY_SPAN;
      next.length = 0;
      for (let i = 0; i < identity; i++) next.push(prevRefs[i].key);
    }
    trafficKeys(s, next, this.templates);
    if (sameKeys(prevRefs, next)) {
      // Same groups: only their members' state changed.
      for (const g of prevRefs) this.touch(g);
      this.keepIdentity(idx, identity, s.profileVersion);
      return;
    }
    for (let i = 0; i < prevRefs.length; i++) {
      const g = prevRefs[i];
      if (!next.includes(g.key)) {
        this.membership?.leave(g, idx);
        g.members.delete(idx);
        g.membershipChanged = true;
        // An emptied group that never linked anyone holds nothing worth keeping.
        if (g.members.size === 0 && !g.anchored) this.drop(g);
        else this.touch(g);
      }
    }
    const refs = this.scratchRefs;
    refs.length = 0;
    for (const k of next) {
      let g = this.groups.get(k);
      if (!g) {
        g = new Group(k, dimensionOf(k), this.numbers.alloc());
        this.groups.set(k, g);
        if (g.dim === 'template') this.templateGroups.set(templateIdOf(k), g);
      }
      // A member of the groups it had (refsOf), of no other: no lookup in the group's members.
      if (!prevRefs.includes(g) && !refs.includes(g)) {
        g.members.join(idx);
        g.membershipChanged = true;
        this.membership?.join(g, idx);
      }
      this.touch(g);
      refs.push(g);
    }
    this.refsOf[idx] = refs.length === 0 ? NONE : refs.slice();
    this.keepIdentity(idx, identity, s.profileVersion);
  }

  private keepIdentity(idx: number, count: number, version: number): void {
    // An account with more identity keys than the span (links by the million) re-derives them each time.
    this.identityOf[idx] = count < IDENTITY_SPAN ? version * IDENTITY_SPAN + count : -1;
  }

  private drop(g: Group): void {
    this.groups.delete(g.key);
    if (g.dim === 'template') this.templateGroups.delete(templateIdOf(g.key));
    this.dropped.push(g);
  }

  /** Groups dropped since the last call give their number slots back: the judge calls it once a judgement is over. */
  releaseDropped(): void {
    for (const g of this.dropped) this.numbers.release(g.slot);
    this.dropped.length = 0;
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

function sameKeys(a: readonly Group[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].key !== b[i]) return false;
  return true;
}
