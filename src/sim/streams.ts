// Stream plumbing shared by actors: emit each account's record at the right moment around a
// time-ordered sequence of requests, and generate requests day by day.
import { DAY } from '../core/time.js';
import type { Ctx } from './ctx.js';
import type { Emitter, ExSpec, SimAccount, SimEvent } from './exchange.js';
import type { Rng } from './rng.js';

export interface Pending {
  acct: SimAccount;
  spec: ExSpec;
}

/**
 * Wrap time-ordered requests with account records: an account created inside the window
 * appears at its sign-up time; one created before appears just before its first request.
 */
export function* withAccounts(ctx: Ctx, em: Emitter, accounts: readonly SimAccount[], events: Iterable<Pending>): Generator<SimEvent> {
  const queue = accounts.filter((a) => a.createdAt >= ctx.start && a.createdAt < ctx.end).sort((x, y) => x.createdAt - y.createdAt);
  let qi = 0;
  for (const ev of events) {
    const t = ev.spec.ts;
    if (t < ctx.start) continue;
    if (t >= ctx.end) break;
    while (qi < queue.length && queue[qi].createdAt <= t) {
      const a = queue[qi++];
      if (!a.emitted) yield em.account(a, a.createdAt);
    }
    if (ev.acct.createdAt > t) continue; // cannot send before signing up
    if (!ev.acct.emitted) yield em.account(ev.acct, t);
    yield em.exchange(ev.acct, ev.spec);
  }
  while (qi < queue.length) {
    const a = queue[qi++];
    if (!a.emitted) yield em.account(a, a.createdAt);
  }
}

/** Requests generated one UTC day at a time (each day's batch sorted; days never overlap). */
export function* byDay(ctx: Ctx, gen: (dayStart: number, dayEnd: number) => Pending[]): Generator<Pending> {
  for (let d = 0; ctx.day0 + d * DAY < ctx.end; d++) {
    const lo = Math.max(ctx.start, ctx.day0 + d * DAY);
    const hi = Math.min(ctx.end, ctx.day0 + (d + 1) * DAY);
    if (hi <= lo) continue;
    const evs = gen(lo, hi).filter((e) => e.spec.ts >= lo && e.spec.ts < hi);
    evs.sort((a, b) => a.spec.ts - b.spec.ts);
    yield* evs;
  }
}

/** Poisson arrival times in [lo, hi) at `perDay`, shaped by hourly weights (UTC offset `tz`). */
export function arrivals(r: Rng, lo: number, hi: number, perDay: number, hours?: readonly number[], tz = 0): number[] {
  const n = r.poisson((perDay * (hi - lo)) / DAY);
  const out: number[] = [];
  if (!hours) {
    for (let i = 0; i < n; i++) out.push(lo + r.float() * (hi - lo));
  } else {
    const max = Math.max(...hours);
    while (out.length < n) {
      const t = lo + r.float() * (hi - lo);
      const h = Math.floor(((t / 3_600_000 + tz) % 24 + 24) % 24);
      if (r.float() * max < hours[h]) out.push(t);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Zipf-distributed index in [0, n): a few heavy end users, a long tail. */
export class Zipf {
  private readonly cum: number[] = [];
  constructor(n: number, s = 1.1) {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += 1 / Math.pow(i + 1, s);
      this.cum.push(acc);
    }
  }
  draw(r: Rng): number {
    const x = r.float() * this.cum[this.cum.length - 1];
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
