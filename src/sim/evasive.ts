// Campaign "evasive": accounts built to pass as individuals. Sticky residential IPs, browser
// clients that differ by account, unique cards (but from 2-3 issuers), sign-ups in small clusters
// over two weeks, a human daily rhythm (all in the operator's time zone), low rates, harvesting
// payloads in 20+ paraphrased scaffolds with ~30% organic-looking cover prompts.
import { DAY, HOUR } from '../core/time.js';
import type { Verification } from '../core/records.js';
import { CEILING, COMMON_BINS, NEW_MODEL } from './catalog.js';
import type { Built, Ctx } from './ctx.js';
import { HOME_HOURS, MODEL_NAMES, WORK_HOURS, newAccount, scaled } from './ctx.js';
import { drawStyle } from './exchange.js';
import type { SimEvent } from './exchange.js';
import { opaqueId } from './ids.js';
import { habits, homePlan, links, netFn, organicConv } from './organic.js';
import type { PersonSpec } from './person.js';
import { personStream } from './person.js';
import type { Rng } from './rng.js';
import { paraphrases } from './scaffolds.js';
import { PAYLOAD_KINDS } from './text.js';

export function buildEvasive(ctx: Ctx, r: Rng, key: string): Built {
  const p = ctx.p.evasive;
  const w = ctx.world;
  const n = scaled(p.accounts, ctx.scale, 2);
  const country = w.country(r.weighted([['US', 60], ['GB', 15], ['CA', 15], ['AU', 10]] as const));
  const tz = country.tz[0][0];
  const bins = r.sample(COMMON_BINS.slice(8).map((b) => b[0]), Math.max(1, p.issuers));
  const scaffolds = paraphrases(r, Math.max(1, p.paraphrases));
  const hours = WORK_HOURS.map((x, i) => 0.5 * x + 0.5 * HOME_HOURS[i]);
  const window = ctx.end - ctx.start;
  const first = ctx.start + p.startFraction * window - 2 * DAY;
  const spread = Math.min(p.signupSpreadDays * DAY, 0.7 * window);
  const streams: Iterator<SimEvent>[] = [];
  let clusterAt = first;
  let clusterLeft = 0;
  for (let i = 0; i < n; i++) {
    const rs = r.fork(i);
    if (clusterLeft <= 0) {
      clusterAt = first + rs.float() * spread;
      clusterLeft = rs.int(p.clusterMin, Math.max(p.clusterMin, p.clusterMax));
    }
    clusterLeft--;
    const createdAt = clusterAt + rs.uniform(0, 20) * HOUR;
    const plan = homePlan(ctx, rs, country, tz, { mobile: false });
    plan.v6 = undefined;
    const v = rs.weighted<Verification>([['email', 60], ['phone', 40]]);
    const client = w.browserClient(rs);
    const acct = newAccount(rs, {
      label: 'distillation', group: 'evasive', category: 'sleeper_individual', campaign: key, createdAt,
      email: w.personalEmail(rs, country.code), country: country.code, verification: v, plan: rs.chance(p.paidShare) ? 'paid' : 'free',
      signupIp: plan.home.ip, signupUserAgent: client.userAgent, payment: w.card(rs, 'common', bins), links: links(w, rs, v),
    });
    const h = habits(ctx, rs, client, 'casual', true);
    const mt = rs.pick([8192, 16000, 'ceiling'] as const);
    const modelMix = [0.1, 0.5, 0.4];
    const spec: PersonSpec = {
      acct, rng: rs, tz, hours, activeP: p.activeDay, weekendFactor: 0.8,
      rate: rs.uniform(p.dailyMin, Math.max(p.dailyMin, p.dailyMax)), jitter: 0.2, turnsMean: 1.2,
      from: createdAt + rs.uniform(1, 30) * HOUR, until: Infinity, net: netFn(ctx, plan),
      client, style: drawStyle(rs, client.format), convIds: true, keys: [opaqueId(rs, 'key_')], modelMix,
      adoptAt: ctx.release + rs.uniform(2, 8) * DAY,
      content: (rr, t, turns) => {
        const model = t >= spec.adoptAt && rr.chance(p.newModelTraffic) ? NEW_MODEL : MODEL_NAMES[rr.index(modelMix)];
        if (rr.chance(p.coverShare)) {
          const c = organicConv(ctx, rr, h, 'casual', 'en', turns, model);
          return c;
        }
        const payload = ctx.texts.payload(rr, rr.pick(PAYLOAD_KINDS));
        return {
          opener: { text: rr.pick(scaffolds)(payload) }, turns, model,
          maxTokens: mt === 'ceiling' ? CEILING[model] : Math.min(mt, CEILING[model]),
          temperature: h.temperature, outMedian: p.outputMedianTokens,
        };
      },
    };
    streams.push(personStream(ctx, spec));
  }
  return { streams, campaign: { key, kind: 'evasive' } };
}
