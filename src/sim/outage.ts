// Hard negative: a regional network outage. Ordinary users at home on one country's few residential
// ISPs all fall silent when the region's network goes down and come back together (some catching up
// on what they meant to ask): collective silence and co-onset with no operator behind it.
import { HOUR } from '../core/time.js';
import type { Built, Ctx } from './ctx.js';
import { scaled } from './ctx.js';
import type { SimEvent } from './exchange.js';
import type { NetPlan } from './organic.js';
import { personSpec } from './organic.js';
import { ordinaryAccount } from './ordinary.js';
import { personStream } from './person.js';
import type { Rng } from './rng.js';
import type { Topic } from './text.js';

const TOPICS: readonly (readonly [Topic, number])[] = [['casual', 40], ['developer', 20], ['student', 12], ['writer', 8], ['professional', 14], ['researcher', 6]];

export function buildOutage(ctx: Ctx, root: Rng): Built {
  const o = ctx.p.outage;
  const w = ctx.world;
  const country = w.country(root.weighted([['US', 30], ['DE', 15], ['IN', 15], ['BR', 15], ['GB', 15], ['JP', 10]] as const));
  const isps = root.sample(country.isps.map((x) => x[0]), Math.min(2, country.isps.length)).map((a) => w.asn(a));
  const window = ctx.end - ctx.start;
  const outages: [number, number][] = [];
  for (let k = 0; k < o.outages; k++) {
    const a = ctx.start + root.uniform(0.1, 0.9) * window;
    outages.push([a, a + root.uniform(o.hoursMin, Math.max(o.hoursMin, o.hoursMax)) * HOUR]);
  }
  outages.sort((x, y) => x[0] - y[0]);
  const streams: Iterator<SimEvent>[] = [];
  for (let i = 0; i < scaled(o.users, ctx.scale, 1); i++) {
    const r = root.fork(i);
    const tz = w.tzOf(r, country);
    const home: NetPlan = { home: w.host(r, w.prefix(r, r.pick(isps))), tz, mobileShare: 0 };
    const acct = ordinaryAccount(ctx, r, { group: 'outage_region', category: 'regional_isp_user', country, signupIp: home.home.ip });
    const spec = personSpec(ctx, r, acct, r.weighted(TOPICS), tz, home);
    spec.gate = (rr, at) => {
      for (const [a, b] of outages) {
        if (at < a) break;
        if (at < b) return rr.chance(o.catchUpShare) ? b + rr.exp(45 * 60_000) : null;
      }
      return at;
    };
    streams.push(personStream(ctx, spec));
  }
  return { streams };
}
