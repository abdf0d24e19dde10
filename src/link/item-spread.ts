// How a candidate group of accounts spreads over payload items: the shape of one work queue.
// One pipeline feeding one training set deals its payload set to its accounts: an item goes to few
// of them (once, or a few times for more samples), an account rarely repeats an item. A class is
// the opposite (many students, the same items); unrelated people ask unrelated things (no item
// shared at all). Items are recognised through rewording by locality-sensitive hashing of the
// prompt's phrases, minus the phrases that are not the item (tradecraft, common language): two
// rewordings of one item share a band key with high probability, two different items rarely.
// Fixed memory per group: distinct accounts per item in a count-min sketch, (account, item) pairs
// in a Bloom filter, so the group's cost does not grow with its traffic.
import type { LshParams } from '../sketches/lsh.js';
import { bandKeys } from '../sketches/lsh.js';
import { fmix32 } from '../sketches/hash.js';
import type { MinHasher } from '../sketches/minhash.js';
import { isEmptySignature } from '../sketches/minhash.js';
import { CountMin, SeenFilter, pairKey } from './phrase-frequency.js';

export type Spread = 'queue' | 'class' | 'unrelated' | 'unknown';

export interface SpreadRule {
  /** Exchanges the group needs before its spread is judged. */
  minExchanges: number;
  /** Mean accounts per item (over LSH bands) at least this: items cross accounts (not unrelated people)... */
  queueMin: number;
  /** ...and below this (each item to few accounts); at or above, a class... */
  classMin: number;
  /**
   * ...when fewer than this share of its exchanges bring an item no other account sent before: a class
   * asks the same few problems again and again, while a queue covers new items, even if a few of its
   * items (a template generator's commonest texts) reach many accounts and lift the mean.
   */
  classFreshMax: number;
  /** At most this share of an account's items are its own repeats (a queue hands out new items). */
  maxRepeat: number;
}

export const DEFAULT_SPREAD: SpreadRule = { minExchanges: 200, queueMin: 1.15, classMin: 3, classFreshMax: 0.5, maxRepeat: 0.3 };

export interface SpreadStats {
  exchanges: number;
  /** Mean over exchanges of how many distinct accounts had sent the exchange's item so far (itself included). */
  accountsPerItem: number;
  /** Share of exchanges whose item the same account had already sent. */
  repeat: number;
  /** Share of exchanges whose item no other account had sent before: how fast the group covers new items. */
  fresh: number;
}

/**
 * An opener's item keys into `out`, one per LSH band: the band's key of its item phrases' MinHash mixed
 * with its numbers' fingerprint (one item is the same words with the same numbers). Two rewordings of
 * one item share a key on some band with high probability, two different items rarely. `hashes` and
 * `bandKeys` are scratch (2048 and `lsh.bands` long). False when it has no item phrases.
 */
export function itemKeys(
  hasher: MinHasher,
  lsh: LshParams,
  phrases: readonly number[],
  numbers: number,
  hashes: Uint32Array,
  bandKeysOut: Float64Array,
  out: Uint32Array,
): boolean {
  const n = Math.min(phrases.length, hashes.length);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) hashes[i] = phrases[i];
  const sig = hasher.signature(hashes, n);
  if (isEmptySignature(sig)) return false;
  bandKeys(sig, lsh, bandKeysOut);
  for (let b = 0; b < lsh.bands; b++) {
    const k = bandKeysOut[b];
    out[b] = fmix32(((k % 4294967296) ^ Math.imul(Math.floor(k / 4294967296), 0x9e3779b1) ^ b ^ numbers) >>> 0);
  }
  return true;
}

export class ItemSpread {
  private exchanges = 0;
  private accountsSum = 0;
  private repeats = 0;
  private freshCount = 0;
  /** Distinct accounts per item key (count-min over band keys, counted once per account and key). */
  private readonly accounts: CountMin;
  private readonly pairSeen: SeenFilter;
  private readonly keys: Float64Array;
  private readonly items: Uint32Array;
  private readonly hashes = new Uint32Array(2048);
  private readonly sampleMask: number;

  constructor(
    private readonly hasher: MinHasher,
    private readonly lsh: LshParams,
    readonly rule: SpreadRule = DEFAULT_SPREAD,
    filterBits = 18,
    /**
     * Items counted: those whose key has its low `sampleBits` bits zero (consistent sampling: a rewording
     * that keeps an item's band keeps its sample decision). Sampling 1 in 2^bits lets a fixed-size sketch
     * follow 2^bits times more traffic before it saturates; the shape (accounts per item, repeats) is kept.
     */
    sampleBits = 0,
  ) {
    this.sampleMask = (1 << sampleBits) - 1;
    this.keys = new Float64Array(lsh.bands);
    this.items = new Uint32Array(lsh.bands);
    this.accounts = new CountMin(Math.max(4, filterBits - 4), 3);
    this.pairSeen = new SeenFilter(filterBits);
  }

  /**
   * One exchange of `account`: `phrases` are its prompt's phrase hashes with non-item phrases removed,
   * `numbers` its numbers' fingerprint (numberPrint; 0 none): one item is the same words with the same
   * numbers, so the payloads a template generator makes are told apart, a class's one problem is not.
   */
  observe(account: number, phrases: readonly number[], numbers = 0): void {
    if (!itemKeys(this.hasher, this.lsh, phrases, numbers, this.hashes, this.keys, this.items)) return;
    // A rewording keeps some bands of the item and breaks others: the item is recognised on its best band.
    let repeat = false;
    let most = 0;
    let sampled = false;
    for (let b = 0; b < this.lsh.bands; b++) {
      const item = this.items[b];
      if ((item & this.sampleMask) !== 0) continue;
      sampled = true;
      if (this.pairSeen.testAndSet(pairKey(account, item))) repeat = true;
      else this.accounts.add(item);
      most = Math.max(most, this.accounts.estimate(item));
    }
    if (!sampled) return;
    this.exchanges++;
    if (repeat) this.repeats++;
    if (most <= 1) this.freshCount++;
    this.accountsSum += most;
  }

  stats(): SpreadStats {
    const e = this.exchanges;
    return { exchanges: e, accountsPerItem: e ? this.accountsSum / e : 0, repeat: e ? this.repeats / e : 0, fresh: e ? this.freshCount / e : 0 };
  }

  spread(): Spread {
    const s = this.stats();
    if (s.exchanges < this.rule.minExchanges) return 'unknown';
    if (s.accountsPerItem >= this.rule.classMin && s.fresh < this.rule.classFreshMax) return 'class';
    if (s.accountsPerItem >= this.rule.queueMin && s.repeat <= this.rule.maxRepeat) return 'queue';
    return 'unrelated';
  }

  get bytes(): number {
    return this.pairSeen.bytes + this.accounts.bytes;
  }
}
