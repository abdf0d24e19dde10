// Hard negative: a benchmark team evaluating from many keys of one organization. Each engineer has
// an account under the team's org (business-verified, the company card); the harness deals every
// item of a capability benchmark once across the team's keys in a few hours, with its own
// instruction phrases and one client configuration, from the company's cloud gateways. A work queue
// over a payload set, shared phrases and one config, all declared as one organization.
import { DAY, HOUR } from '../core/time.js';
import type { Built, Ctx } from './ctx.js';
import { MODEL_NAMES, newAccount, scaled } from './ctx.js';
import { Emitter, drawStyle } from './exchange.js';
import type { SimAccount } from './exchange.js';
import { opaqueId } from './ids.js';
import type { Rng } from './rng.js';
import { withAccounts } from './streams.js';
import type { Pending } from './streams.js';
import { phraseBook, place } from './tradecraft.js';
import { ItemSet } from './work-queue.js';

export function buildEvalOrg(ctx: Ctx, root: Rng): Built[] {
  const e = ctx.p.evalOrg;
  const w = ctx.world;
  const out: Built[] = [];
  const window = ctx.end - ctx.start;
  for (let k = 0; k < scaled(e.teams, ctx.scale, 1); k++) {
    const r = root.fork(k);
    const domain = w.companyDomain(r);
    const cc = r.weighted([['US', 60], ['GB', 15], ['FR', 10], ['CA', 15]] as const);
    const orgId = opaqueId(r, 'org_');
    const card = w.card(r, 'business');
    const gateways = w.addresses(r, w.cloud(r), r.int(2, 4));
    const client = w.sdkClient(r, { family: r.pick(['openai-python', 'anthropic-python', 'httpx']) });
    const style = { ...drawStyle(r, client.format), stream: false };
    const harness = phraseBook(r.fork('harness'), { elicit: 1, format: 1, followups: 1 });
    const benchmark = new ItemSet(ctx, r.fork('benchmark'), r.int(e.itemsMax, e.itemsMax * 2));
    const accts: { a: SimAccount; key: string }[] = [];
    for (let i = 0, n = r.int(e.accountsMin, Math.max(e.accountsMin, e.accountsMax)); i < n; i++) {
      const [f, l] = w.name(r);
      accts.push({
        a: newAccount(r, {
          label: 'organic', group: 'eval_org', category: 'eval_team_key', createdAt: ctx.start - r.uniform(5, 400) * DAY,
          email: `${f}.${l}@${domain}`.toLowerCase(), country: cc, verification: 'business', plan: 'enterprise',
          signupIp: w.residential(r, w.country(cc)).ip, signupUserAgent: w.browser(r).ua, payment: card, orgId, links: { device_id: w.device(r) },
        }),
        key: opaqueId(r, 'key_'),
      });
    }
    const sweeps = Array.from({ length: r.int(e.sweepsMin, Math.max(e.sweepsMin, e.sweepsMax)) }, () => ({
      start: ctx.start + r.uniform(0, 0.95) * window,
      hours: r.uniform(e.hoursMin, Math.max(e.hoursMin, e.hoursMax)),
      items: r.int(e.itemsMin, Math.max(e.itemsMin, e.itemsMax)),
      offset: r.int(0, benchmark.size),
      model: r.pick(MODEL_NAMES),
    })).sort((x, y) => x.start - y.start);
    const maxTokens = r.pick([2048, 4096, 8192]);
    const em = new Emitter(r, ctx.p.traffic.rate429, ctx.p.traffic.rate5xx);
    function* events(): Generator<Pending> {
      let busy = -Infinity;
      for (const sw of sweeps) {
        let t = Math.max(sw.start, busy + HOUR);
        for (let i = 0; i < sw.items; i++) {
          t += r.exp((sw.hours * HOUR) / sw.items);
          const x = accts[i % accts.length];
          yield {
            acct: x.a,
            spec: {
              ts: t, model: sw.model, client, net: r.pick(gateways), style, keyId: x.key, orgId,
              messages: [{ role: 'user', text: place(r, benchmark.item(sw.offset + i), [harness.elicit[0], harness.format[0]]) }],
              maxTokens, temperature: 0, outTokens: r.lognormal(600, 0.6),
            },
          };
        }
        busy = t;
      }
    }
    out.push({ streams: [withAccounts(ctx, em, accts.map((x) => x.a), events())] });
  }
  return out;
}
