// Identity signals on the account alone. Weak by design: an education plan is also what real students use;
// only together with linking and content does it count.
import type { Signal } from './signal.js';

const ABUSED_PLANS = new Set(['education', 'research', 'startup']);

export const fraudSignupPath = {
  name: 'fraud-signup-path',
  family: 'identity',
  codes: ['fraud_signup_path'],
  evaluate(s, _ctx, out) {
    if (s.plan && ABUSED_PLANS.has(s.plan) && (s.verification ?? 'none') !== 'business' && s.verification !== 'id') {
      out.push({ code: 'fraud_signup_path', weight: 0.15, detail: { plan: s.plan, verification: s.verification ?? 'none' } });
    }
  },
} satisfies Signal;
