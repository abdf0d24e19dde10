// Campaign "hidden": the operator who learned from a public disclosure and hides its infrastructure.
// Aged accounts bought on the market, each with its own residential address, e-mail at a big
// provider, card and device, properly verified; a heavy but human rate at the account's own local
// hours; ordinary cover traffic; every payload reworded; no system prompt.
// What one pipeline feeding one training set cannot hide, and this generator therefore keeps:
// - one work queue over one payload set (each item to few accounts, the set covered fast);
// - tradecraft text written once (elicitation, formatting and follow-up phrases) reused with small variations;
// - pipeline stops and restarts that silence all its accounts together, then resume them together;
// - the client configuration of its config file (SDK, max_tokens, temperature, thinking budget, stream).
import { DAY, HOUR } from '../core/time.js';
import type { Verification } from '../core/records.js';
import { CEILING, NEW_MODEL } from './catalog.js';
import type { Built, Ctx } from './ctx.js';
import { HOME_HOURS, MODEL_NAMES, WORK_HOURS, newAccount, scaled } from './ctx.js';
import { drawStyle } from './exchange.js';
import type { SimEvent, Style } from './exchange.js';
import { opaqueId } from './ids.js';
import { habits, homePlan, links, netFn, organicConv } from './organic.js';
import type { HiddenCare } from './params.js';
import type { Conv, PersonSpec } from './person.js';
import { personStream } from './person.js';
import type { Rng } from './rng.js';
import { phraseBook, place, reword, vary } from './tradecraft.js';
import type { Topic } from './text.js';
import type { ClientProfile } from './world.js';
import { ItemSet, WorkQueue } from './work-queue.js';

/** The countries an account market sells aged accounts from, by supply. */
const MARKET: readonly (readonly [string, number])[] = [
  ['US', 35], ['GB', 9], ['CA', 7], ['DE', 6], ['IN', 8], ['BR', 6], ['AU', 5], ['FR', 4], ['JP', 3], ['KR', 3], ['SG', 3], ['PH', 3], ['MX', 3], ['ES', 3], ['NL', 2],
];
const BIG_PROVIDERS: readonly (readonly [string, number])[] = [['gmail.com', 60], ['outlook.com', 14], ['hotmail.com', 9], ['yahoo.com', 9], ['icloud.com', 8]];
const COVER_TOPICS: readonly (readonly [Topic, number])[] = [['casual', 40], ['developer', 25], ['professional', 15], ['writer', 10], ['student', 10]];
const MAX_TOKENS = [6000, 7168, 12000, 12288, 16384, 20000, 24576, 30000];
const THINK_BUDGETS = [3000, 5000, 6000, 8192, 12000];

/** The knobs of one entry of the operator's config file. */
interface Config {
  client: ClientProfile;
  style: Style;
  maxTokens: number;
  temperature: number;
  think: number;
}

function config(ctx: Ctx, r: Rng): Config {
  const client = ctx.world.sdkClient(r);
  return {
    client,
    style: drawStyle(r, client.format),
    maxTokens: r.pick(MAX_TOKENS),
    temperature: Math.round(r.uniform(0.2, 1) * 100) / 100,
    think: r.pick(THINK_BUDGETS),
  };
}

