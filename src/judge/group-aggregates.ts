// Each linked group's member sums — how many members harvest, are fresh, weakly verified, on abused
// plans; their exchanges, reasoning prompts, capability counts and hours of day — kept current as
// exchanges arrive and members join and leave. Scoring a group then reads these few dozen integers
// instead of visiting every member: a carrier NAT or a sign-up cohort of thousands costs the same as a
// farm of twelve. Integer sums, so scores are exactly those of a pass over the members.
//
// The sums are the judge's, kept by group slot (./group-scores.ts); the members' flags too, by account
// index (./account-verdicts.ts groupFlags).
// Invariant: agg = Σ over g.members of contribution(member), where the member's flags are its
// `groupFlags` snapshot (synced by syncFlags at each judgement, before membership moves) and its
// counters are its current ones as of the judgement (the exchanges of a judgement period are added to
// the account's groups at its start: ./pending-exchanges.ts).
import { CAPABILITIES } from '../core/capabilities.js';
import type { ScoringParams } from '../config/scoring.js';
import { DAY } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import type { Group } from '../link/groups.js';
import { Hll } from '../sketches/hll.js';
import type { AccountVerdicts } from './account-verdicts.js';
import type { GroupScore, GroupScores } from './group-scores.js';
import type { Tally } from './pending-exchanges.js';

const NCAPS = CAPABILITIES.length;

// Slots of an aggregate. The first five are the flag bits of memberFlags, in bit order.
export const HARVESTING = 0;
export const FRESH = 1;
export const WEAK = 2;
export const BUSINESS = 3;
export const ABUSED = 4;
const NFLAGS = 5;
export const EXCHANGES = 5;
export const REASONING_PROMPTS = 6;
export const CAPS = 7;
export const HOURS = CAPS + NCAPS;
const LENGTH = HOURS + 24;

/** The yes/no facts a member with content score `harvest` contributes, as bits (slot i is bit i). */
export function memberFlags(s: AccountState, harvest: number, p: Pick<ScoringParams, 'harvestMin' | 'freshDays' | 'groupAbusedPlans'>): number {
  let f = 0;
  if (harvest >= p.harvestMin) f |= 1 << HARVESTING;
  if (s.createdAt !== undefined && s.exchanges > 0 && s.firstTs - s.createdAt < p.freshDays * DAY) f |= 1 << FRESH;
  const v = s.verification;
  if (v === undefined || v === 'none' || v === 'email') f |= 1 << WEAK;
  else if (v === 'business') f |= 1 << BUSINESS;
  if (s.plan !== undefined && p.groupAbusedPlans.includes(s.plan)) f |= 1 << ABUSED;
  return f;
}

/**
 * Distinct reasoning items over the members: the union of their sketches, kept as a sketch of its own
 * once asked for. Adding an item to a member and to the union keeps union = merge of the members
 * (registers are maxima); a leave cannot be undone in a max, so it drops the union (see memberLeft).
 */
export function distinctItems(sc: GroupScore, members: () => readonly AccountState[]): number {
  if (sc.items === undefined) {
    const items = new Hll();
    for (const s of members()) items.merge(s.reasoningItems);
    sc.items = items;
  }
  return sc.items.estimate();
}

/** A member with these flags joined: its contribution goes into the group's sums (if it has any yet). */
export function memberJoined(sc: GroupScore | undefined, s: AccountState, flags: number): void {
  if (sc === undefined) return;
  if (sc.agg !== undefined) addMember(sc.agg, s, flags, 1);
  sc.items?.merge(s.reasoningItems);
}

/** A member with these flags left: its contribution comes out; the item union is rebuilt when next asked for. */
export function memberLeft(sc: GroupScore | undefined, s: AccountState, flags: number): void {
  if (sc === undefined) return;
  if (sc.agg !== undefined) addMember(sc.agg, s, flags, -1);
  sc.items = undefined;
}

/** Adds (sign 1) or removes (sign -1) one member's whole contribution, with its flags `f`. */
export function addMember(agg: Float64Array, s: AccountState, f: number, sign: 1 | -1): void {
  for (let b = 0; b < NFLAGS; b++) if (f & (1 << b)) agg[b] += sign;
  addCounts(agg, s, sign);
}

/** A member's traffic counts alone (exchanges, reasoning prompts, capabilities, hours), not its flags. */
export function addCounts(agg: Float64Array, s: AccountState, sign: 1 | -1): void {
  agg[EXCHANGES] += sign * s.exchanges;
  agg[REASONING_PROMPTS] += sign * s.reasoningPrompts;
  const caps = s.caps;
  for (let i = 0; i < NCAPS; i++) agg[CAPS + i] += sign * caps[i];
  const hours = s.hourOfDay;
  for (let i = 0; i < 24; i++) agg[HOURS + i] += sign * hours[i];
}

/** Sums of no member. */
export function emptyAggregate(): Float64Array {
  return new Float64Array(LENGTH);
}

/** The sums over these members, from scratch (a group's first scoring, and tests); `flagsOf` gives each member's flags. */
export function aggregate(members: readonly AccountState[], flagsOf: (idx: number) => number): Float64Array {
  const agg = emptyAggregate();
  for (const s of members) addMember(agg, s, flagsOf(s.idx), 1);
  return agg;
}

/**
 * Re-derives the account's flags (after its harvest score changed) and moves the difference into the
 * groups it belongs to now. Runs before the account's groups are updated, so a member leaving later
 * removes exactly what it had added.
 */
export function syncFlags(s: AccountState, groups: readonly Group[], scores: GroupScores, verdicts: AccountVerdicts, p: ScoringParams): void {
  const f = memberFlags(s, verdicts.harvest(s.idx), p);
  const changed = f ^ verdicts.groupFlags(s.idx);
  if (changed === 0) return;
  for (const g of groups) {
    const agg = scores.of(g.slot)?.agg;
    if (agg === undefined) continue;
    for (let b = 0; b < NFLAGS; b++) if (changed & (1 << b)) agg[b] += f & (1 << b) ? 1 : -1;
  }
  verdicts.setGroupFlags(s.idx, f);
}

/** An account's exchanges since the last judgement (./pending-exchanges.ts) into the sums of its groups. */
export function countTally(groups: readonly Group[], scores: GroupScores, t: Tally): void {
  for (const g of groups) {
    const sc = scores.of(g.slot);
    if (sc === undefined) continue;
    const items = sc.items;
    if (items !== undefined) for (const item of t.items) items.add(item);
    const agg = sc.agg;
    if (agg !== undefined) t.addInto(agg);
  }
}
