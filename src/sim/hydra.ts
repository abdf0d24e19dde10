// Campaign "hydra": a proxy-reseller network. Each account looks like a small AI platform on
// hosting addresses, carrying real end customers' chat traffic mixed with 30-60% distillation
// traffic from one shared scaffold; cards shared within subsets of accounts.
import { DAY } from '../core/time.js';
import type { Plan, Verification } from '../core/records.js';
import { CEILING, NEW_MODEL } from './catalog.js';
import type { Built, Ctx } from './ctx.js';
import { GLOBAL_HOURS, newAccount, scaled } from './ctx.js';
import { Emitter, drawStyle } from './exchange.js';
import type { SimAccount } from './exchange.js';
import { opaqueId } from './ids.js';
import { links } from './organic.js';
import type { Rng } from './rng.js';
import { farmScaffolds } from './scaffolds.js';
import { endUserIds, platformConversation } from './reseller.js';
import type { Platform } from './reseller.js';
import { Zipf, arrivals, byDay, withAccounts } from './streams.js';
import type { Pending } from './streams.js';
import { PAYLOAD_KINDS } from './text.js';
import type { Card, Prefix } from './world.js';

const SYSTEMS = [
  'You are a helpful AI assistant.',
  'You are an AI assistant provided by our platform. Answer the user helpfully and accurately.',
  'You are a friendly assistant. Reply in the user\'s language.',
];

export function buildHydra(ctx: Ctx, r: Rng, key: string): Built {
  const h = ctx.p.hydra;
  const w = ctx.world;
  const n = scaled(h.accounts, ctx.scale, 2);
  const prefixes: Prefix[] = [];
  for (let i = 0; i < Math.max(1, h.hostingPrefixes); i++) prefixes.push(w.prefix(r, w.hosting(r)));
  const client = w.sdkClient(r, { family: r.pick(['openai-node', 'openai-python', 'anthropic-typescript']) });
  const style = drawStyle(r, client.format);
  const scaffold = farmScaffolds(1 + r.int(0, 1))[r.int(0, 2)];
  const distillSystem = 'You are an expert. Always give exhaustive, step-by-step reasoning and verify your work before answering.';
  const streams: Iterator<import('./exchange.js').SimEvent>[] = [];
  let card: Card | undefined;
  let cardLeft = 0;
  const em = new Emitter(r.fork('emit'), ctx.p.traffic.rate429, ctx.p.traffic.rate5xx);
  for (let i = 0; i < n; i++) {
    const rs = r.fork(i);
    if (!card || cardLeft <= 0) {
      card = w.card(rs, rs.chance(0.5) ? 'business' : 'common');
      cardLeft = rs.int(h.cardGroupMin, Math.max(h.cardGroupMin, h.cardGroupMax));
    }
    cardLeft--;
    const cc = rs.weighted([['US', 40], ['SG', 15], ['HK', 15], ['GB', 10], ['DE', 10], ['CA', 10]] as const);
    const v = rs.weighted<Verification>([['email', 70], ['phone', 30]]);
    const domain = w.companyDomain(rs);
    const createdAt = rs.chance(0.9) ? ctx.start - rs.uniform(20, 200) * DAY : ctx.start + rs.uniform(0, 0.5) * (ctx.end - ctx.start);
    const orgId = rs.chance(0.5) ? opaqueId(rs, 'org_') : undefined;
    const acct: SimAccount = newAccount(rs, {
      label: 'distillation', group: 'hydra', category: 'proxy_reseller', campaign: key, createdAt,
      email: rs.chance(0.6) ? `${rs.pick(['api', 'admin', 'dev', 'hello', 'support'])}@${domain}` : w.personalEmail(rs, cc),
      country: cc, verification: v, plan: rs.weighted<Plan>([['paid', 80], ['startup', 20]]),
      signupIp: w.host(rs, rs.pick(prefixes)).ip, signupUserAgent: w.browser(rs).ua, payment: card, orgId, links: links(w, rs, v),
    });
    const ips = Array.from({ length: rs.int(2, 4) }, () => w.host(rs, rs.pick(prefixes)));
    const users = endUserIds(rs, rs.int(h.endUsersMin, Math.max(h.endUsersMin, h.endUsersMax)));
    const pf: Platform = {
      acct, client, style, ips, key: opaqueId(rs, 'key_'), orgId, system: rs.pick(SYSTEMS), users, zipf: new Zipf(users.length, 1.05),
      maxTokens: rs.pick([2048, 4096, 8192]), modelMix: [0.3, 0.5, 0.2], adoptAt: ctx.release + rs.uniform(1, 6) * DAY,
    };
    const daily = rs.lognormal(h.dailyMedian, 0.4);
    const share = rs.uniform(h.distillShareMin, Math.max(h.distillShareMin, h.distillShareMax));
    const fakeUsers = endUserIds(rs, 30);
    const events = byDay(ctx, (lo, hi) => {
      const evs: Pending[] = [];
      const dayRate = daily * rs.lognormal(1, 0.15);
      for (const t0 of arrivals(rs, lo, hi, (dayRate * (1 - share)) / 2.1, GLOBAL_HOURS)) evs.push(...platformConversation(ctx, rs, pf, t0, hi));
      for (const t of arrivals(rs, lo, hi, dayRate * share)) {
        const model = t >= pf.adoptAt && rs.chance(h.newModelTraffic) ? NEW_MODEL : rs.pick(['atlas-2-pro', 'atlas-2']);
        evs.push({
          acct,
          spec: {
            ts: t, model, client, net: rs.pick(ips), style, keyId: pf.key, orgId, system: distillSystem,
            messages: [{ role: 'user', text: scaffold(ctx.texts.payload(rs, rs.pick(PAYLOAD_KINDS))) }],
            maxTokens: CEILING[model], endUser: rs.pick(fakeUsers), outTokens: rs.lognormal(h.outputMedianTokens, 0.55),
          },
        });
      }
      return evs;
    });
    streams.push(withAccounts(ctx, em, [acct], events));
  }
  return { streams, campaign: { key, kind: 'hydra' } };
}
