// Exchanges observed since the last judgement, tallied by account and counted into the account's groups
// and campaign at the start of the next judgement, instead of into every group at every exchange. The
// sums are read only by the judgement, and an account's groups and campaign root change only within one
// (link moves accounts there), so the groups counted into are the ones the exchange would have been
// counted into; counts are integers and item unions register maxima, so the sums are the same exactly.
import { CAPABILITIES } from '../core/capabilities.js';
import { F64Column } from '../core/columns.js';
import { CAPS, EXCHANGES, HOURS, REASONING_PROMPTS } from './group-aggregates.js';

const NCAPS = CAPABILITIES.length;
/** The capability bits of a mask (the sums count no other). */
const CAP_BITS = (1 << NCAPS) - 1;

/** One account's exchanges since the last judgement. */
export class Tally {
  idx = -1;
  exchanges = 0;
  eliciting = 0;
  /** Capabilities with a count, as bits; their counts by capability. */
  capMask = 0;
  readonly caps: number[] = new Array<number>(NCAPS).fill(0);
  /** Hours of day with a count (a tick spans one or two), and their counts, in first-seen order. */
  readonly hours: number[] = [];
  readonly hourCounts: number[] = [];
  /** Reasoning items asked for (eliciting exchanges only). */
  readonly items: number[] = [];

  /** Adds the tally into a sums array in ./group-aggregates.ts's layout. */
  addInto(agg: Float64Array): void {
    agg[EXCHANGES] += this.exchanges;
    agg[REASONING_PROMPTS] += this.eliciting;
    for (let m = this.capMask, i = 0; m !== 0; m >>>= 1, i++) if ((m & 1) !== 0) agg[CAPS + i] += this.caps[i];
    for (let k = 0; k < this.hours.length; k++) agg[HOURS + this.hours[k]] += this.hourCounts[k];
  }

  private reset(idx: number): void {
    this.idx = idx;
    this.exchanges = 0;
    this.eliciting = 0;
    for (let m = this.capMask, i = 0; m !== 0; m >>>= 1, i++) this.caps[i] = 0;
    this.capMask = 0;
    this.hours.length = 0;
    this.hourCounts.length = 0;
    this.items.length = 0;
  }

  /** Starts the tally of another account (a pooled tally is reused). */
  static start(t: Tally | undefined, idx: number): Tally {
    const tally = t ?? new Tally();
    tally.reset(idx);
    return tally;
  }
}

export class PendingExchanges {
  /** Tallies in use this judgement period, then the pool of free ones beyond `used`. */
  private readonly tallies: Tally[] = [];
  private used = 0;
  /** Position + 1 in `tallies` by account index (0: none this period). */
  private readonly at = new F64Column();

  /** One exchange: its capability bits, whether it elicits reasoning (and its item), its UTC hour. */
  add(idx: number, mask: number, elicits: boolean, item: number, hourOfDay: number): void {
    let pos = this.at.get(idx);
    if (pos === 0) {
      this.tallies[this.used] = Tally.start(this.tallies[this.used], idx);
      pos = ++this.used;
      this.at.set(idx, pos);
    }
    const t = this.tallies[pos - 1];
    t.exchanges++;
    if (elicits) {
      t.eliciting++;
      t.items.push(item);
    }
    const caps = mask & CAP_BITS;
    t.capMask |= caps;
    for (let m = caps, i = 0; m !== 0; m >>>= 1, i++) if ((m & 1) !== 0) t.caps[i]++;
    const k = t.hours.indexOf(hourOfDay);
    if (k >= 0) t.hourCounts[k]++;
    else {
      t.hours.push(hourOfDay);
      t.hourCounts.push(1);
    }
  }

  /** Hands each account's tally to `count` and starts a new period. */
  flush(count: (t: Tally) => void): void {
    for (let i = 0; i < this.used; i++) {
      const t = this.tallies[i];
      this.at.set(t.idx, 0);
      count(t);
    }
    this.used = 0;
  }
}
