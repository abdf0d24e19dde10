// Campaigns "farm" and "pivot": one operator, one prompt pipeline, a central work queue whose
// tasks are dealt to whichever accounts are live (so accounts' activity is complementary), 24/7.
// Accounts are registered in bursts, share prepaid cards from a few rare BINs, sign up through
// weak-verification programs, and are banned after a few days and replaced from the reserve,
// inheriting the infrastructure. The pivot variant moves half its traffic to a new model.
import { DAY, HOUR, MINUTE } from '../core/time.js';
import type { Plan, Verification } from '../core/records.js';
import { BROWSERS, CEILING, COMPANY_WORDS, COUNTRIES, FIRST_NAMES, LAST_NAMES, NEW_MODEL, NICKNAMES, PREPAID_BINS } from './catalog.js';
import type { Built, CampaignKind, Ctx } from './ctx.js';
import { newAccount, scaled } from './ctx.js';
import { Emitter, drawStyle } from './exchange.js';
import type { SimAccount } from './exchange.js';
import { opaqueId } from './ids.js';
import type { FarmParams } from './params.js';
import type { Rng } from './rng.js';
import { AGENT_SCAFFOLD, FARM_SYSTEMS, KIND_WEIGHTS_FARM, KIND_WEIGHTS_PIVOT, farmScaffolds } from './scaffolds.js';
import { withAccounts } from './streams.js';
import type { Pending } from './streams.js';
import { AGENT_TOOLS } from './text.js';
import type { Card } from './world.js';

interface Member {
  a: SimAccount;
  key: string;
  from: number;
  until: number;
  lastUsed: number;
  inSlot: boolean;
}

