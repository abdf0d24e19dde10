import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import type { Exchange } from '../core/records.js';
import { HOUR } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import { Observed } from '../../test/helpers/observe.js';
import { exchange, rng, T0 } from '../../test/helpers/records.js';
import { coordination, CoordinationScratch, isLoadBalanced, isLockstep } from './coordination.js';

/** Absolute hour of T0; the 48-hour window under test is H0 .. H0 + 47. */
const H0 = Math.floor(T0 / HOUR);
const END = H0 + 47;

// One observer for the file; each call below observes its accounts under fresh ids.
const obs = new Observed(buildEngineConfig());
let seq = 0;

/** Account states from per-account activity: for each account, [hour offset from T0, exchanges in that hour]. */
function accounts(activity: [number, number][][]): AccountState[] {
  const call = seq++;
  const id = (a: number): string => `call${call}-acct${a}`;
  const recs: Exchange[] = [];
  activity.forEach((hours, a) => {
    for (const [h, n] of hours) {
      for (let k = 0; k < n; k++) recs.push(exchange(id(a), T0 + h * HOUR + Math.floor(((k + 0.5) * HOUR) / n) + a, `task ${a} ${h} ${k}`));
    }
  });
  recs.sort((x, y) => x.ts - y.ts);
  for (const r of recs) obs.exchange(r);
  return activity.map((_, a) => obs.accounts.get(id(a))).filter((s): s is AccountState => s !== undefined);
}

const BUSY = [2, 3, 5, 8, 13, 14, 20, 26, 27, 33, 40, 45];

/** Accounts busy in the same hours, at different volumes. */
function lockstepGroup(n: number, jitter = false): [number, number][][] {
  const r = rng(11);
  return Array.from({ length: n }, (_, a) =>
    BUSY.map((h, i): [number, number] => [h, (1 + (a % 3) * 4) * (jitter ? 2 + Math.floor(r() * 4) : 1 + (i % 3))]),
  );
}

/** One work queue dealing each hour's batch, around the clock, to the next of n accounts in turn. */
function loadBalancedGroup(n: number, perHour = () => 10): [number, number][][] {
  const out: [number, number][][] = Array.from({ length: n }, () => []);
  for (let h = 0; h < 48; h++) out[h % n].push([h, perHour()]);
  return out;
}

/** People with their own habits: a few daytime hours each day, at their own pace. */
function humans(n: number, seed: number): [number, number][][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const hours: [number, number][] = [];
    for (let d = 0; d < 2; d++) {
      for (let h = 8; h < 23; h++) if (r() < 0.3) hours.push([d * 24 + h, 1 + Math.floor(r() * 4)]);
    }
    return hours;
  });
}

describe('coordination: lockstep', () => {
  it('finds accounts busy in the same hours in lockstep, whatever their volumes', () => {
    const c = coordination(accounts(lockstepGroup(6)), END);
    expect(c.active).toBe(6);
    expect(c.cosine).toBeCloseTo(1, 10);
    expect(isLockstep(c)).toBe(true);
    expect(isLoadBalanced(c)).toBe(false); // the group's total stops in the idle hours
  });

  it('still finds them in lockstep with their counts per hour varying', () => {
    const c = coordination(accounts(lockstepGroup(6, true)), END);
    expect(c.cosine).toBeGreaterThan(0.8);
    expect(c.cosine).toBeLessThan(1);
    expect(isLockstep(c)).toBe(true);
  });

  it('needs three active accounts', () => {
    const c = coordination(accounts(lockstepGroup(2)), END);
    expect(c).toEqual({ cosine: 0, totalCv: Infinity, memberCv: 0, active: 2 });
    expect(isLockstep(c)).toBe(false);
  });

  it('skips members idle in the window (fewer than three busy hours)', () => {
    const idle: [number, number][][] = [[[2, 50]], [[3, 1], [5, 1]], []];
    const c = coordination(accounts([...lockstepGroup(4), ...idle]), END);
    expect(c.active).toBe(4);
    expect(c.cosine).toBeCloseTo(1, 10);
  });

  it('looks only at the 48 hours ending at the given hour', () => {
    const members = accounts(lockstepGroup(6));
    expect(coordination(members, END + 48).active).toBe(0);
    // Twelve hours later the first three busy hours (2, 3, 5) have left the window; the rest still match.
    const later = coordination(members, END + 12);
    expect(later.active).toBe(6);
    expect(isLockstep(later)).toBe(true);
  });
});

