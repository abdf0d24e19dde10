// An ordinary person's account for the hard-negative groups built on personSpec (course cohorts,
// prompt-library users, users hit by a regional outage): the organic population's identity mix.
import type { Plan } from '../core/records.js';
import type { CountrySpec } from './catalog.js';
import type { Ctx } from './ctx.js';
import { newAccount } from './ctx.js';
import type { Group, SimAccount } from './exchange.js';
import { links, signupTime, verification } from './organic.js';
import type { Rng } from './rng.js';

export function ordinaryAccount(ctx: Ctx, r: Rng, o: { group: Group; category: string; country: CountrySpec; signupIp: string; createdAt?: number }): SimAccount {
  const w = ctx.world;
  const plan: Plan = r.chance(ctx.p.organic.freeShare) ? 'free' : 'paid';
  const v = verification(r);
  return newAccount(r, {
    label: 'organic', group: o.group, category: o.category, createdAt: o.createdAt ?? signupTime(ctx, r, ctx.p.organic.signupInWindowShare),
    email: w.personalEmail(r, o.country.code), country: o.country.code, verification: v, plan, signupIp: o.signupIp,
    signupUserAgent: w.browser(r).ua, payment: plan === 'paid' ? w.card(r, r.chance(ctx.p.organic.prepaidShare) ? 'prepaid' : 'common') : undefined,
    links: links(w, r, v),
  });
}
