// Shared pipeline timing: one pipeline's accounts fall silent together when it stops (an outage, a
// deploy, a quota reset) and resume when it restarts, although each one's day looks human. Independent
// people have quiet spells too, but not all of them at once while their own habits expect several of
// them active. Measured per candidate group in event time (GroupTiming below): the strength of a
// silence is how many active members the group's own hour-of-day profile expected over it (nights and
// time zones are in the profile), tested against the chance of as long a collective silence among
// independent people anywhere in the group's history.
// Calibrated against the background: a regional network outage, a holiday or a weekend quiets every
// user of a region at once, so each hour's expectation is scaled by how much of its usual activity the
// members' regions kept in that hour: only a silence of the group's own counts. Fixed memory: a day's
// profile and a few days of hourly counts per group and per region.
export const HOUR_MS = 3_600_000;
/** Hours of counts kept (longer than any silence read). */
const RING = 64;
/** Hours before a silence whose activity sets the level it is read against. */
const LEVEL_HOURS = 24;
/** Empty hours folded into a profile at most per advance (a population idle for weeks stays bounded). */
const MAX_FOLD = 24 * 14;

/**
 * Distinct accounts active per hour (the caller counts an account once per hour), and their hour-of-day
 * profile per account of `size` (the accounts followed when the hour closed: a group that grows is
 * expected to be as active as its members are now, not as it was).
 */
export class HourlyActivity {
  size = 1;
  private readonly sum = new Float64Array(24);
  private readonly seen = new Uint32Array(24);
  private readonly ring = new Uint32Array(RING);
  /** The open hour (hours since the epoch; -1 none) and its count so far. */
  private hour = -1;
  private count = 0;

  /** Latest hour with activity (-1: none yet). */
  get last(): number {
    return this.hour;
  }

  /** One account active in hour `h` (an hour before the open one counts in it: late events are few). */
  add(h: number): void {
    this.advance(h);
    this.count++;
  }

  /** Closes the hours before `h`: their counts go into the profile (hours with nobody as zeros). */
  advance(h: number): void {
    if (this.hour < 0) this.hour = h;
    if (h <= this.hour) return;
    this.close(this.hour, this.count);
    const from = Math.max(this.hour + 1, h - MAX_FOLD);
    for (let x = from; x < h; x++) this.close(x, 0);
    this.hour = h;
    this.count = 0;
  }

  private close(x: number, n: number): void {
    const d = x % 24;
    this.sum[d] += n / Math.max(1, this.size);
    this.seen[d]++;
    this.ring[x % RING] = n;
  }

  /** Mean active accounts in this hour of the day so far, at today's size (0 before one was seen). */
  expected(x: number): number {
    const d = x % 24;
    return this.seen[d] === 0 ? 0 : (this.sum[d] / this.seen[d]) * Math.max(1, this.size);
  }

  /** Hours closed so far. */
  get hours(): number {
    let n = 0;
    for (let d = 0; d < 24; d++) n += this.seen[d];
    return n;
  }

  /** Every hour of the day seen at least once (a day of profile). */
  get warm(): boolean {
    for (let d = 0; d < 24; d++) if (this.seen[d] === 0) return false;
    return true;
  }

  /** Active accounts in a closed hour within the last RING hours (undefined: not kept, or still open). */
  countAt(x: number): number | undefined {
    if (x >= this.hour || this.hour - x > RING) return undefined;
    return this.ring[x % RING];
  }
}

export interface SilenceRule {
  /** Silences longer than this (hours) are not read: a weekly rhythm or a holiday, not a pipeline's stop. */
  maxHours: number;
  /** Chance that independent people show a silence as strong anywhere in the group's history. */
  alpha: number;
  /** Silences that strong the group needs: a pipeline stops again and again (deploys, quota resets), a chance alignment rarely twice. */
  minSilences: number;
}

export const DEFAULT_SILENCE: SilenceRule = { maxHours: 24, alpha: 1e-4, minSilences: 2 };

