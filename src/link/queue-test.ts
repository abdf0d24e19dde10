// One work queue, judged on the openers a group has: a test calibrated on the population, at a stated
// false-positive rate, instead of a fixed number of openers (item-spread.ts judges a group from 400).
//
// One pipeline feeding one training set deals its payload set to its accounts: an item goes to few of
// them, so across the group's accounts items recur, while an account rarely repeats itself. How often
// unrelated accounts' openers recur across accounts by chance is a property of the population (popular
// questions, copied prompts, the same homework): it is read from the population itself.
// - Data: per account, the item keys (item-spread.ts `itemKeys`: one per LSH band) of `k` of its
//   openers, a uniform sample of all it sent: a candidate group's members' openers that carry its text
//   (as the spread reads them), and the openers of a fixed background sample of accounts
//   (query-distribution.ts `sampledAccount`).
// - Statistic: `cross`, the group's openers whose item another member also sent (a key in common).
// - Null: the same statistic over random groups of background accounts of the same shape (one
//   background account per member, with at least as many openers kept as the member, as many of them):
//   unrelated accounts, as many, asking as much. The p-value is (1 + draws at or above the
//   group's) / (draws + 1).
// - Looks: a group is first tested when its members' openers reach minOpeners, then again when they
//   have doubled since its last look or, with new openers, `lookMs` of event time after it (a pipeline's
//   copies of one item may be days apart: a group's openers double within its first day, its crossings
//   show later). At most `looks` looks, each at alpha / looks (Bonferroni): the chance that a group of
//   unrelated accounts is ever called crossing, over all its life, is at most alpha. A look that finds
//   the group crossing is its last (the null is rejected; another look would spend alpha for nothing);
//   after `looks` looks the last verdict stands.
// - Draws stop as soon as the p-value can no longer reach the level (the decision is the one all draws
//   would give): a group that is not crossing costs a few draws, so looks can be many.
// - Shape, as item-spread.ts reads it: a queue's accounts rarely repeat their own items (repeat share
//   at most maxRepeat), and a class is not a queue (many accounts per item, few openers bringing an
//   item no member sent before).
// Bounded: k x bands keys (4 bytes each) per candidate member and per sampled account (the sample is
// capped); a test costs draws x the group's openers, and runs at most `looks` times per group.
import { fmix32 } from '../sketches/hash.js';
import type { Spread } from './item-spread.js';

/** An opener's rank: the least of its item keys, hashed again (every account ranks an item alike). */
export function itemRank(keys: Uint32Array, bands: number): number {
  let r = 0xffffffff;
  for (let b = 0; b < bands; b++) r = Math.min(r, fmix32((keys[b] ^ 0x85ebca6b) >>> 0));
  return r;
}

/**
 * Per account, the item keys (`bands` each) of `k` of its openers, over all it sent:
 * - uniform (the default): a uniform sample (reservoir sampling, the slot drawn by a hash of the account
 *   and its count: the same in every run). A kept opener is a draw from what the account asks, whatever
 *   its traffic, so unrelated accounts' chance crossings do not depend on how much they sent, and random
 *   background groups with as many openers kept are their null. But an item's second copy survives with
 *   chance k / openers on each side: a queue's crossings thin out as its accounts send more
 *   (bench/results/i13j-summary.md).
 * - `coordinated`: those whose items rank lowest (`itemRank`; ties keep the earlier). An item one
 *   account keeps is kept by every other account that sent it and ranks its items at least as far, so a
 *   second copy survives with chance min(1, openers of one / openers of the other), whatever their
 *   history. But then how often unrelated accounts cross depends on how much they sent (a heavy account
 *   drawing from a large public pool has sent more of it; one asking a few popular prompts has sent all of
 *   them), and the background must match the members' traffic, which it cannot for accounts heavier than
 *   most (bench/results/i13m-summary.md): off by default.
 */
export class OpenerItems {
  private readonly keys = new Map<number, Uint32Array>();
  private readonly ranks = new Map<number, Uint32Array>();
  private readonly seenOf = new Map<number, number>();
  /** Openers added, over all accounts (a change of the sample shows in it). */
  added = 0;

  constructor(
    readonly k: number,
    readonly bands: number,
    readonly coordinated = false,
  ) {
    if (k < 1 || bands < 1) throw new Error(`opener items: k ${k}, bands ${bands}`);
  }

