// Hard negative: enterprise batch jobs. One org, many accounts and keys, one company card,
// verified business on the enterprise plan, one system prompt, an extraction template over
// endless distinct documents, cloud NAT gateways, one SDK, 24/7 plus a machine-regular nightly batch.
import { DAY, HOUR } from '../core/time.js';
import type { Built, Ctx } from './ctx.js';
import { newAccount, scaled } from './ctx.js';
import { Emitter, drawStyle } from './exchange.js';
import type { SimAccount } from './exchange.js';
import { opaqueId } from './ids.js';
import type { Rng } from './rng.js';
import { arrivals, byDay, withAccounts } from './streams.js';
import type { Pending } from './streams.js';
import { DOC_FIELDS, document } from './text.js';

const DEPTS = ['accounts payable', 'legal operations', 'claims', 'talent acquisition', 'customer support', 'procurement'];
const COMPANIES = ['Meridian Health', 'Oakline Insurance', 'Harbor Freight Lines', 'Crescent Bank', 'Apex Manufacturing', 'Bluewater Retail', 'Summit Legal', 'Northstar Logistics'];

export function buildEnterprise(ctx: Ctx, root: Rng): Built[] {
  const e = ctx.p.enterprise;
  const w = ctx.world;
  const out: Built[] = [];
  const n = scaled(e.orgs, ctx.scale, 1);
  for (let o = 0; o < n; o++) {
    const r = root.fork(o);
    const company = r.pick(COMPANIES);
    const domain = `${company.toLowerCase().replace(/[^a-z]/g, '')}.com`;
    const dept = r.pick(DEPTS);
    const cc = r.weighted([['US', 60], ['GB', 15], ['DE', 15], ['JP', 10]] as const);
    const orgId = opaqueId(r, 'org_');
    const card = w.card(r, 'business');
    const cloud = w.cloud(r, [16509, 396982, 8075]);
    const gateways = w.addresses(r, cloud, r.int(2, 4));
    const office = w.host(r, w.prefix(r, w.isp(r, w.country(cc))));
    const client = w.sdkClient(r, { family: r.pick(['anthropic-python', 'openai-python', 'anthropic-python']) });
    const style = drawStyle(r, client.format);
    const system = `You are a document extraction engine for ${company}'s ${dept} team. Extract the requested fields from the document and reply with one JSON object. Use null for missing fields. Do not add commentary.`;
    const kinds = r.sample(['invoice', 'contract', 'claim', 'resume', 'ticket'] as const, r.int(1, 2));
    const model = r.pick(['atlas-2-mini', 'atlas-2']);
    const maxTokens = r.pick([1024, 2048]);
    const founded = ctx.start - r.uniform(60, 500) * DAY;
    const nAcc = r.int(e.accountsMin, Math.max(e.accountsMin, e.accountsMax));
    const accts: { a: SimAccount; keys: string[]; weight: number }[] = [];
    for (let i = 0; i < nAcc; i++) {
      const [f, l] = w.name(r);
      const createdAt = i < 3 || r.chance(0.5) ? founded + r.uniform(0, 2) * DAY : founded + r.uniform(0, ctx.start - founded) ;
      const a = newAccount(r, {
        label: 'organic', group: 'enterprise', category: 'batch_extraction', createdAt,
        email: r.chance(0.5) ? `svc-${dept.split(' ')[0]}-${i + 1}@${domain}` : `${f}.${l}@${domain}`,
        country: cc, verification: 'business', plan: 'enterprise', signupIp: office.ip, signupUserAgent: w.browser(r).ua,
        payment: card, orgId, links: { device_id: w.device(r) },
      });
      const keys = Array.from({ length: r.int(1, 3) }, () => opaqueId(r, 'key_'));
      accts.push({ a, keys, weight: r.lognormal(1, 0.6) });
    }
    const totalW = accts.reduce((s, x) => s + x.weight, 0);
    const batch = accts[0];
    const tz = w.tzOf(r, w.country(cc));
    const em = new Emitter(r, ctx.p.traffic.rate429, ctx.p.traffic.rate5xx);
    const mk = (x: (typeof accts)[number], ts: number): Pending => {
      const kind = r.pick(kinds);
      return {
        acct: x.a,
        spec: {
          ts, model, client, net: r.pick(gateways), style, keyId: r.pick(x.keys), orgId, system,
          messages: [{ role: 'user', text: `Extract the following fields: ${DOC_FIELDS[kind]}\n\nDocument:\n${document(r, kind)}` }],
          maxTokens, temperature: 0, outTokens: r.lognormal(180, 0.4),
        },
      };
    };
    const events = byDay(ctx, (lo, hi) => {
      const evs: Pending[] = [];
      const wd = new Date(lo).getUTCDay();
      const daily = e.orgDaily * (wd === 0 || wd === 6 ? e.weekendFactor : 1) * r.lognormal(1, 0.08);
      for (const x of accts) {
        for (const ts of arrivals(r, lo, hi, (daily * (1 - e.batchShare) * x.weight) / totalW)) evs.push(mk(x, ts));
      }
      // Nightly batch at ~01:00 local, one request every batchIntervalSeconds.
      const nightly = Math.round(daily * e.batchShare);
      let t = lo - (lo % DAY) + ((25 - tz) % 24) * HOUR + r.uniform(0, 10) * 60_000;
      if (t < lo) t += DAY;
      for (let i = 0; i < nightly && t < hi; i++) {
        evs.push(mk(batch, t));
        t += e.batchIntervalSeconds * 1000 * r.lognormal(1, 0.03);
      }
      return evs;
    });
    out.push({ streams: [withAccounts(ctx, em, accts.map((x) => x.a), events)] });
  }
  return out;
}
