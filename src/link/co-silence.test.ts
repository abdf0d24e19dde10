import { describe, expect, it } from 'vitest';
import { GroupTiming, HOUR_MS, HourlyActivity, regionKept, type SilenceRule } from './co-silence.js';

const RULE: SilenceRule = { maxHours: 24, alpha: 1e-4, minSilences: 2 };

/**
 * A hand-made group of `active` members, each active once in every hour (at its own minute) for
 * `days` days from hour 0 (`night`: none in the first hours of each day), none in the hours `quiet`
 * (the group's own stop); its region (50 other users an hour) goes on, or is quiet too in
 * `regionQuiet` (a regional outage).
 */
function run(o: { active: number; days: number; quiet?: [number, number]; quiet2?: [number, number]; regionQuiet?: [number, number]; night?: number; fade?: [number, number] }) {
  const g = new GroupTiming(RULE);
  const region = new HourlyActivity();
  const inside = (h: number, r?: [number, number]) => r !== undefined && h >= r[0] && h < r[1];
  for (let h = 0; h < o.days * 24; h++) {
    if (!inside(h, o.regionQuiet)) for (let u = 0; u < 50; u++) region.add(h);
    if (inside(h, o.quiet) || inside(h, o.quiet2) || inside(h, o.regionQuiet) || h % 24 < (o.night ?? 0)) continue;
    const active = o.fade && h >= o.fade[0] ? o.fade[1] : o.active;
    for (let m = 0; m < active; m++) {
      region.add(h);
      g.exchange(h * HOUR_MS + ((m + 0.5) * HOUR_MS) / active, true, o.active, () => {
        region.advance(h);
        return (x) => regionKept(region, x);
      });
    }
  }
  return { ...g.stats(), shared: g.shared() };
}

describe('HourlyActivity', () => {
  it('profiles active accounts per hour of the day, empty hours as zeros', () => {
    const a = new HourlyActivity();
    for (let day = 0; day < 2; day++) for (let k = 0; k < 6; k++) a.add(day * 24 + 10);
    a.advance(48 + 10);
    expect(a.expected(10)).toBe(6);
    expect(a.expected(11)).toBe(0);
    expect(a.warm).toBe(true);
    expect(a.countAt(34)).toBe(6);
    expect(a.countAt(35)).toBe(0);
    expect(a.countAt(58)).toBeUndefined(); // still open
  });

  it('is not warm before every hour of the day was seen', () => {
    const a = new HourlyActivity();
    a.add(0);
    a.advance(20);
    expect(a.warm).toBe(false);
  });

  it('regionKept: the share of its usual activity a region kept in an hour (at most 1)', () => {
    const a = new HourlyActivity();
    for (let h = 0; h < 48; h++) for (let k = 0; k < (h === 40 ? 1 : 10); k++) a.add(h);
    a.advance(48);
    expect(regionKept(a, 40)).toBeLessThan(0.2);
    expect(regionKept(a, 30)).toBe(1);
  });
});

describe('GroupTiming (co-silence)', () => {
  it('8 members active an hour, silent 3 hours while the region goes on: about 24 expected (a little less: the members are part of their region), a silence of its own', () => {
    const s = run({ active: 8, days: 4, quiet: [80, 83] });
    expect(s.strongest).toBeGreaterThan(20);
    expect(s.needed).toBeGreaterThan(15);
    expect(s.needed).toBeLessThan(18);
    expect(s.silences).toBe(1);
    expect(s.shared).toBe(false); // once: minSilences 2
    const twice = run({ active: 8, days: 4, quiet: [50, 53], quiet2: [80, 83] });
    expect(twice.silences).toBe(2);
    expect(twice.shared).toBe(true);
  });

  it('the same group silent 1 hour: about 8 expected, what independent people do somewhere in 4 days', () => {
    const s = run({ active: 8, days: 4, quiet: [50, 51], quiet2: [80, 81] });
    expect(s.strongest).toBeGreaterThan(7);
    expect(s.strongest).toBeLessThan(s.needed);
    expect(s.shared).toBe(false);
  });

  it('a quiet group (2 active an hour) silent 3 hours: about 6 expected, not shared', () => {
    const s = run({ active: 2, days: 4, quiet: [50, 53], quiet2: [80, 83] });
    expect(s.strongest).toBeLessThan(s.needed);
    expect(s.shared).toBe(false);
  });

  it('silent together with its whole region (a regional outage): the background explains it', () => {
    const s = run({ active: 8, days: 4, quiet: [50, 54], quiet2: [80, 84], regionQuiet: [80, 84] });
    expect(s.silences).toBe(1); // the stop at 50-54 is its own; the outage at 80-84 is not
    expect(s.shared).toBe(false);
  });

  it('a silence longer than maxHours (a weekly rhythm, a holiday) is not read', () => {
    const s = run({ active: 8, days: 5, quiet: [60, 90] });
    expect(s.shared).toBe(false);
  });

  it('members drifting away (8, then 2 active an hour from hour 50): their silences are read at that level', () => {
    const s = run({ active: 8, days: 5, quiet: [80, 83], quiet2: [100, 103], fade: [50, 2] });
    expect(s.strongest).toBeLessThan(10);
    expect(s.shared).toBe(false);
  });

  it('not read before a day of profile', () => {
    expect(run({ active: 8, days: 3, quiet: [10, 14] }).strongest).toBe(0);
  });

  it('nights are in the profile: a group that sleeps 8 hours every night has no silence of its own', () => {
    const s = run({ active: 8, days: 6, night: 8 });
    expect(s.strongest).toBeLessThan(s.needed);
    expect(s.shared).toBe(false);
  });
});
