// How widely, and how systematically, short phrases are used across the population: the background
// against which shared tradecraft text is judged. Learned online from the traffic itself, in fixed
// memory whatever the number of accounts or phrases:
// - phrases are word 4-grams of a prompt (case folded, digits masked), hashed to 32 bits;
// - `accounts`: a count-min sketch of how many distinct accounts used each phrase (an account counts
//   once per phrase: a Bloom filter over (account, phrase) pairs remembers who already counted);
// - `uses`: a count-min sketch of how many prompts carried each phrase.
// A pipeline writes its instructions once and inserts them into most of its prompts, across all its
// accounts; a popular prompt library's snippet is pasted now and then by thousands of unrelated
// people; ordinary English 4-grams are everywhere. `tradecraft` tells them apart by three properties:
// shared (several accounts), rare against the background (a small share of active accounts) and
// systematic (many uses per account that uses it).
import { fmix32 } from '../sketches/hash.js';
import { scanPhrases } from './phrase-scan.js';

const MAX_WORDS = 2048;

/**
 * Distinct hashed word 4-grams of a text (the project's shingles, digits masked: "17 apples" and
 * "23 apples" are one phrase; a text of fewer words is one phrase). Writes into and returns `out`.
 * `sampleBits` > 0 keeps one phrase in 2^sampleBits, chosen by its hash: the same phrases in every
 * prompt, so a phrase kept is counted wherever it occurs (consistent sampling), at 1/2^bits the cost.
 */
export function phraseHashes(text: string, out: number[] = [], scratch = new Uint32Array(MAX_WORDS), sampleBits = 0): number[] {
  scanPhrases(text, out, scratch, sampleBits);
  return out;
}

/**
 * The numbers a text states, as one order-free fingerprint (0: none): the sum of a hash of each
 * number. Phrases mask digits, so two word problems made from one template ("buys 7 boxes of 23",
 * "buys 4 boxes of 61") are one text to them; the numbers tell the items apart. A rewording keeps an
 * item's numbers and may reorder its sentences, so the fingerprint ignores their order.
 */
export function numberPrint(text: string): number {
  let sum = 0;
  let v = 0;
  let inNumber = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    if (c >= 48 && c <= 57) {
      // The number's digits, hashed as they come (a long number wraps; it stays one value).
      v = (Math.imul(v, 31) + c) | 0;
      inNumber = true;
    } else if (inNumber) {
      sum = (sum + fmix32(v >>> 0)) | 0;
      v = 0;
      inNumber = false;
    }
  }
  return sum >>> 0;
}

/** Count-min sketch of 32-bit keys (counts saturate at 2^32 - 1). */
export class CountMin {
  private readonly rows: Uint32Array;
  private readonly mask: number;

  constructor(
    readonly widthBits = 16,
    readonly depth = 4,
  ) {
    if (widthBits < 4 || widthBits > 24 || depth < 1 || depth > 8) throw new Error(`count-min: bad shape 2^${widthBits} x ${depth}`);
    this.rows = new Uint32Array(depth << widthBits);
    this.mask = (1 << widthBits) - 1;
  }

  add(key: number, by = 1): void {
    let h = key >>> 0;
    for (let d = 0; d < this.depth; d++) {
      h = fmix32(h + d);
      const i = (d << this.widthBits) | (h & this.mask);
      this.rows[i] = Math.min(0xffffffff, this.rows[i] + by);
    }
  }

  estimate(key: number): number {
    let h = key >>> 0;
    let min = 0xffffffff;
    for (let d = 0; d < this.depth; d++) {
      h = fmix32(h + d);
      const v = this.rows[(d << this.widthBits) | (h & this.mask)];
      if (v < min) min = v;
    }
    return min;
  }

  get bytes(): number {
    return this.rows.byteLength;
  }
}

/** A Bloom filter of 32-bit keys that answers "seen before?" while adding (3 probes). */
export class SeenFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;

  constructor(readonly sizeBits = 24) {
    if (sizeBits < 5 || sizeBits > 30) throw new Error(`seen filter: bad size 2^${sizeBits} bits`);
    this.bits = new Uint32Array(1 << (sizeBits - 5));
    this.mask = (1 << sizeBits) - 1;
  }

  /** Adds the key; true when it was (probably) there already. */
  testAndSet(key: number): boolean {
    let h = key >>> 0;
    let present = true;
    for (let k = 0; k < 3; k++) {
      h = fmix32(h + k);
      const bit = h & this.mask;
      const m = 1 << (bit & 31);
      if ((this.bits[bit >>> 5] & m) === 0) {
        present = false;
        this.bits[bit >>> 5] |= m;
      }
    }
    return present;
  }

  get bytes(): number {
    return this.bits.byteLength;
  }
}

