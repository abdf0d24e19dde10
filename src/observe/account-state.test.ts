import { describe, expect, it } from 'vitest';
import type { Plan, Verification } from '../core/records.js';
import { AccountState } from './account-state.js';

describe('AccountState: packed and optional parts', () => {
  it('keeps each packed fact apart from the others', () => {
    const s = new AccountState(0, 'a');
    expect([s.dirty, s.plan, s.verification]).toEqual([false, undefined, undefined]);
    const cases: [boolean, Plan | undefined, Verification | undefined][] = [
      [true, 'reseller', 'business'],
      [false, 'free', 'none'],
      [true, undefined, 'id'],
      [false, 'education', undefined],
    ];
    for (const [dirty, plan, verification] of cases) {
      s.dirty = dirty;
      s.plan = plan;
      s.verification = verification;
      expect([s.dirty, s.plan, s.verification]).toEqual([dirty, plan, verification]);
      s.dirty = !dirty; // one write moves one fact
      expect([s.dirty, s.plan, s.verification]).toEqual([!dirty, plan, verification]);
    }
    expect(() => (s.plan = 'platinum' as Plan)).toThrow(/plan/);
  });

  it('makes the rare profile fields only when one is set', () => {
    const s = new AccountState(0, 'a');
    s.orgId = undefined;
    expect(Object.values(s).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v))).toEqual([s.traffic]);
    s.links = { device_id: 'd1' };
    expect([s.links, s.orgId]).toEqual([{ device_id: 'd1' }, undefined]);
  });
});