  /**
   * One opener's keys (`bands` of them): kept in a free slot, else (uniform) in place of a random one
   * with chance k / openers, or (coordinated) in place of the highest-ranked kept one if it ranks lower.
   */
  add(idx: number, keys: Uint32Array): void {
    const n = (this.seenOf.get(idx) ?? 0) + 1;
    this.seenOf.set(idx, n);
    this.added++;
    const rank = this.coordinated ? itemRank(keys, this.bands) : 0;
    let a = this.keys.get(idx);
    let ranks = this.ranks.get(idx);
    if (!a) this.keys.set(idx, (a = new Uint32Array(this.k * this.bands)));
    if (this.coordinated && !ranks) this.ranks.set(idx, (ranks = new Uint32Array(this.k)));
    let slot = n - 1;
    if (n > this.k && !ranks) {
      slot = fmix32((Math.imul(idx, 0x9e3779b1) ^ n) >>> 0) % n;
      if (slot >= this.k) return;
    } else if (n > this.k) {
      slot = 0;
      for (let i = 1; i < this.k; i++) if (ranks![i] > ranks![slot]) slot = i;
      if (rank >= ranks![slot]) return;
    }
    if (ranks) ranks[slot] = rank;
    a.set(keys.subarray(0, this.bands), slot * this.bands);
  }

  /** Openers kept for the account (at most k). */
  count(idx: number): number {
    return Math.min(this.k, this.seenOf.get(idx) ?? 0);
  }

  /** Openers the account sent (added). */
  seen(idx: number): number {
    return this.seenOf.get(idx) ?? 0;
  }

  keysOf(idx: number): Uint32Array | undefined {
    return this.keys.get(idx);
  }

  /** An account's openers as the test reads them (undefined: none kept). */
  openersOf(idx: number): MemberOpeners | undefined {
    const keys = this.keys.get(idx);
    const n = this.count(idx);
    return keys && n > 0 ? { keys, n, seen: this.seen(idx) } : undefined;
  }

  has(idx: number): boolean {
    return this.keys.has(idx);
  }

  accounts(): IterableIterator<number> {
    return this.keys.keys();
  }

  get size(): number {
    return this.keys.size;
  }

  get bytes(): number {
    return this.keys.size * (this.k * this.bands * 4 + 64) + this.ranks.size * (this.k * 4 + 32);
  }
}

/** A group's openers as the test reads them: per member, its keys and how many openers they hold. */
export interface MemberOpeners {
  keys: Uint32Array;
  n: number;
  /** Openers it sent (default n). */
  seen?: number;
}

export interface GroupShape {
  members: number;
  openers: number;
  /** Openers whose item another member also sent. */
  cross: number;
  /** Mean over openers of the accounts that had sent its item so far, itself included (members in turn, as item-spread.ts reads exchanges). */
  accountsPerItem: number;
  /** Share of openers whose item the same account had sent before. */
  repeat: number;
  /** Share of openers whose item no other member had sent before (members in turn). */
  fresh: number;
}

/** The shape of a group's openers (exact: a map over their keys). */
export function groupShape(members: readonly MemberOpeners[], bands: number): GroupShape {
  const accounts = new Map<number, number>();
  const last = new Map<number, number>();
  let openers = 0;
  let sum = 0;
  let repeats = 0;
  let fresh = 0;
  for (let j = 0; j < members.length; j++) {
    const { keys, n } = members[j];
    for (let i = 0; i < n; i++) {
      let repeat = false;
      let most = 0;
      for (let b = 0; b < bands; b++) {
        const key = keys[i * bands + b];
        if (last.get(key) === j) repeat = true;
        else {
          accounts.set(key, (accounts.get(key) ?? 0) + 1);
          last.set(key, j);
        }
        most = Math.max(most, accounts.get(key)!);
      }
      openers++;
      sum += most;
      if (repeat) repeats++;
      if (most <= 1) fresh++;
    }
  }
  let cross = 0;
  for (const { keys, n } of members) {
    for (let i = 0; i < n; i++) {
      for (let b = 0; b < bands; b++) {
        if (accounts.get(keys[i * bands + b])! >= 2) {
          cross++;
          break;
        }
      }
    }
  }
  const e = openers;
  return { members: members.length, openers: e, cross, accountsPerItem: e ? sum / e : 0, repeat: e ? repeats / e : 0, fresh: e ? fresh / e : 0 };
}

