// Identity signals on the account alone. Weak by design: an education plan is also what real students use;
// only together with linking and content does it count. The plans and the weight are the configuration's
// (`scoring.identity`, src/config/scoring.ts).
import type { Signal } from './signal.js';

export const fraudSignupPath = {
  name: 'fraud-signup-path',
  family: 'identity',
  codes: ['fraud_signup_path'],
  evaluate(s, ctx, out) {
    const p = ctx.scoring.identity;
    if (s.plan && p.abusedPlans.includes(s.plan) && (s.verification ?? 'none') !== 'business' && s.verification !== 'id') {
      out.push({ code: 'fraud_signup_path', weight: p.fraudPathWeight, detail: { plan: s.plan, verification: s.verification ?? 'none' } });
    }
  },
} satisfies Signal;
