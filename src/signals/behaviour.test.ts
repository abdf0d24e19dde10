import { DEFAULT_SCORING } from '../config/scoring.js';
import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import type { CanonicalRecord } from '../core/records.js';
import { findReason, type Reason } from '../core/reasons.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import { Observed } from '../../test/helpers/observe.js';
import { account, exchange, organicPrompt, rng, T0 } from '../../test/helpers/records.js';
import { minSixHourShare, noDiurnalRest, rateVsAge, regularInterarrival } from './behaviour.js';
import type { Signal } from './signal.js';

// One observer for the file: behaviour signals read only the account's own state.
const obs = new Observed(buildEngineConfig());
let seq = 0;

/** A new account's state after an exchange at each time (sorted), optionally after a sign-up record. */
function sender(times: number[], createdAt?: number): AccountState {
  const id = `acct${seq++}`;
  const recs: CanonicalRecord[] = times.map((t, i) => exchange(id, t, organicPrompt(i)));
  if (createdAt !== undefined) recs.push(account(id, createdAt, { createdAt }));
  recs.sort((x, y) => x.ts - y.ts);
  for (const r of recs) {
    if (r.kind === 'exchange') obs.exchange(r);
    else obs.account(r);
  }
  return obs.accounts.get(id)!;
}

function reasons(signal: Signal, s: AccountState, now = s.lastTs): Reason[] {
  const out: Reason[] = [];
  signal.evaluate(s, { now, scoring: DEFAULT_SCORING }, out);
  return out;
}

/** Times over `days` days from T0, at the given UTC hours of each day, `perHour` an hour, jittered within the hour. */
function daily(days: number, hours: number[], perHour: number, seed: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let d = 0; d < days; d++) {
    for (const h of hours) for (let k = 0; k < perHour; k++) out.push(T0 + d * DAY + h * HOUR + Math.floor(r() * HOUR));
  }
  return out.sort((a, b) => a - b);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('no_diurnal_rest', () => {
  it('emits for a work queue sending around the clock', () => {
    const s = sender(range(0, 3 * 48).map((i) => T0 + i * 30 * MINUTE));
    expect(reasons(noDiurnalRest, s)).toEqual([{ code: 'no_diurnal_rest', weight: 0.4, detail: { quietest_6h_share: 0.25 } }]);
  });

  it('emits for an uneven but sleepless sender', () => {
    // Busier by day, but never quiet for six hours.
    const s = sender(daily(4, range(0, 24), 1, 1).concat(daily(4, range(8, 20), 1, 2)).sort((a, b) => a - b));
    const r = findReason(reasons(noDiurnalRest, s), 'no_diurnal_rest')!;
    expect(r?.code).toBe('no_diurnal_rest');
    expect(r.detail.quietest_6h_share).toBeGreaterThanOrEqual(0.15);
    expect(r.detail.quietest_6h_share).toBeLessThan(0.25);
  });

  it('does not emit for a diurnal human', () => {
    const s = sender(daily(5, range(8, 22), 1, 3));
    expect(s.exchanges).toBe(70);
    expect(reasons(noDiurnalRest, s)).toEqual([]);
  });

  it('does not emit for a heavy user who sleeps only a few hours a night', () => {
    const s = sender(daily(4, range(4, 24), 2, 4)); // rest 00:00–04:00
    expect(reasons(noDiurnalRest, s)).toEqual([]);
  });

  it('does not emit for round-the-clock traffic on a single day, or under forty exchanges', () => {
    expect(reasons(noDiurnalRest, sender(range(0, 48).map((i) => T0 + i * 30 * MINUTE)))).toEqual([]); // one UTC day
    expect(reasons(noDiurnalRest, sender(range(0, 39).map((i) => T0 + i * 2 * HOUR)))).toEqual([]);
    expect(reasons(noDiurnalRest, sender(range(0, 40).map((i) => T0 + i * 2 * HOUR)))).toHaveLength(1);
  });

  it('takes its thresholds and weight from the configuration (--config {"scoring": {"behaviour": ...}})', () => {
    const s = sender(range(0, 3 * 48).map((i) => T0 + i * 30 * MINUTE));
    const evaluate = (behaviour: object): Reason[] => {
      const out: Reason[] = [];
      noDiurnalRest.evaluate(s, { now: s.lastTs, scoring: buildEngineConfig({ scoring: { behaviour } }).scoring }, out);
      return out;
    };
    expect(evaluate({ restWeight: 0.7 })).toEqual([{ code: 'no_diurnal_rest', weight: 0.7, detail: { quietest_6h_share: 0.25 } }]);
    // A quiet share above what a uniform sender reaches, or more exchanges than it sent: silent.
    expect(evaluate({ restQuietShare: 0.3 })).toEqual([]);
    expect(evaluate({ restMinExchanges: 200 })).toEqual([]);
  });
});