/** A member's openers whose item another member also sent, and the members that sent those items (mean over them, itself included). */
export interface MemberReading {
  cross: number;
  holders: number;
}

/** Per member, its crossings and how many members share the items it crosses on. */
export function memberReadings(members: readonly MemberOpeners[], bands: number): MemberReading[] {
  const accounts = new Map<number, number>();
  const last = new Map<number, number>();
  members.forEach(({ keys, n }, j) => {
    for (let i = 0; i < n * bands; i++) {
      if (last.get(keys[i]) === j) continue;
      accounts.set(keys[i], (accounts.get(keys[i]) ?? 0) + 1);
      last.set(keys[i], j);
    }
  });
  return members.map(({ keys, n }) => {
    let cross = 0;
    let holders = 0;
    for (let i = 0; i < n; i++) {
      let most = 0;
      for (let b = 0; b < bands; b++) most = Math.max(most, accounts.get(keys[i * bands + b])!);
      if (most < 2) continue;
      cross++;
      holders += most;
    }
    return { cross, holders: cross ? holders / cross : 0 };
  });
}

/**
 * The members of a group a queue verdict may link, each on its own contribution (a verdict on the
 * group says one pipeline deals items over it, not that every member is one of its accounts): read as
 * the test read the group, the member's kept openers cross other members' beyond chance (P(Binomial(n, p0) >= cross) <= alpha, p0 the crossing share of the test's background
 * groups), and the items it crosses on are dealt to few members (fewer than `classMin` on average). A
 * class's student crosses on the problems many students send: the opposite of a queue, so it does not
 * ride on a pipeline's crossings in a group it shares with one.
 */
export function dealtMembers(members: readonly MemberOpeners[], result: QueueTestResult, bands: number, alpha: number, classMin: number): boolean[] {
  const x = memberReadings(members, bands);
  const p0 = Math.min(1, Math.max(result.nullMean, 1) / Math.max(result.openers, 1));
  return members.map((m, j) => m.n > 0 && x[j].holders < classMin && binomialTail(m.n, x[j].cross, p0) <= alpha);
}