export function buildFarm(ctx: Ctx, r: Rng, kind: CampaignKind & ('farm' | 'pivot'), fp: FarmParams, key: string, variant: number): Built {
  const w = ctx.world;
  // The operation's infrastructure: shared across providers when ctx.operation is set, else this run's.
  const ri = ctx.operation ? ctx.operation.rng.fork(`campaign/${key}`) : r;
  const wi = ctx.operation ? ctx.operation.world : w;
  // Separate streams for cards, sign-up exits and proxy exits, so each provider sees the same sequence.
  const rCards = ctx.operation ? ri.fork('cards') : r;
  const rSignup = ctx.operation ? ri.fork('signup') : r;
  const rProxy = ctx.operation ? ri.fork('proxy') : r;
  const L = scaled(fp.liveAccounts, ctx.scale, 2);
  const window = ctx.end - ctx.start;
  const t0 = ctx.start + fp.startFraction * window;

  // ---- the pipeline's infrastructure, inherited by every account it ever uses
  const client = wi.sdkClient(ri.fork('client'), { family: kind === 'farm' ? ri.pick(['anthropic-python', 'openai-python']) : 'openai-python' });
  const style = { ...drawStyle(ri, client.format), stream: false };
  const system = FARM_SYSTEMS[variant % FARM_SYSTEMS.length];
  const scaffolds = farmScaffolds(variant);
  const tools = ri.sample(AGENT_TOOLS, ri.int(4, 7));
  const bins = ri.sample(PREPAID_BINS, Math.max(1, fp.rareBins));
  const signupUas = ri.sample(BROWSERS.slice(0, 5).map((b) => b.ua), 2);
  const catchAll = [`${ri.pick(COMPANY_WORDS)}mail.${ri.pick(['net', 'xyz', 'top', 'online'])}`, `${ri.pick(COMPANY_WORDS)}-${ri.pick(COMPANY_WORDS)}.${ri.pick(['com', 'site', 'email'])}`];
  const eduDomains = [`mail.${ri.pick(['western', 'pacific', 'central', 'united'])}-${ri.pick(['college', 'institute'])}.edu`, `${ri.pick(['st', 'mt', 'new'])}${ri.pick(COMPANY_WORDS)}.edu`];
  const emailStyles = ri.sample([0, 1, 2], 2);
  const proxyWeights = COUNTRIES.map((c) => (c.code === 'US' ? c.weight * 2 : c.weight));
  const modelMix: readonly (readonly [string, number])[] = kind === 'farm' ? [['atlas-2-pro', 60], ['atlas-2', 40]] : [['atlas-2-pro', 50], ['atlas-2', 50]];
  const kinds = kind === 'farm' ? KIND_WEIGHTS_FARM : KIND_WEIGHTS_PIVOT;
  const temperature = ri.chance(0.5) ? undefined : ri.pick([0.6, 0.7, 1]);
  const switchStart = ctx.release + r.uniform(fp.switchAfterHoursMin, Math.max(fp.switchAfterHoursMin, fp.switchAfterHoursMax)) * HOUR;

  let card: Card | undefined;
  let cardLeft = 0;
  let phone = '';
  let phoneLeft = 0;
  const devices: string[] = [];

  const mkAccount = (createdAt: number): SimAccount => {
    const country = COUNTRIES[r.index(proxyWeights)];
    const plan = r.weighted<Plan>([['free', 35], ['education', 20], ['startup', 25], ['research', 20]]);
    const phoneV = r.chance(fp.phoneVerifiedShare);
    const v: Verification = phoneV ? 'phone' : r.chance(fp.noVerificationShare) ? 'none' : 'email';
    const f = r.pick(FIRST_NAMES);
    const l = r.pick(LAST_NAMES);
    let email: string;
    if (plan === 'education') email = `${f}${l[0]}${r.int(10, 9999)}@${r.pick(eduDomains)}`;
    else {
      const s = r.pick(emailStyles);
      email = s === 0 ? `${f}${l}${r.int(1000, 9999)}@${r.pick(['gmail.com', 'outlook.com', 'hotmail.com'])}`
        : s === 1 ? `${r.hex(2)}${opaqueId(r, '').slice(1, 9)}@${r.pick(catchAll)}`
        : `${r.pick(NICKNAMES)}${r.pick(COMPANY_WORDS)}${r.int(10, 999)}@proton.me`;
    }
    let payment: Card | undefined;
    if (r.chance(fp.cardedShare)) {
      if (!card || cardLeft <= 0) {
        card = wi.card(rCards, 'prepaid', bins);
        cardLeft = r.int(fp.cardShareMin, Math.max(fp.cardShareMin, fp.cardShareMax));
      }
      cardLeft--;
      payment = card;
    }
    const linksRec: Record<string, string> = {};
    if (devices.length && r.chance(fp.deviceReuse)) linksRec.device_id = r.pick(devices.slice(-10));
    else {
      linksRec.device_id = w.device(r);
      devices.push(linksRec.device_id);
    }
    if (phoneV) {
      if (phoneLeft <= 0) {
        phone = w.phoneHash(r);
        phoneLeft = r.int(2, 5);
      }
      phoneLeft--;
      linksRec.phone_hash = phone;
    }
    return newAccount(r, {
      label: 'distillation', group: kind, category: `${kind}_gen1`, campaign: key, createdAt, email, country: country.code,
      verification: v, plan, signupIp: wi.residential(rSignup, country).ip, signupUserAgent: r.pick(signupUas), payment, links: linksRec,
    });
  };

  // ---- the roster: bursts of sign-ups, activations, bans and replacements
  let generation = 1;
  const reserve: Member[] = [];
  const registerBurst = (tb: number): void => {
    const size = r.int(fp.burstMin, Math.max(fp.burstMin, fp.burstMax));
    const times = Array.from({ length: size }, () => tb + r.uniform(0, fp.burstHours) * HOUR).sort((a, b) => a - b);
    for (const t of times) {
      const a = mkAccount(t);
      a.category = `${kind}_gen${generation}`;
      reserve.push({ a, key: opaqueId(r, 'key_'), from: Infinity, until: Infinity, lastUsed: -Infinity, inSlot: false });
    }
    generation++;
    reserve.sort((x, y) => x.a.createdAt - y.a.createdAt);
  };
  while (reserve.length < L) registerBurst(t0 - r.uniform(0.3, 4) * DAY);
  const members: Member[] = [];
  const deaths: Member[] = [];
  const activate = (m: Member, at: number): void => {
    m.from = Math.max(at, m.a.createdAt + r.uniform(10, 120) * MINUTE);
    m.until = m.from + r.lognormal(fp.lifetimeMedianDays, fp.lifetimeSigma) * DAY;
    members.push(m);
    let i = deaths.length;
    deaths.push(m);
    while (i > 0 && deaths[i - 1].until < m.until) {
      deaths[i] = deaths[i - 1];
      i--;
    }
    deaths[i] = m;
  };
  for (let i = 0; i < L; i++) activate(reserve.shift() as Member, t0 + r.uniform(0, fp.rampHours) * HOUR);
  while (deaths.length) {
    const d = deaths.pop() as Member; // earliest ban (array sorted by until, descending)
    if (d.until >= ctx.end) break;
    if (!reserve.length) registerBurst(d.until + r.uniform(0, 1) * HOUR);
    activate(reserve.shift() as Member, d.until + r.lognormal(fp.replaceDelayMinutes, 0.6) * MINUTE);
    if (reserve.length < fp.reserveLow) registerBurst(d.until + r.uniform(1, 12) * HOUR);
  }
  const everyone = [...members, ...reserve];

  // ---- the work queue
  const task = (m: Member, t: number): Pending => {
    const k = r.weighted(kinds);
    const payload = ctx.texts.payload(r, k);
    let model = r.weighted(modelMix);
    if (fp.newModelShare > 0 && t >= switchStart && r.chance(fp.newModelShare * Math.min(1, (t - switchStart) / (Math.max(0.1, fp.switchRampHours) * HOUR)))) model = NEW_MODEL;
    return {
      acct: m.a,
      spec: {
        ts: t, model, client, net: wi.residential(rProxy, COUNTRIES[rProxy.index(proxyWeights)]), style, keyId: m.key, system,
        messages: [{ role: 'user', text: k === 'agentic' ? AGENT_SCAFFOLD(payload) : r.pick(scaffolds)(payload) }],
        maxTokens: CEILING[model], temperature, tools: k === 'agentic' ? tools : undefined, outTokens: r.lognormal(fp.outputMedianTokens, 0.55),
      },
    };
  };
  function* events(): Generator<Pending> {
    const byFrom = members.slice().sort((x, y) => x.from - y.from);
    if (!byFrom.length) return;
    let ai = 0;
    let live: Member[] = [];
    let nextDeath = Infinity;
    const K = Math.max(1, Math.round(L * fp.slotShare));
    const slots = Array.from({ length: K }, () => ({ m: null as Member | null, until: 0 }));
    const base = (L * fp.perAccountDaily) / DAY;
    const phase = r.float() * 2 * Math.PI;
    let t = byFrom[0].from;
    let rr = 0;
    while (t < ctx.end) {
      const lam = base * (1 + fp.rateWobble * Math.sin((2 * Math.PI * t) / (7 * HOUR) + phase));
      t += r.exp(1 / lam);
      while (ai < byFrom.length && byFrom[ai].from <= t) {
        live.push(byFrom[ai]);
        nextDeath = Math.min(nextDeath, byFrom[ai].until);
        ai++;
      }
      if (t >= nextDeath) {
        live = live.filter((m) => m.until > t);
        nextDeath = Math.min(Infinity, ...live.map((m) => m.until));
      }
      if (!live.length) {
        if (ai >= byFrom.length) break;
        t = byFrom[ai].from;
        continue;
      }
      const slot = slots[rr++ % K];
      if (!slot.m || slot.m.until <= t || t >= slot.until) {
        if (slot.m) {
          slot.m.inSlot = false;
          slot.m.lastUsed = t;
        }
        let pick: Member | null = null;
        for (const m of live) if (!m.inSlot && (!pick || m.lastUsed < pick.lastUsed)) pick = m;
        if (!pick) pick = r.pick(live);
        pick.inSlot = true;
        slot.m = pick;
        slot.until = t + r.lognormal(fp.sessionMinutes, 0.5) * MINUTE;
      }
      yield task(slot.m, t);
    }
  }
  const em = new Emitter(r.fork('emit'), ctx.p.traffic.rate429, ctx.p.traffic.rate5xx);
  return { streams: [withAccounts(ctx, em, everyone.map((m) => m.a), events())], campaign: { key, kind } };
}