describe('minSixHourShare', () => {
  it('finds a rest that spans UTC midnight', () => {
    const hours = new Uint32Array(24);
    for (let h = 4; h < 22; h++) hours[h] = 10; // rest 22:00–04:00
    expect(minSixHourShare(hours, 180)).toBe(0);
    hours[23] = 1;
    expect(minSixHourShare(hours, 181)).toBeCloseTo(1 / 181);
  });

  it('is a quarter for a flat day and zero with no traffic', () => {
    expect(minSixHourShare(new Uint32Array(24).fill(3), 72)).toBe(0.25);
    expect(minSixHourShare(new Uint32Array(24), 0)).toBe(0);
  });
});

describe('regular_interarrival', () => {
  it('emits for a cron-like sender', () => {
    const s = sender(range(0, 40).map((i) => T0 + i * MINUTE));
    expect(reasons(regularInterarrival, s)).toEqual([{ code: 'regular_interarrival', weight: 0.3, detail: { log_gap_sd: 0 } }]);
  });

  it('emits for a sender with a little jitter', () => {
    const r = rng(5);
    let t = T0;
    const times = range(0, 60).map(() => (t += Math.floor((50 + r() * 20) * 1000)));
    const reason = findReason(reasons(regularInterarrival, sender(times)), 'regular_interarrival')!;
    expect(reason?.code).toBe('regular_interarrival');
    expect(reason.detail.log_gap_sd).toBeLessThan(0.2);
  });

  it('does not emit for Poisson arrivals', () => {
    const r = rng(6);
    let t = T0;
    const times = range(0, 200).map(() => (t += Math.max(1000, Math.floor(-Math.log(1 - r()) * 10 * MINUTE))));
    expect(reasons(regularInterarrival, sender(times))).toEqual([]);
  });

  it('does not emit for a human who alternates quick follow-ups and long pauses', () => {
    const times: number[] = [];
    let t = T0;
    for (let i = 0; i < 60; i++) times.push((t += i % 3 === 0 ? 2 * HOUR : 20_000));
    expect(reasons(regularInterarrival, sender(times))).toEqual([]);
  });

  it('needs thirty gaps', () => {
    expect(reasons(regularInterarrival, sender(range(0, 30).map((i) => T0 + i * MINUTE)))).toEqual([]);
    expect(reasons(regularInterarrival, sender(range(0, 31).map((i) => T0 + i * MINUTE)))).toHaveLength(1);
  });
});

describe('rate_vs_age', () => {
  const busyDay = range(0, 40).map((i) => T0 + 8 * HOUR + i * 10 * MINUTE);

  it('emits for a new account sending a lot on its first day', () => {
    const s = sender(busyDay, T0);
    const r = findReason(reasons(rateVsAge, s), 'rate_vs_age')!;
    expect(r).toMatchObject({ code: 'rate_vs_age', weight: 0.2, detail: { per_active_day: 40 } });
    expect(r.detail.age_days).toBeCloseTo((s.lastTs - T0) / DAY);
  });

  it('measures age from the first exchange when the sign-up time is unknown', () => {
    expect(reasons(rateVsAge, sender(busyDay))).toHaveLength(1);
  });

  it('does not emit for an old account with the same traffic', () => {
    expect(reasons(rateVsAge, sender(busyDay, T0 - 100 * DAY))).toEqual([]);
    expect(reasons(rateVsAge, sender(busyDay, T0 - 31 * DAY))).toEqual([]);
  });

  it('judges age at the judgement time: the same account a month later is no longer new', () => {
    const s = sender(busyDay, T0);
    expect(reasons(rateVsAge, s, T0 + 10 * DAY)).toHaveLength(1);
    expect(reasons(rateVsAge, s, T0 + 31 * DAY)).toEqual([]);
  });

  it('does not emit for a new account at a human pace, or under thirty exchanges', () => {
    const paced = range(0, 40).map((i) => T0 + Math.floor(i / 10) * DAY + 9 * HOUR + (i % 10) * HOUR);
    expect(reasons(rateVsAge, sender(paced, T0))).toEqual([]); // 10 a day over 4 days
    expect(reasons(rateVsAge, sender(busyDay.slice(0, 29), T0))).toEqual([]);
  });
});