describe('coordination: configuration', () => {
  it('takes its thresholds from the configuration (--config {"scoring": {"coordination": ...}}), with working arrays its caller owns', () => {
    const members = accounts(lockstepGroup(6));
    const scratch = new CoordinationScratch();
    const strict = buildEngineConfig({ scoring: { coordination: { lockstepCosine: 0.99, minActive: 8 } } }).scoring.coordination;
    const c = coordination(members, END, scratch, strict);
    expect(c.active).toBe(6);
    expect(isLockstep(c, strict)).toBe(false);
    // The same arrays again, default thresholds: lockstep, and the same figures as fresh arrays give.
    const again = coordination(members, END, scratch);
    expect(again).toEqual(coordination(members, END));
    expect(isLockstep(again)).toBe(true);
  });
});

describe('coordination: load balancing', () => {
  it('finds complementary members with a steady total load-balanced, not lockstep', () => {
    const c = coordination(accounts(loadBalancedGroup(8)), END);
    expect(c.active).toBe(8);
    expect(c.cosine).toBeCloseTo(0, 10);
    expect(c.totalCv).toBeCloseTo(0, 10);
    expect(c.memberCv).toBeCloseTo(Math.sqrt(7), 10); // busy one hour in eight
    expect(isLoadBalanced(c)).toBe(true);
    expect(isLockstep(c)).toBe(false);
  });

  it('tolerates an uneven queue', () => {
    const r = rng(12);
    const c = coordination(accounts(loadBalancedGroup(6, () => 6 + Math.floor(r() * 9))), END);
    expect(c.totalCv).toBeGreaterThan(0);
    expect(isLoadBalanced(c)).toBe(true);
  });

  it('needs five active members', () => {
    const c = coordination(accounts(loadBalancedGroup(4)), END);
    expect(c.totalCv).toBeCloseTo(0, 10);
    expect(isLoadBalanced(c)).toBe(false);
  });

  it('does not take steady members for a queue: each must be bursty', () => {
    // Every account sends every hour: the total is steady but so is each member.
    const steady = Array.from({ length: 6 }, () => Array.from({ length: 48 }, (_, h): [number, number] => [h, 3]));
    const c = coordination(accounts(steady), END);
    expect(c.totalCv).toBeCloseTo(0, 10);
    expect(c.memberCv).toBeCloseTo(0, 10);
    expect(isLoadBalanced(c)).toBe(false);
    expect(isLockstep(c)).toBe(true); // ...though busy in the same hours
  });
});

describe('coordination: independent humans', () => {
  it('finds independent people neither lockstep nor load-balanced', () => {
    for (const seed of [1, 2, 3]) {
      const members = accounts(humans(10, seed));
      const c = coordination(members, END);
      expect(c.active, `seed ${seed}`).toBeGreaterThanOrEqual(8);
      expect(c.cosine, `seed ${seed}`).toBeLessThan(0.6);
      expect(isLockstep(c), `seed ${seed}`).toBe(false);
      expect(isLoadBalanced(c), `seed ${seed}`).toBe(false);
    }
  });

  it('sees a lockstep crew inside a group of independent people only when the crew is most of the group', () => {
    const crewOfThree = coordination(accounts([...lockstepGroup(3), ...humans(10, 4)]), END);
    expect(isLockstep(crewOfThree)).toBe(false);
    const crewOfTwelve = coordination(accounts([...lockstepGroup(12), ...humans(2, 5)]), END);
    expect(crewOfTwelve.cosine).toBeGreaterThan(0.7);
    expect(isLockstep(crewOfTwelve)).toBe(true);
  });
});