/** One key for an (account, thing) pair. */
export function pairKey(account: number, thing: number): number {
  return fmix32((Math.imul(account + 1, 0x9e3779b1) ^ thing) >>> 0);
}

export interface TradecraftRule {
  /** At least this many accounts use the phrase (one account's habit is not shared text). */
  minAccounts: number;
  /** At most this share of active accounts use it: more is common language or a popular library. */
  maxAccountShare: number;
  /** Mean prompts per using account at least this: a pipeline inserts it systematically. */
  minUsesPerAccount: number;
}

export const DEFAULT_TRADECRAFT: TradecraftRule = { minAccounts: 5, maxAccountShare: 0.2, minUsesPerAccount: 8 };

export interface PhraseStats {
  accounts: number;
  uses: number;
  population: number;
}

export class PhraseFrequency {
  private readonly accounts: CountMin;
  private readonly uses: CountMin;
  private readonly seen: SeenFilter;
  private population = 0;
  private readonly scratch: number[] = [];
  private readonly words = new Uint32Array(MAX_WORDS);

  constructor(
    readonly rule: TradecraftRule = DEFAULT_TRADECRAFT,
    shape: { widthBits?: number; depth?: number; pairBits?: number } = {},
  ) {
    this.accounts = new CountMin(shape.widthBits ?? 16, shape.depth ?? 4);
    this.uses = new CountMin(shape.widthBits ?? 16, shape.depth ?? 4);
    this.seen = new SeenFilter(shape.pairBits ?? 24);
  }

  /** One prompt of `account` (an index); `firstPrompt` when it is the account's first (the population grows). */
  observe(account: number, text: string, firstPrompt: boolean): readonly number[] {
    const hs = phraseHashes(text, this.scratch, this.words);
    this.observeHashes(account, hs, firstPrompt);
    return hs;
  }

  /** The same, from the prompt's phrase hashes (computed where the exchange was decoded). */
  observeHashes(account: number, hs: ArrayLike<number>, firstPrompt: boolean): void {
    if (firstPrompt) this.population++;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i];
      this.uses.add(h);
      if (!this.seen.testAndSet(pairKey(account, h))) this.accounts.add(h);
    }
  }

  /** Used by more than `share` of the active accounts: common language or a popular snippet, not an item's words. */
  common(phrase: number, share: number): boolean {
    return this.accounts.estimate(phrase) > share * Math.max(this.population, 1);
  }

  stats(phrase: number): PhraseStats {
    return { accounts: this.accounts.estimate(phrase), uses: this.uses.estimate(phrase), population: this.population };
  }

  /** Shared, rare against the background, and used systematically by those who use it. */
  tradecraft(phrase: number): boolean {
    const a = this.accounts.estimate(phrase);
    if (a < this.rule.minAccounts) return false;
    if (a > this.rule.maxAccountShare * Math.max(this.population, 1)) return false;
    return this.uses.estimate(phrase) / a >= this.rule.minUsesPerAccount;
  }

  /** Shared (by at least minAccounts) and written `minUses` times or more per account that writes it: how accounts ask (their style, a snippet, a template), not an item they ask. */
  reused(phrase: number, minUses: number): boolean {
    const a = this.accounts.estimate(phrase);
    return a >= this.rule.minAccounts && this.uses.estimate(phrase) >= minUses * a;
  }

  /**
   * 2: tradecraft now; 1: pending (shared and rare as tradecraft is, used at least `pendingUses` times
   * per using account on average, not yet systematic enough); 0: neither. One read of the sketches.
   */
  grade(phrase: number, pendingUses: number): 0 | 1 | 2 {
    const a = this.accounts.estimate(phrase);
    if (a < this.rule.minAccounts || a > this.rule.maxAccountShare * Math.max(this.population, 1)) return 0;
    const perAccount = this.uses.estimate(phrase) / a;
    return perAccount >= this.rule.minUsesPerAccount ? 2 : perAccount >= pendingUses ? 1 : 0;
  }

  /**
   * Tradecraft of one group of `inside` accounts that use it: shared and systematic as above, most of
   * its users in the group (`ownedShare`: one author's text, not a phrase many authors happen to
   * write), and rare among the accounts outside the group (`maxShare`). Judged outside the group so
   * that a large operation's own phrases do not make themselves look common.
   */
  tradecraftOf(phrase: number, inside: number, maxShare: number, ownedShare: number): boolean {
    const a = this.accounts.estimate(phrase);
    if (a < this.rule.minAccounts || inside < ownedShare * a) return false;
    const outside = Math.max(0, a - inside);
    if (outside > maxShare * Math.max(this.population - inside, 1)) return false;
    return this.uses.estimate(phrase) / a >= this.rule.minUsesPerAccount;
  }

  /** Fixed memory of the sketches, whatever the traffic. */
  get bytes(): number {
    return this.accounts.bytes + this.uses.bytes + this.seen.bytes;
  }
}
