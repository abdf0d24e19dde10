import { describe, expect, it } from 'vitest';
import { AccountVerdicts, NO_REASONS } from './account-verdicts.js';

describe('AccountVerdicts: the judge columns by account index', () => {
  it('reads an account never judged as benign, unscored and unflagged', () => {
    const v = new AccountVerdicts();
    expect([v.harvest(5000), v.score(5000), v.verdict(5000), v.groupFlags(5000), v.flaggedAt(5000), v.suspiciousAt(5000), v.exchangesAtFlag(5000)]).toEqual([
      0,
      0,
      'benign',
      0,
      null,
      null,
      null,
    ]);
    expect(v.reasons(5000)).toBe(NO_REASONS);
  });

  it('keeps each account apart, across growth', () => {
    const v = new AccountVerdicts();
    for (let i = 0; i < 5000; i += 7) {
      v.setHarvest(i, i / 1e4);
      v.setScore(i, 1 - i / 1e4);
      v.setVerdict(i, i % 3 === 0 ? 'distillation' : 'suspicious');
      v.setGroupFlags(i, i & 0x1f);
      v.setReasons(i, [{ code: 'lockstep', weight: i, detail: { accounts: 2 } }]);
    }
    for (let i = 0; i < 5000; i++) {
      const set = i % 7 === 0;
      expect(v.harvest(i)).toBe(set ? i / 1e4 : 0);
      expect(v.score(i)).toBe(set ? 1 - i / 1e4 : 0);
      expect(v.verdict(i)).toBe(set ? (i % 3 === 0 ? 'distillation' : 'suspicious') : 'benign');
      expect(v.groupFlags(i)).toBe(set ? i & 0x1f : 0);
      expect(v.reasons(i)[0]?.weight).toBe(set ? i : undefined);
    }
    expect(() => v.setGroupFlags(0, 0x100)).toThrow(/8 bits/);
  });

  it('keeps the first flag times until an analyst clears them', () => {
    const v = new AccountVerdicts();
    v.markSuspicious(3, 100);
    v.markSuspicious(3, 200);
    v.markFlagged(3, 300, 12);
    v.markFlagged(3, 400, 20);
    expect([v.suspiciousAt(3), v.flaggedAt(3), v.exchangesAtFlag(3)]).toEqual([100, 300, 12]);
    v.clearFlags(3);
    expect([v.suspiciousAt(3), v.flaggedAt(3), v.exchangesAtFlag(3)]).toEqual([null, null, null]);
  });
});
