// Tradecraft counted backwards. A phrase is tradecraft once it is shared, rare in the background and
// inserted systematically (phrase-frequency.ts), and "systematic" is a mean of uses per account that
// grows with time: a careful operator who writes many phrases and varies every use (each one then
// recurs in few of an account's prompts) sees its phrases qualify only after days, so the exchanges
// that carried them before do not count, and its accounts never reach the share of exchanges carrying
// tradecraft that joins a candidate group. The exchanges are not lost, only judged too early.
//
// Here, per account, the exchanges that carried no tradecraft phrase but a *pending* one (shared and
// rare already, used more than once per account on average, not yet systematic enough), and the
// account's most counted pending phrases (space-saving top-k, with the count each phrase inherited,
// so that a count minus it is a lower bound of the account's own uses). At judgement time the pending
// exchanges are re-read against what the background knows now: those that carried a top phrase that
// has since become tradecraft count. A library's snippet pasted now and then never becomes
// tradecraft, so its users are never credited.
// Bounded: K phrase/count/error triples and one counter per account (4 + 12K = 100 bytes).
import { U32Column } from '../core/columns.js';

/** Pending phrases remembered per account. */
export const RETRO_TOP = 8;

export class RetroTradecraft {
  private readonly phrase = Array.from({ length: RETRO_TOP }, () => new U32Column());
  private readonly count = Array.from({ length: RETRO_TOP }, () => new U32Column());
  /** The count each phrase inherited when it took its slot: its count over-states its uses by at most this. */
  private readonly error = Array.from({ length: RETRO_TOP }, () => new U32Column());
  /** Exchanges that carried a pending phrase and no tradecraft one. */
  private readonly pending = new U32Column();

  /** One exchange of the account carried pending phrases (and no tradecraft one). */
  exchange(idx: number): void {
    this.pending.set(idx, this.pending.get(idx) + 1);
  }

  /** One pending phrase of that exchange. Space-saving: a phrase not held replaces the least counted, inheriting its count. */
  phraseSeen(idx: number, h: number): void {
    let least = 0;
    for (let k = 0; k < RETRO_TOP; k++) {
      if (this.count[k].get(idx) > 0 && this.phrase[k].get(idx) === h) {
        this.count[k].set(idx, this.count[k].get(idx) + 1);
        return;
      }
      if (this.count[k].get(idx) < this.count[least].get(idx)) least = k;
    }
    const inherited = this.count[least].get(idx);
    this.phrase[least].set(idx, h);
    this.error[least].set(idx, inherited);
    this.count[least].set(idx, inherited + 1);
  }

  /**
   * Pending exchanges that count as carrying tradecraft now: the counts of the top phrases that
   * `isTradecraft` says qualify at this judgement (each counted once per exchange that carried it), at
   * most the pending exchanges. Not a share of all pending exchanges: an account whose pending
   * exchanges mostly carry other shared phrases (common-ish language) is credited only with those
   * that carried the qualified ones.
   */
  credited(idx: number, isTradecraft: (h: number) => boolean): number {
    const n = this.pending.get(idx);
    if (n === 0) return 0;
    let now = 0;
    for (let k = 0; k < RETRO_TOP; k++) {
      const c = this.count[k].get(idx);
      if (c > 0 && isTradecraft(this.phrase[k].get(idx))) now += c - this.error[k].get(idx);
    }
    return Math.min(n, now);
  }

  /** The account's pending phrases, most counted first (for the candidate groups it may join). */
  phrases(idx: number, out: number[]): number[] {
    out.length = 0;
    for (let k = 0; k < RETRO_TOP; k++) if (this.count[k].get(idx) > 0) out.push(k);
    out.sort((a, b) => this.count[b].get(idx) - this.count[a].get(idx));
    for (let i = 0; i < out.length; i++) out[i] = this.phrase[out[i]].get(idx);
    return out;
  }

  /** Exchanges of the account that carried pending phrase `h`, at least (0: not held): its count minus the count it inherited. */
  uses(idx: number, h: number): number {
    for (let k = 0; k < RETRO_TOP; k++) {
      const c = this.count[k].get(idx);
      if (c > 0 && this.phrase[k].get(idx) === h) return c - this.error[k].get(idx);
    }
    return 0;
  }

  /** The account holds `h` among its pending phrases. */
  holds(idx: number, h: number): boolean {
    for (let k = 0; k < RETRO_TOP; k++) if (this.count[k].get(idx) > 0 && this.phrase[k].get(idx) === h) return true;
    return false;
  }
}