/** P(X >= x) for X binomial with n trials of chance p. */
export function binomialTail(n: number, x: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  let term = Math.pow(1 - p, n);
  let below = 0;
  for (let k = 0; k < x; k++) {
    below += term;
    term *= ((n - k) / (k + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - below);
}

export interface QueueTestRule {
  /** Chance, over all its looks, that a group of unrelated accounts is called a queue. */
  alpha: number;
  /** Looks per group at most (each at alpha / looks). */
  looks: number;
  /** Event time (ms) after a look when the next is due, if the group sent new openers (0: only when its openers double). */
  lookMs: number;
  /** Random background groups drawn per look (at least looks / alpha, so that a p-value can reach alpha / looks). */
  draws: number;
  /** Openers its members sent from which the group is tested; the next look at twice as many, or lookMs later. */
  minOpeners: number;
  /**
   * The group's members tested (in its order) while the background has at least this many accounts per
   * member with as many openers (0: half the background): a draw is then a sample of the background, not
   * nearly all of it (a large group would otherwise draw the same accounts every time, the background's
   * own clusters among them, and its null would not vary).
   */
  poolRatio: number;
  /**
   * Match each member with background accounts that sent about as many openers (the pool x members
   * nearest in openers sent; the heaviest ones for a member heavier than the background has): with the
   * coordinated sample, how often unrelated accounts' openers cross depends on how much they sent, up or
   * down with the population (popular prompts a heavy account has all sent; a large public pool it has
   * sent more of). Off: any account with as many openers kept.
   */
  matchSent: boolean;
  /** Members with openers, and background accounts, before the test speaks. */
  minMembers: number;
  minBackground: number;
  /** The shape (as item-spread.ts): a class from this many accounts per item... */
  classMin: number;
  /** ...when fewer than this share of openers bring an item no member sent before... */
  classFreshMax: number;
  /** ...and a queue's accounts repeat at most this share of their items. */
  maxRepeat: number;
}

export interface QueueTestResult extends GroupShape {
  /** The look (0-based) this result is of, and the level it was tested at (alpha / looks). */
  look: number;
  level: number;
  /** Background draws made (fewer than the rule's when the level was out of reach), their largest cross count and their mean, and the p-value of the group's over them. */
  draws: number;
  nullMax: number;
  nullMean: number;
  p: number;
  /** Background accounts the draws were taken from. */
  background: number;
  /** Items cross the group's accounts beyond chance. */
  crossing: boolean;
  /** 'queue': crossing, few repeats, not a class; 'class'; 'unrelated': neither. */
  spread: Spread;
}

/** A group's looks so far: how many, and the openers and event time of the latest. */
export interface LookState {
  looks: number;
  openers: number;
  at: number;
  /** The latest look found the group crossing. */
  crossing: boolean;
}

export const NO_LOOK: LookState = { looks: 0, openers: 0, at: 0, crossing: false };

/**
 * The background's openers, indexed for the draws: the sampled accounts (not excluded) by opener count,
 * most first, and for every opener the openers of other accounts that share a key with it.
 */
class BackgroundIndex {
  /** Per background account (by position): its account index, its openers sent and kept, its first opener's id. */
  readonly idx: number[] = [];
  readonly seen: number[] = [];
  readonly count: number[] = [];
  readonly first: number[] = [];
  /** Per opener id: its account's position, its place among the account's openers, and its partners (CSR). */
  readonly owner: number[] = [];
  readonly place: number[] = [];
  readonly start: number[] = [0];
  readonly partners: number[] = [];

  constructor(store: OpenerItems, exclude: (idx: number) => boolean) {
    const bands = store.bands;
    const listed: [number, number][] = [];
    for (const idx of store.accounts()) if (!exclude(idx)) listed.push([idx, store.seen(idx)]);
    // Most openers sent first (ties by index, so the same sample gives the same order); kept ones follow the same order.
    listed.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const byKey = new Map<number, number[]>();
    for (let p = 0; p < listed.length; p++) {
      const [idx, seen] = listed[p];
      const n = store.count(idx);
      const keys = store.keysOf(idx)!;
      this.idx.push(idx);
      this.seen.push(seen);
      this.count.push(n);
      this.first.push(this.owner.length);
      for (let i = 0; i < n; i++) {
        const id = this.owner.length;
        this.owner.push(p);
        this.place.push(i);
        for (let b = 0; b < bands; b++) {
          const key = keys[i * bands + b];
          let l = byKey.get(key);
          if (!l) byKey.set(key, (l = []));
          if (l[l.length - 1] !== id) l.push(id);
        }
      }
    }
    const lists: number[][] = this.owner.map(() => []);
    for (const l of byKey.values()) {
      if (l.length < 2) continue;
      for (const x of l) for (const y of l) if (this.owner[x] !== this.owner[y]) lists[x].push(y);
    }
    for (const l of lists) {
      for (const y of l) this.partners.push(y);
      this.start.push(this.partners.length);
    }
  }

  get accounts(): number {
    return this.idx.length;
  }

  /** Background accounts that kept at least `d` openers (the first ones: kept follows sent). */
  keptAtLeast(d: number): number {
    return leadingAtLeast(this.count, d);
  }

  /** Background accounts that sent at least `d` openers (they are the first ones: sorted by openers sent). */
  atLeast(d: number): number {
    return leadingAtLeast(this.seen, d);
  }
}

/** How many leading values of a list sorted most first are at least `d`. */
function leadingAtLeast(sorted: readonly number[], d: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] >= d) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The calibrated test of one work queue; its background sample's openers are `background`. */
export class QueueTest {
  private index: BackgroundIndex | undefined;
  private indexedAt = -1;

  constructor(
    readonly rule: QueueTestRule,
    readonly background: OpenerItems,
    /** Background accounts kept at most. */
    readonly capacity: number,
  ) {
    if (rule.draws * rule.alpha < rule.looks) throw new Error(`queue test: ${rule.draws} draws cannot place a p-value at ${rule.alpha} / ${rule.looks}`);
  }

  /** A sampled account is (or may become) part of the background: room is left, or it is in already. */
  holds(idx: number): boolean {
    return this.background.has(idx) || this.background.size < this.capacity;
  }

  /**
   * A group whose members sent `openers` openers is due for a look at event time `now`: looks left, not
   * found crossing yet, and the first (minOpeners), or its openers doubled since the last look, or new
   * openers `lookMs` after it.
   */
  due(last: LookState, openers: number, now: number): boolean {
    const r = this.rule;
    if (last.looks >= r.looks || last.crossing || openers < r.minOpeners) return false;
    if (last.looks === 0 || openers >= 2 * last.openers) return true;
    return r.lookMs > 0 && openers > last.openers && now - last.at >= r.lookMs;
  }

  /**
   * Tests a group's openers (members in order, each its kept openers) at look `look` against the
   * background sample without the accounts `exclude` names (accounts under suspicion are not background).
   * Undefined: too few members or background accounts to draw groups of its shape.
   */
  test(members: readonly MemberOpeners[], look: number, exclude: (idx: number) => boolean): QueueTestResult | undefined {
    const r = this.rule;
    const bg = this.indexed(exclude);
    if (bg.accounts < r.minBackground) return undefined;
    const pool = r.poolRatio > 0 ? r.poolRatio : 2;
    const used = members.filter((m) => m.n > 0).slice(0, Math.floor(bg.accounts / pool));
    if (used.length < r.minMembers) return undefined;
    // Each member is matched with a background account of its traffic (matchSent: among the pool x
    // members nearest in openers sent, of whose kept openers as many are read), else with any that kept as many.
    const width = Math.ceil(pool * used.length);
    const demands = used
      .map((m) => {
        const kept = bg.keptAtLeast(m.n);
        if (!r.matchSent) return [0, kept, m.n] as const;
        const from = Math.max(0, Math.min(kept - width, bg.atLeast(m.seen ?? m.n) - (width >> 1)));
        return [from, Math.min(kept, from + width), m.n] as const;
      })
      .sort((a, b) => a[1] - a[0] - (b[1] - b[0]) || a[0] - b[0]);
    // Each member needs its own background account (the narrowest choices first).
    for (let j = 0; j < demands.length; j++) if (demands[j][1] - demands[j][0] <= j) return undefined;
    const shape = groupShape(used, this.background.bands);
    const level = r.alpha / r.looks;
    let seed = fmix32((shape.openers * 0x9e3779b1 + look) >>> 0);
    const demand = new Int32Array(bg.accounts);
    const picked: number[] = [];
    let atOrAbove = 0;
    let nullMax = 0;
    let nullSum = 0;
    let made = 0;
    for (let s = 0; s < r.draws; s++) {
      picked.length = 0;
      for (const [from, to, want] of demands) {
        let p: number;
        let tries = 0;
        do {
          seed = fmix32((seed + 0x6d2b79f5) >>> 0);
          p = from + (seed % (to - from));
          // Windows overlap: a member whose window the others took draws from the accounts of as many openers kept.
          if (++tries > 64) p = seed % bg.keptAtLeast(want);
        } while (demand[p] !== 0);
        demand[p] = Math.min(want, bg.count[p]);
        picked.push(p);
      }
      let cross = 0;
      for (const p of picked) {
        for (let i = 0; i < demand[p]; i++) {
          const id = bg.first[p] + i;
          for (let x = bg.start[id]; x < bg.start[id + 1]; x++) {
            const y = bg.partners[x];
            if (bg.place[y] < demand[bg.owner[y]]) {
              cross++;
              break;
            }
          }
        }
      }
      for (const p of picked) demand[p] = 0;
      if (cross >= shape.cross) atOrAbove++;
      nullMax = Math.max(nullMax, cross);
      nullSum += cross;
      made++;
      // The p-value over all draws is at least (1 + atOrAbove) / (draws + 1): out of reach, stop.
      if ((1 + atOrAbove) / (r.draws + 1) > level) break;
    }
    const pValue = (1 + atOrAbove) / (made + 1);
    const crossing = made === r.draws && pValue <= level;
    const isClass = shape.accountsPerItem >= r.classMin && shape.fresh < r.classFreshMax;
    const spread: Spread = isClass ? 'class' : crossing && shape.repeat <= r.maxRepeat ? 'queue' : 'unrelated';
    return { ...shape, look, level, draws: made, nullMax, nullMean: nullSum / made, p: pValue, background: bg.accounts, crossing, spread };
  }

  /** The background index, rebuilt when the sample's openers or the accounts excluded from it changed. */
  private indexed(exclude: (idx: number) => boolean): BackgroundIndex {
    let excluded = 0;
    for (const idx of this.background.accounts()) if (exclude(idx)) excluded = (excluded + fmix32((idx + 1) >>> 0)) >>> 0;
    const stamp = this.background.added * 4294967296 + excluded;
    if (!this.index || stamp !== this.indexedAt) {
      this.index = new BackgroundIndex(this.background, exclude);
      this.indexedAt = stamp;
    }
    return this.index;
  }
}
