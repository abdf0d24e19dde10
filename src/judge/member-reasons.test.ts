import { describe, expect, it } from 'vitest';
import { sortReasons, type Reason } from '../core/reasons.js';
import { MemberReasons, StrongestWeights, strongestPerCode } from './member-reasons.js';

const own: Reason[] = [
  { code: 'reasoning_elicitation', weight: 0.7, detail: { share: 0.9 } } as Reason,
  { code: 'max_output_budget', weight: 0.1, detail: { share: 1 } } as Reason,
];
const shared: Reason[] = [
  { code: 'campaign_member', weight: 0.3000000000000001, detail: { campaign: 'c1', accounts: 9 } },
  { code: 'lockstep', weight: 0.45, detail: { accounts: 9 } },
];
const links: Reason[] = [
  { code: 'signup_burst', weight: 0.2, detail: { dimension: 'signup_ip', accounts: 4, suspicion: 0.5 } },
  { code: 'lockstep', weight: 0.6, detail: { accounts: 3 } },
  { code: 'signup_burst', weight: 0.25, detail: { dimension: 'signup_cohort', accounts: 5, suspicion: 0.6 } },
];
const inherited: Reason = { code: 'inherited_infrastructure', weight: 0.15, detail: { campaign: 'c0' } };

/** What the judge built eagerly before: one reason per code, weights summed in that order, sorted. */
function eager(parts: Reason[]): { weight: number; reasons: Reason[] } {
  const best = strongestPerCode(parts);
  let weight = 0;
  for (const r of best) weight += r.weight;
  return { weight, reasons: sortReasons(strongestPerCode([...best])) };
}

describe('MemberReasons: a member verdict scored from its parts, built when read', () => {
  it('weighs and lists exactly what the eager list held, codes repeated across parts included', () => {
    const scratch = new StrongestWeights();
    for (const inh of [undefined, inherited]) {
      const all = [...own, ...shared, ...links, ...(inh ? [inh] : [])];
      const want = eager(all);
      const m = new MemberReasons(own, shared, links, inh);
      expect(m.weight(scratch)).toBe(want.weight);
      expect(m.weight(scratch)).toBe(want.weight); // the scratch holds nothing over
      expect(m.get()).toEqual(want.reasons);
      expect(m.get().filter((r) => r.code === 'lockstep')).toEqual([links[1]]);
      expect(m.get().filter((r) => r.code === 'signup_burst')).toEqual([links[2]]);
    }
  });

  it('builds the list once and leaves the parts untouched', () => {
    const m = new MemberReasons(own, shared, links, undefined);
    const first = m.get();
    expect(m.get()).toBe(first);
    expect(shared.map((r) => r.code)).toEqual(['campaign_member', 'lockstep']);
    expect(links).toHaveLength(3);
  });

  it('reads as no reasons when every part is empty', () => {
    const m = new MemberReasons([], [], [], undefined);
    expect(m.weight(new StrongestWeights())).toBe(0);
    expect(m.get()).toEqual([]);
  });
});