/** When the pipeline is down: intervals over the operation's active span (drawn from the `stops` stream). */
export function pipelineStops(r: Rng, from: number, to: number, c: HiddenCare): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < c.stops; i++) {
    const a = from + r.uniform(0.05, 0.95) * (to - from);
    out.push([a, a + r.uniform(c.stopHoursMin, Math.max(c.stopHoursMin, c.stopHoursMax)) * HOUR]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

export interface HiddenOptions {
  key: string;
  /** Accounts at scale 1. */
  accounts: number;
  care: HiddenCare;
  /** Payloads: the operation's own set, or a public set other operations harvest too. */
  items?: ItemSet;
  itemOffset?: number;
}

export function buildHidden(ctx: Ctx, r: Rng, o: HiddenOptions): Built {
  const c = o.care;
  const w = ctx.world;
  const n = scaled(o.accounts, ctx.scale, 3);
  const window = ctx.end - ctx.start;
  const t0 = ctx.start + c.startFraction * window;
  const book = phraseBook(r.fork('phrases'), { elicit: c.elicitPhrases, format: c.formatPhrases, followups: c.followupPhrases });
  const configs = Array.from({ length: Math.max(1, c.configs) }, (_, i) => config(ctx, r.fork(`config${i}`)));
  const down = pipelineStops(r.fork('stops'), t0, ctx.end, c);
  // Sized so that each item is sent about `passes` times over the window.
  const meanRate = ((c.rateMin + c.rateMax) / 2) * c.activeDay * (1 - c.coverShare) * 1.15;
  const planned = Math.max(50, Math.round((n * meanRate * (ctx.end - t0)) / DAY / Math.max(0.1, c.passes)));
  const queue = new WorkQueue(o.items ?? new ItemSet(ctx, r.fork('items'), planned), o.itemOffset ?? 0);
  const modelMix = [0.05, 0.45, 0.5];
  const switchAt = ctx.release + r.uniform(4, 30) * HOUR;
  const streams: Iterator<SimEvent>[] = [];
  for (let i = 0; i < n; i++) {
    const rs = r.fork(i);
    const country = w.country(rs.weighted(MARKET));
    const tz = w.tzOf(rs, country);
    const plan = homePlan(ctx, rs, country, tz, { mobile: false });
    const v = rs.weighted<Verification>([['phone', 70], ['id', 30]]);
    const cfg = configs[i % configs.length];
    const acct = newAccount(rs, {
      label: 'distillation', group: 'hidden', category: c.configs > 1 ? 'hidden_careful' : 'hidden_plain', campaign: o.key,
      createdAt: ctx.start - rs.uniform(30, 700) * DAY, email: w.personalEmail(rs, country.code, rs.weighted(BIG_PROVIDERS)),
      country: country.code, verification: v, plan: 'paid', signupIp: plan.home.ip, signupUserAgent: w.browser(rs).ua,
      payment: w.card(rs, 'common'), links: links(w, rs, v),
    });
    const topic = rs.weighted(COVER_TOPICS);
    const h = habits(ctx, rs, cfg.client, topic, false);
    const lang = country.lang;
    const adoptAt = c.configs > 1 ? switchAt + rs.uniform(0, 4) * DAY : switchAt;
    const harvest = (rr: Rng, turns: number, model: string): Conv => {
      const phrases: string[] = [];
      if (rr.chance(c.elicitShare)) phrases.push(vary(rr, rr.pick(book.elicit), c.phraseVariation));
      if (rr.chance(c.formatShare)) phrases.push(vary(rr, rr.pick(book.format), c.phraseVariation));
      const followups: string[] = [];
      for (let k = 1; k < turns; k++) followups.push(vary(rr, rr.pick(book.followups), c.phraseVariation));
      return {
        opener: { text: place(rr, reword(rr, queue.next()), phrases), followups },
        turns, model, maxTokens: Math.min(cfg.maxTokens, CEILING[model] ?? cfg.maxTokens), temperature: cfg.temperature,
        think: rr.chance(c.thinkShare) ? cfg.think : undefined, outMedian: c.outputMedianTokens,
      };
    };
    const spec: PersonSpec = {
      acct, rng: rs, tz, hours: WORK_HOURS.map((x, k) => rs.uniform(0.2, 0.8) * x + HOME_HOURS[k]), activeP: c.activeDay, weekendFactor: 0.9,
      rate: rs.uniform(c.rateMin, Math.max(c.rateMin, c.rateMax)), jitter: 0.35, turnsMean: c.turnsMean,
      from: t0 + rs.uniform(0, c.rampDays) * DAY, until: Infinity, net: netFn(ctx, plan),
      client: cfg.client, style: cfg.style, convIds: false, keys: [opaqueId(rs, 'key_')], modelMix, adoptAt,
      content: (rr, t, turns) => {
        const model = t >= adoptAt && rr.chance(0.5) ? NEW_MODEL : MODEL_NAMES[rr.index(modelMix)];
        if (rr.chance(c.coverShare)) return organicConv(ctx, rr, h, topic, lang, turns, model);
        return harvest(rr, turns, model);
      },
      gate: (rr, at) => {
        for (const [a, b] of down) {
          if (at < a) break;
          if (at < b) return rr.chance(c.backlogShare) ? b + rr.exp(c.resumeMinutes * 60_000) : null;
        }
        return at;
      },
    };
    streams.push(personStream(ctx, spec));
  }
  return { streams, campaign: { key: o.key, kind: 'hidden' } };
}
