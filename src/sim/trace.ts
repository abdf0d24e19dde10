// Campaign "trace_harvest": a handful of research/startup accounts on one company card,
// hundreds of requests a day each in batch jobs, reconstructing reasoning from completed
// answers ("imagine and articulate the internal reasoning"), rubric grading, extended thinking
// with big budgets, log-probabilities.
import { DAY, HOUR } from '../core/time.js';
import { CEILING } from './catalog.js';
import type { Built, Ctx } from './ctx.js';
import { newAccount, scaled } from './ctx.js';
import { Emitter, drawStyle } from './exchange.js';
import type { SimAccount } from './exchange.js';
import { opaqueId } from './ids.js';
import { links } from './organic.js';
import type { Rng } from './rng.js';
import { reconstruction, rubric } from './scaffolds.js';
import { withAccounts } from './streams.js';
import type { Pending } from './streams.js';
import { effortOf } from './person.js';

export function buildTrace(ctx: Ctx, r: Rng, key: string): Built {
  const p = ctx.p.traceHarvest;
  const w = ctx.world;
  const n = scaled(p.accounts, ctx.scale, 1);
  const domain = `${w.companyDomain(r).split('.')[0]}.ai`;
  const cc = r.weighted([['US', 40], ['SG', 25], ['GB', 15], ['CA', 10], ['DE', 10]] as const);
  const card = w.card(r, r.chance(0.5) ? 'business' : 'common');
  const cloud = w.cloud(r);
  const ips = w.addresses(r, cloud, r.int(2, 4));
  const office = w.residential(r, w.country(cc));
  const founded = ctx.start - r.uniform(10, 40) * DAY;
  const runFrom = ctx.start + p.startFraction * (ctx.end - ctx.start);
  const runTo = Math.min(ctx.end, runFrom + p.activeDays * DAY);
  const streams: Iterator<import('./exchange.js').SimEvent>[] = [];
  const em = new Emitter(r.fork('emit'), ctx.p.traffic.rate429, ctx.p.traffic.rate5xx);
  for (let i = 0; i < n; i++) {
    const rs = r.fork(i);
    const [f, l] = w.name(rs);
    const v = rs.chance(0.6) ? 'email' : 'phone';
    const orgId = opaqueId(rs, 'org_');
    const acct: SimAccount = newAccount(rs, {
      label: 'distillation', group: 'trace_harvest', category: 'reasoning_reconstruction', campaign: key,
      createdAt: founded + rs.uniform(0, 4) * DAY, email: rs.chance(0.7) ? `${f}.${l}@${domain}` : `${f}${rs.int(1, 99)}@${domain}`,
      country: cc, verification: v, plan: rs.chance(0.5) ? 'research' : 'startup', signupIp: office.ip, signupUserAgent: w.browser(rs).ua,
      payment: card, orgId, links: links(w, rs, v),
    });
    const client = w.sdkClient(rs, { family: rs.pick(['anthropic-python', 'openai-python']) });
    const style = { ...drawStyle(rs, client.format), stream: false };
    const keyId = opaqueId(rs, 'key_');
    const daily = rs.uniform(p.dailyMin, Math.max(p.dailyMin, p.dailyMax));
    const variant = rs.int(0, 1);
    function* events(): Generator<Pending> {
      // Batch jobs: 2-5 a day, each a burst of requests over 1-4 hours.
      let t = -Infinity;
      for (let day = Math.floor((runFrom - ctx.day0) / DAY); ctx.day0 + day * DAY < runTo; day++) {
        const jobs = rs.int(2, 5);
        const starts = Array.from({ length: jobs }, () => ctx.day0 + day * DAY + rs.uniform(0, 22) * HOUR).sort((a, b) => a - b);
        for (const st of starts) {
          const dur = rs.uniform(1, 4) * HOUR;
          const count = Math.round((daily / jobs) * rs.lognormal(1, 0.15));
          t = Math.max(t, st);
          for (let k = 0; k < count; k++) {
            t += rs.exp(dur / count);
            if (t < runFrom || t >= runTo) continue;
            const u = rs.float();
            const qa = ctx.texts.qa(rs);
            const text = u < p.reconstructionShare
              ? reconstruction(qa.text, qa.answer ?? '', variant)
              : u < p.reconstructionShare + p.rubricShare ? rubric(qa.text, qa.answer ?? '')
              : `${qa.text}\n\nThink step by step and explain your reasoning in full.`;
            const model = rs.chance(0.8) ? 'atlas-2-pro' : 'atlas-2';
            const budget = rs.int(p.thinkingBudgetMin, Math.max(p.thinkingBudgetMin, p.thinkingBudgetMax));
            const spec: Pending['spec'] = {
              ts: t, model, client, net: rs.pick(ips), style, keyId, orgId, messages: [{ role: 'user', text }], maxTokens: CEILING[model],
              outTokens: rs.lognormal(1400, 0.5), reasoningTokens: Math.round(rs.lognormal(budget * 0.5, 0.4)),
            };
            if (client.format === 'anthropic') spec.thinkingBudget = Math.min(budget, CEILING[model] - 1024);
            else {
              spec.reasoningEffort = effortOf(budget);
              spec.logprobs = true;
              spec.topLogprobs = 5;
            }
            yield { acct, spec };
          }
        }
      }
    }
    streams.push(withAccounts(ctx, em, [acct], events()));
  }
  return { streams, campaign: { key, kind: 'trace_harvest' } };
}