/** Share of its usual activity a region kept in hour x, at most 1 (1 when nothing is known of it). */
export function regionKept(region: HourlyActivity, x: number): number {
  const n = region.countAt(x);
  const e = region.expected(x);
  return n === undefined || e <= 0 ? 1 : Math.min(1, n / e);
}

/** What one candidate group's timing showed. */
export interface TimingStats {
  /** Its strongest silence: members active expected over it (its chance for independent people is e^-strength). */
  strongest: number;
  /** The strength a silence needs, given how many places it could have happened (ln(starts / alpha)). */
  needed: number;
  /** Silences at least that strong. */
  silences: number;
}

/**
 * A candidate group's activity and the silences read from it. A silence is the time between two
 * exchanges of its members; its strength is the members active expected over it: per hour it covers,
 * the group's own profile for that hour of the day (per member, times its members now) times the part
 * of the hour covered (a lower bound: an active member's exchanges fall in a random part of its hour at
 * least that often), times the group's level in the day before (its activity against its profile, at
 * most 1), scaled down by how much of its usual activity the members' regions kept in that hour (a regional outage, a holiday, a weekend lower everyone's activity: the background's, not the
 * group's). For independent members the chance of no one active is at most e^-strength; a silence
 * counts when that is below alpha divided by the places it could have started (quarter hours observed).
 */
export class GroupTiming {
  readonly activity = new HourlyActivity();
  private last = -1;
  private strongest = 0;
  private silences = 0;

  constructor(readonly rule: SilenceRule = DEFAULT_SILENCE) {}

  /**
   * An exchange of one of the group's `members` at `ts` (ms), the member's first in its hour when
   * `firstInHour`. `kept()` gives, when a silence is read, the share of their usual activity the
   * members' regions kept in a closed hour (weighted by members).
   */
  exchange(ts: number, firstInHour: boolean, members: number, kept: () => (x: number) => number): void {
    const a = this.activity;
    const last = this.last;
    if (ts > last) this.last = ts;
    a.size = members;
    const h = Math.floor(ts / HOUR_MS);
    if (last >= 0 && ts - last >= HOUR_MS / 4 && ts - last <= this.rule.maxHours * HOUR_MS && a.warm) {
      const strength = this.strength(last, ts, kept());
      if (strength > this.strongest) this.strongest = strength;
      if (strength >= this.needed()) this.silences++;
    }
    if (firstInHour) a.add(h);
  }

  private strength(from: number, to: number, kept: (x: number) => number): number {
    const start = Math.floor(from / HOUR_MS);
    const level = this.level(start);
    let e = 0;
    for (let x = start; x * HOUR_MS < to; x++) {
      const covered = Math.min(to, (x + 1) * HOUR_MS) - Math.max(from, x * HOUR_MS);
      e += this.activity.expected(x) * level * kept(x) * (covered / HOUR_MS);
    }
    return e;
  }

  /**
   * How active the group was in the day before hour `start` against its profile, at most 1: members
   * who drift away, or a group quieter this week, lower what its silence is read against (a group's
   * profile is its history; a pipeline running until it stops is at its usual level).
   */
  private level(start: number): number {
    let seen = 0;
    let expected = 0;
    for (let x = start - LEVEL_HOURS; x < start; x++) {
      const n = this.activity.countAt(x);
      if (n === undefined) continue;
      seen += n;
      expected += this.activity.expected(x);
    }
    return expected <= 0 ? 1 : Math.min(1, seen / expected);
  }

  private needed(): number {
    return Math.log(Math.max(1, 4 * this.activity.hours) / this.rule.alpha);
  }

  stats(): TimingStats {
    return { strongest: this.strongest, needed: this.needed(), silences: this.silences };
  }

  /** Silent together beyond what independent people do, again and again. */
  shared(): boolean {
    return this.silences >= this.rule.minSilences;
  }
}
