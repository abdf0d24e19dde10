// Phrase families: the phrases that accounts carry together. A careful operator writes many phrases
// (elicitation, formatting, follow-ups) and varies every use, so each single phrase recurs in few of an
// account's prompts and its accounts scatter over the candidate groups of its many phrases, none of
// which then holds most of a phrase's users. What it cannot vary away is that one kit feeds all its
// accounts: the same set of shared, rare phrases shows up in account after account. A family joins two
// phrases when a share of the accounts carrying either carry both (co-carriage), so an operator's
// accounts gather in one group that owns its family; a popular library's snippets are carried by
// thousands of unrelated users, each with its own few, and a handful of them who also happen to write
// an operator's 4-gram are too few, against the operator's own carriers, to join the two families.
//
// Bounded: a fixed table of phrases (union-find with a count of carrying accounts per phrase), a
// count-min of co-carrying accounts per phrase pair, and a Bloom filter that counts each account once
// per phrase and per pair. Links only grow (a family never splits), as everywhere in linking.
import { CountMin, pairKey, SeenFilter } from './phrase-frequency.js';
import { fmix32 } from '../sketches/hash.js';
import { UnionFind } from './union-find.js';

export interface FamilyRule {
  /** Phrases the table holds (each a slot; phrases past it stay families of their own). */
  capacity: number;
  /** Two phrases join when at least this many accounts carry both... */
  minCoCarriers: number;
  /** ...and at least this share of the accounts carrying either (a Jaccard similarity of their carriers: a small phrase some of a large family's accounts carry does not join it, nor two families through a few accounts). */
  coShare: number;
}

export class PhraseFamilies {
  private readonly slotOf = new Map<number, number>();
  private readonly phrase: Uint32Array;
  /** Families over slots: the surviving root of a join is the larger family's, so an established family keeps its name. */
  private readonly sets = new UnionFind();
  /** Accounts that carried each phrase (counted once per account). */
  private readonly carriers: Uint32Array;
  private readonly co = new CountMin(17, 4);
  private readonly seen = new SeenFilter(22);

  constructor(readonly rule: FamilyRule) {
    if (rule.capacity < 2) throw new Error(`phrase families: capacity ${rule.capacity} < 2`);
    this.phrase = new Uint32Array(rule.capacity);
    this.carriers = new Uint32Array(rule.capacity);
  }

  /**
   * The phrases account `idx` carries together now (each shared and rare; repeated calls are
   * idempotent: an account counts once per phrase and once per pair). Joins the pairs that pass the rule.
   */
  record(idx: number, phrases: readonly number[]): void {
    const slots: number[] = [];
    for (const h of phrases) {
      const s = this.slotFor(h);
      if (s < 0 || slots.includes(s)) continue;
      slots.push(s);
      if (!this.seen.testAndSet(pairKey(idx, h))) this.carriers[s]++;
    }
    for (let i = 0; i < slots.length; i++) {
      for (let j = i + 1; j < slots.length; j++) {
        const a = slots[i];
        const b = slots[j];
        const key = pairOf(this.phrase[a], this.phrase[b]);
        if (!this.seen.testAndSet(pairKey(idx, key))) this.co.add(key);
        if (this.sets.find(a) === this.sets.find(b)) continue;
        // A count-min over-counts (never under): no more than either phrase's carriers.
        const both = Math.min(this.co.estimate(key), this.carriers[a], this.carriers[b]);
        if (both >= this.rule.minCoCarriers && both >= this.rule.coShare * (this.carriers[a] + this.carriers[b] - both)) this.sets.union(a, b);
      }
    }
  }

  /** The family's name: the phrase at its root (the phrase itself when not in the table). */
  root(h: number): number {
    const s = this.slotOf.get(h);
    return s === undefined ? h : this.phrase[this.sets.find(s)];
  }

  /** Phrases in the family of `h` (1 when not in the table). */
  phrases(h: number): number {
    const s = this.slotOf.get(h);
    return s === undefined ? 1 : this.sets.membersOf(this.sets.find(s)).length;
  }

  /** Accounts that carried `h` (0 when not in the table). */
  carriersOf(h: number): number {
    const s = this.slotOf.get(h);
    return s === undefined ? 0 : this.carriers[s];
  }

  private slotFor(h: number): number {
    let s = this.slotOf.get(h);
    if (s !== undefined) return s;
    s = this.slotOf.size;
    if (s >= this.rule.capacity) return -1;
    this.slotOf.set(h, s);
    this.phrase[s] = h;
    return s;
  }

  get bytes(): number {
    return this.rule.capacity * 16 + this.co.bytes + this.seen.bytes + this.slotOf.size * 16;
  }
}

/** One key for an unordered pair of phrases. */
function pairOf(a: number, b: number): number {
  return a < b ? fmix32((a ^ Math.imul(b, 0x9e3779b1)) >>> 0) : fmix32((b ^ Math.imul(a, 0x9e3779b1)) >>> 0);
}

/** What a family's tradecraft is judged on: its named phrase's background figures and the group holding it. */
export interface FamilyJudgement {
  /** Accounts that ever used the phrase, prompts that carried it, active accounts. */
  accounts: number;
  uses: number;
  population: number;
  /** Accounts of the group inside (members, or more carriers). */
  inside: number;
  /** Phrases in the phrase's family. */
  phrases: number;
}

/**
 * A group owns a family as tradecraft: the family is a kit (at least `minPhrases` phrases carried
 * together), its named phrase is shared (`minAccounts`), mostly used inside the group (`ownedShare`: one
 * author's text), rare outside it (`maxShare`), and used more than once per using account on average
 * (`minUses`: not one-off text). The kit, not each of its phrases, is what is used systematically.
 */
export function familyTradecraft(j: FamilyJudgement, rule: { minPhrases: number; minAccounts: number; ownedShare: number; maxShare: number; minUses: number }): boolean {
  if (j.phrases < rule.minPhrases || j.accounts < rule.minAccounts || j.inside < rule.ownedShare * j.accounts) return false;
  const outside = Math.max(0, j.accounts - j.inside);
  if (outside > rule.maxShare * Math.max(j.population - j.inside, 1)) return false;
  return j.uses / j.accounts >= rule.minUses;
}
