import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { findReason, mapNumbers, REASON_CODES, renderReason, sortReasons, type Reason, type ReasonOf } from './reasons.js';

describe('reason catalogue', () => {
  it('documents every code in docs/reasons.md', () => {
    const doc = readFileSync(new URL('../../docs/reasons.md', import.meta.url), 'utf8');
    for (const code of Object.keys(REASON_CODES)) expect(doc, code).toContain(`\`${code}\``);
  });

  it('renders text from code and parameters and sorts strongest first', () => {
    expect(renderReason({ code: 'shared_payment', weight: 0.9, detail: { dimension: 'payment', accounts: 12, suspicion: 0.87654 } })).toBe(
      'payment instrument shared with other accounts (dimension=payment, accounts=12, suspicion=0.877)',
    );
    const sorted = sortReasons([
      { code: 'single_turn', weight: 0.3, detail: { share: 1 } },
      { code: 'shared_payment', weight: 0.9, detail: { dimension: 'payment', accounts: 3, suspicion: 1 } },
      { code: 'lockstep', weight: 0.3, detail: { accounts: 3 } },
    ]);
    expect(sorted.map((r) => r.code)).toEqual(['shared_payment', 'lockstep', 'single_turn']);
  });

  it('rounds numeric parameters in place, keeping their order and the text ones', () => {
    const r: Reason = { code: 'campaign_member', weight: 0.61234, detail: { campaign: 'c-1', accounts: 7 } };
    const out = mapNumbers(r, (v) => Math.round(v * 100) / 100);
    expect(JSON.stringify(out)).toBe('{"code":"campaign_member","weight":0.61,"detail":{"campaign":"c-1","accounts":7}}');
  });

  it('finds a reason typed by its code', () => {
    const rs: Reason[] = [
      { code: 'lockstep', weight: 0.4, detail: { accounts: 3 } },
      { code: 'rate_vs_age', weight: 0.2, detail: { per_active_day: 40, age_days: 2 } },
    ];
    const r = findReason(rs, 'rate_vs_age');
    expectTypeOf(r).toEqualTypeOf<ReasonOf<'rate_vs_age'> | undefined>();
    expect(r?.detail.per_active_day).toBe(40);
    expect(findReason(rs, 'no_diurnal_rest')).toBeUndefined();
  });

  // Checked by `tsc` (npm run typecheck), not at run time: each line below must fail to compile,
  // so a renamed or misspelt parameter breaks every producer and reader of it.
  it('rejects parameters a code does not have (type-level)', () => {
    expectTypeOf<ReasonOf<'rate_vs_age'>['detail']>().toEqualTypeOf<{ per_active_day: number; age_days: number }>();
    const reasons: Reason[] = [
      // @ts-expect-error -- rate_vs_age's parameter is per_active_day, not per_day
      { code: 'rate_vs_age', weight: 0.2, detail: { per_day: 40, age_days: 2 } },
      // @ts-expect-error -- lockstep has no share
      { code: 'lockstep', weight: 0.4, detail: { share: 0.5 } },
      // @ts-expect-error -- not a reason code
      { code: 'made_up', weight: 0.1, detail: {} },
    ];
    const read = (r: ReasonOf<'peer_indicator'>): unknown =>
      // @ts-expect-error -- peer_indicator's parameter is `producers`
      r.detail.producer;
    expect(reasons).toHaveLength(3);
    expect(read({ code: 'peer_indicator', weight: 1, detail: { kinds: 'payment_hmac', producers: 1, corroborated: false } })).toBeUndefined();
  });
});
