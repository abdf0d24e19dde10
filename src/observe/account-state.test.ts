import { describe, expect, it } from 'vitest';
import type { VerdictLevel } from '../core/output.js';
import type { Plan, Verification } from '../core/records.js';
import { AccountState } from './account-state.js';

describe('AccountState: packed and optional parts', () => {
  it('keeps each packed fact apart from the others', () => {
    const s = new AccountState(0, 'a');
    expect([s.dirty, s.groupFlags, s.verdict, s.plan, s.verification]).toEqual([false, 0, 'benign', undefined, undefined]);
    const cases: [boolean, number, VerdictLevel, Plan | undefined, Verification | undefined][] = [
      [true, 0b10101, 'distillation', 'reseller', 'business'],
      [false, 0xff, 'suspicious', 'free', 'none'],
      [true, 0, 'benign', undefined, 'id'],
      [false, 0b1, 'distillation', 'education', undefined],
    ];
    for (const [dirty, flags, verdict, plan, verification] of cases) {
      s.dirty = dirty;
      s.groupFlags = flags;
      s.verdict = verdict;
      s.plan = plan;
      s.verification = verification;
      expect([s.dirty, s.groupFlags, s.verdict, s.plan, s.verification]).toEqual([dirty, flags, verdict, plan, verification]);
      s.dirty = !dirty; // one write moves one fact
      expect([s.dirty, s.groupFlags, s.verdict, s.plan, s.verification]).toEqual([!dirty, flags, verdict, plan, verification]);
    }
    expect(() => (s.groupFlags = 0x100)).toThrow(/8 bits/);
    expect(() => (s.verdict = 'guilty' as VerdictLevel)).toThrow(/verdict/);
  });

  it('makes the flag times and the rare profile fields only when one is set', () => {
    const s = new AccountState(0, 'a');
    s.flaggedAt = null;
    s.orgId = undefined;
    expect(Object.values(s).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v))).toEqual([s.traffic]);
    s.suspiciousAt = 5;
    s.exchangesAtFlag = 7;
    s.links = { device_id: 'd1' };
    expect([s.flaggedAt, s.suspiciousAt, s.exchangesAtFlag, s.links, s.orgId]).toEqual([null, 5, 7, { device_id: 'd1' }, undefined]);
    s.suspiciousAt = null;
    expect(s.suspiciousAt).toBeNull();
    expect(s.exchangesAtFlag).toBe(7);
  });
});
