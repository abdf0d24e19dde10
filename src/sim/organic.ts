// The organic population: ordinary users with heavy-tailed rates, their own time zones and
// habits, home/office/mobile networks, families and small companies sharing a card; and the
// shared-NAT group (mobile CGNAT, corporate proxies) where many unrelated users share one IP.
import { DAY, HOUR, MINUTE } from '../core/time.js';
import type { Plan, Verification } from '../core/records.js';
import { CEILING, NEW_MODEL } from './catalog.js';
import type { CountrySpec } from './catalog.js';
import type { Built, Ctx } from './ctx.js';
import { HOME_HOURS, MODEL_NAMES, STUDENT_HOURS, WORK_HOURS, adoption, newAccount, scaled } from './ctx.js';
import { drawStyle } from './exchange.js';
import type { SimAccount, SimEvent, ToolDef } from './exchange.js';
import { opaqueId } from './ids.js';
import type { Conv, PersonSpec } from './person.js';
import { personStream } from './person.js';
import type { Rng } from './rng.js';
import type { Topic } from './text.js';
import type { Asn, Card, ClientProfile, Net, World } from './world.js';

export const ORGANIC_TOOLS: readonly ToolDef[] = [
  ['get_weather', 'Get the current weather for a city', ['city']],
  ['search_docs', 'Search the product documentation', ['query']],
  ['lookup_order', 'Look up an order by id', ['order_id']],
  ['create_ticket', 'Open a support ticket', ['title', 'body']],
  ['run_sql', 'Run a read-only SQL query', ['sql']],
  ['send_email', 'Send an e-mail', ['to', 'subject', 'body']],
  ['get_calendar', 'List calendar events', ['date']],
];

/** Common app system prompts: the same text on thousands of unrelated accounts. */
const APP_SYSTEMS = [
  'You are a helpful assistant.',
  'You are a helpful assistant.',
  'You are a helpful assistant.',
  'You are a helpful, concise assistant.',
  'You are ChatBot, a friendly AI assistant. Answer clearly and concisely.',
  'You are a helpful assistant. Format answers in Markdown.',
  'You are an expert software engineer. Answer with code when useful.',
  'You are a writing assistant. Keep the user\'s voice.',
];

const HOURS_MIX = (a: readonly number[], b: readonly number[], w: number) => a.map((x, i) => w * x + (1 - w) * b[i]);

const TOPIC_WEIGHTS: readonly (readonly [Topic, number])[] = [
  ['casual', 38], ['developer', 25], ['student', 10], ['writer', 8], ['professional', 13], ['researcher', 6],
];

const OUT_MEDIAN: Record<Topic, number> = { casual: 300, developer: 450, student: 400, writer: 600, professional: 350, researcher: 500 };

export const ANTHROPIC_MAX: readonly (readonly [number | 'ceiling', number])[] = [
  [1024, 30], [2048, 15], [4096, 30], [8192, 10], [1000, 3], [1500, 2], [2000, 3], [4000, 2], ['ceiling', 5],
];
export const OPENAI_MAX: readonly (readonly [number | 'none' | 'ceiling', number])[] = [
  ['none', 50], [1024, 10], [2048, 10], [4096, 18], [1000, 3], [500, 2], [8192, 4], ['ceiling', 3],
];
const TEMPS = [0, 0.2, 0.3, 0.5, 0.7, 0.7, 0.8, 1];

export interface Habits {
  maxTokens: (model: string) => number | undefined;
  temperature?: number;
  system?: string;
  tools?: readonly ToolDef[];
  thinkShare: number;
  thinkBudget: number;
  endUser?: string;
}

/** Per-account request habits: SDK-default max_tokens, temperature, a system prompt. */
export function habits(ctx: Ctx, r: Rng, client: ClientProfile, topic: Topic, browser: boolean): Habits {
  const o = ctx.p.organic;
  const mt = client.format === 'anthropic' ? r.weighted(ANTHROPIC_MAX) : r.weighted(OPENAI_MAX);
  const h: Habits = {
    maxTokens: (model) => (mt === 'none' ? undefined : mt === 'ceiling' ? CEILING[model] : mt),
    temperature: r.chance(0.45) ? r.pick(TEMPS) : undefined,
    thinkShare: r.chance(o.thinkingAccountShare) ? r.uniform(0.2, 0.8) : 0,
    thinkBudget: r.pick([1024, 2048, 4000, 8000, 10000, 16000]),
  };
  if (r.chance(browser ? o.browserSystemShare : o.sdkSystemShare)) h.system = r.pick(APP_SYSTEMS);
  else if (r.chance(0.15)) h.system = `You are an assistant for ${r.pick(['my blog', 'our support team', 'a recipe app', 'my startup', 'a study app', 'a Discord server'])}. ${r.pick(['Be brief.', 'Answer in plain English.', 'Never make things up.', 'Use a friendly tone.'])}`;
  if (topic === 'developer' && r.chance(o.developerToolsShare)) h.tools = r.sample(ORGANIC_TOOLS, r.int(1, 4));
  if (!browser && r.chance(0.02)) h.endUser = r.chance(0.5) ? `user-${r.int(1, 99999)}` : r.hex(32);
  return h;
}

export function organicConv(ctx: Ctx, r: Rng, h: Habits, topic: Topic, lang: string, turns: number, model?: string): Conv {
  return {
    opener: ctx.texts.organic(r, topic, lang),
    turns,
    system: h.system,
    model,
    maxTokens: model ? h.maxTokens(model) : undefined,
    temperature: h.temperature,
    tools: h.tools,
    think: h.thinkShare && r.chance(h.thinkShare) ? h.thinkBudget : undefined,
    endUser: h.endUser,
    outMedian: OUT_MEDIAN[topic],
  };
}

/** Where a person connects from: home (IPv4 or a v6 /64), office on workdays, phone on CGNAT. */
export interface NetPlan {
  home: Net;
  /** The new home address and when it starts. */
  homeLater?: { at: number; net: Net };
  v6?: string;
  office?: Net;
  carrier?: Asn;
  mobileShare: number;
  tz: number;
}

export function cgnatSize(ctx: Ctx): number {
  return scaled(ctx.p.sharedNat.cgnatAddressesPerCarrier, ctx.scale, 2);
}

export function netFn(ctx: Ctx, plan: NetPlan): (r: Rng, t: number) => Net {
  return (r, t) => {
    if (plan.carrier && r.chance(plan.mobileShare)) return r.pick(ctx.world.cgnatPool(plan.carrier, cgnatSize(ctx)));
    if (plan.office) {
      const local = new Date(t + plan.tz * HOUR);
      const wd = local.getUTCDay();
      const h = local.getUTCHours();
      if (wd >= 1 && wd <= 5 && h >= 8 && h < 18 && r.chance(0.85)) return plan.office;
    }
    const home = plan.homeLater && t >= plan.homeLater.at ? plan.homeLater.net : plan.home;
    if (plan.v6) return { ...home, ip: ctx.world.v6Addr(r.fork(Math.floor(t / DAY)), plan.v6) };
    return home;
  };
}

export function homePlan(ctx: Ctx, r: Rng, country: CountrySpec, tz: number, opts: { office?: Net; mobile?: boolean } = {}): NetPlan {
  const w = ctx.world;
  const isp = w.isp(r, country);
  const home = w.host(r, w.prefix(r, isp));
  const plan: NetPlan = { home, tz, mobileShare: 0, office: opts.office };
  if (r.chance(ctx.p.organic.ipv6Share)) plan.v6 = w.v6Home(r, isp);
  else if (r.chance(ctx.p.organic.homeIpChangeShare)) {
    plan.homeLater = { at: ctx.start + r.float() * (ctx.end - ctx.start), net: w.host(r, w.prefix(r, isp)) };
  }
  if (opts.mobile ?? r.chance(ctx.p.organic.mobileUserShare)) {
    plan.carrier = w.carrier(r, country);
    plan.mobileShare = ctx.p.organic.mobileSessionShare;
  }
  return plan;
}

export function verification(r: Rng): Verification {
  return r.weighted<Verification>([['none', 5], ['email', 55], ['phone', 33], ['id', 7]]);
}

export function links(w: World, r: Rng, v: Verification, device?: string): Record<string, string> {
  const l: Record<string, string> = { device_id: device ?? w.device(r) };
  if (v === 'phone' || v === 'id') l.phone_hash = w.phoneHash(r);
  return l;
}

/** Sign-up time: mostly over the past year (more recent more likely), some inside the window. */
export function signupTime(ctx: Ctx, r: Rng, inWindowShare: number): number {
  if (r.chance(inWindowShare)) return ctx.start + r.float() * (ctx.end - ctx.start) * 0.9;
  return ctx.start - (3 + 362 * Math.pow(r.float(), 1.4)) * DAY - r.float() * DAY;
}

interface PayGroup {
  card: Card;
  orgId?: string;
  left: number;
  home?: NetPlan;
  domain?: string;
  country: CountrySpec;
}

export function buildOrganic(ctx: Ctx, root: Rng): Built {
  const o = ctx.p.organic;
  const w = ctx.world;
  const n = scaled(o.accounts, ctx.scale, 1);
  const streams: Iterator<SimEvent>[] = [];
  let group: PayGroup | undefined;
  const specs: PersonSpec[] = [];
  for (let i = 0; i < n; i++) {
    const r = root.fork(i);
    const topic = r.weighted(TOPIC_WEIGHTS);
    // Families and small companies: consecutive accounts share one card (and home or domain).
    const inGroup = group && group.left > 0 ? group : undefined;
    const country = inGroup ? inGroup.country : w.pickCountry(r);
    const tz = w.tzOf(r, country);
    const createdAt = signupTime(ctx, r, o.signupInWindowShare);
    let plan: Plan;
    let payment: Card | undefined;
    let domain: string | undefined;
    let orgId: string | undefined;
    let home: NetPlan;
    if (inGroup) {
      plan = 'paid';
      payment = inGroup.card;
      domain = inGroup.domain;
      orgId = inGroup.orgId;
      home = inGroup.home ?? homePlan(ctx, r, country, tz);
      inGroup.left--;
    } else {
      const u = r.float();
      plan = u < o.freeShare ? 'free' : u < o.freeShare + o.programShare ? r.pick<Plan>(['startup', 'research', 'education']) : 'paid';
      const office = (topic === 'developer' || topic === 'professional' || topic === 'researcher') && r.chance(o.officeShare)
        ? w.host(r, w.prefix(r, w.isp(r, country))) : undefined;
      home = homePlan(ctx, r, country, tz, { office });
      if (plan === 'paid') {
        payment = w.card(r, r.chance(o.prepaidShare) ? 'prepaid' : 'common');
        if (r.chance(o.sharedCardShare)) {
          const family = r.chance(o.familyShare);
          group = { card: payment, left: r.int(1, 3), country, home: family ? home : undefined, domain: family ? undefined : w.companyDomain(r) };
          if (!family) group.orgId = opaqueId(r, 'org_');
          domain = group.domain;
          orgId = group.orgId;
        }
      } else if (plan !== 'free' && r.chance(0.5)) payment = w.card(r, 'common');
    }
    if (!domain && (topic === 'professional' || topic === 'developer') && r.chance(0.2)) domain = w.companyDomain(r);
    if (!orgId && topic !== 'casual' && r.chance(o.teamOrgShare)) orgId = opaqueId(r, 'org_');
    const v = verification(r);
    const signupNet = home.home;
    const acct = newAccount(r, {
      label: 'organic', group: 'organic', category: topic, createdAt,
      email: w.personalEmail(r, country.code, domain), country: country.code, verification: v, plan,
      signupIp: home.v6 ? w.v6Addr(r, home.v6) : signupNet.ip, signupUserAgent: w.browser(r).ua, payment, orgId, links: links(w, r, v),
    });
    specs.push(personSpec(ctx, r, acct, topic, tz, home));
  }
  for (const s of specs) streams.push(personStream(ctx, s));
  return { streams };
}

/** The behaviour of one ordinary user. */
export function personSpec(ctx: Ctx, r: Rng, acct: SimAccount, topic: Topic, tz: number, net: NetPlan): PersonSpec {
  const o = ctx.p.organic;
  const w = ctx.world;
  const browser = r.chance(topic === 'developer' ? o.developerBrowserShare : topic === 'casual' || topic === 'writer' || topic === 'student' ? o.browserShare : (o.browserShare + o.developerBrowserShare) / 2);
  const client = browser ? w.browserClient(r) : w.sdkClient(r);
  const alt = r.chance(0.3) ? w.sdkClient(r, { format: client.format }) : undefined;
  const h = habits(ctx, r, client, topic, browser);
  const u = r.float();
  const tierP = u < o.dailyShare ? o.dailyActive : u < o.dailyShare + o.regularShare ? o.regularActive : o.occasionalActive;
  const rate = Math.min(400, Math.max(1, r.lognormal(o.rateMedian, o.rateSigma)));
  const activeP = Math.min(0.95, tierP * Math.min(1.6, Math.max(0.6, Math.pow(rate / o.rateMedian, 0.25))));
  const work = topic === 'developer' || topic === 'professional' || topic === 'researcher';
  const hours = work ? HOURS_MIX(WORK_HOURS, HOME_HOURS, 0.6) : topic === 'student' ? STUDENT_HOURS : HOME_HOURS;
  const from = Math.max(acct.createdAt + r.uniform(5, 90) * MINUTE, ctx.start - DAY);
  const until = r.chance(o.quitShare) ? ctx.start + r.uniform(0.15, 0.9) * (ctx.end - ctx.start) : Infinity;
  const modelMix = topic === 'developer' ? [0.2, 0.5, 0.3] : [0.3, 0.55, 0.15];
  const adoptAt = adoption(r, ctx, o.adoptionPerDay * (topic === 'developer' ? 2 : 1));
  const keys = [opaqueId(r, 'key_')];
  const nk = r.weighted([[0, 70], [1, 25], [2, 5]] as const);
  for (let k = 0; k < nk; k++) keys.push(opaqueId(r, 'key_'));
  const lang = w.country(acct.country).lang;
  const updates: PersonSpec['updates'] = [];
  if (acct.plan === 'free' && r.chance(o.upgradeShare)) {
    const card = w.card(r, 'common');
    updates.push({ ts: ctx.start + r.float() * (ctx.end - ctx.start), fields: { plan: 'paid', payment_fingerprint: card.fingerprint, payment_bin: card.bin } });
  }
  const spec: PersonSpec = {
    acct, rng: r, tz, hours,
    activeP, weekendFactor: work ? 0.45 : topic === 'casual' ? 1.15 : 0.9,
    rate, jitter: o.dayJitterSigma, turnsMean: o.turnsMean,
    from, until,
    net: netFn(ctx, net),
    client, alt, style: drawStyle(r, client.format),
    convIds: browser || r.chance(o.sdkConversationIdShare),
    keys, modelMix, adoptAt, updates, orgId: acct.orgId,
    content: () => ({ opener: { text: '' }, turns: 1, outMedian: 1 }),
  };
  spec.content = (rr, t, turns) => {
    const conv = organicConv(ctx, rr, h, topic, lang, turns);
    conv.maxTokens = undefined;
    // Resolve the model now so max_tokens can follow it (SDK default, or its ceiling for some).
    const m = rr.index(modelMix);
    conv.model = t >= adoptAt && rr.chance(o.newModelTraffic) ? NEW_MODEL : MODEL_NAMES[m];
    conv.maxTokens = h.maxTokens(conv.model);
    return conv;
  };
  return spec;
}

/** Ordinary users mostly behind a mobile carrier's CGNAT or a corporate proxy. */
export function buildSharedNat(ctx: Ctx, root: Rng): Built {
  const p = ctx.p.sharedNat;
  const w = ctx.world;
  const streams: Iterator<SimEvent>[] = [];
  const mobileCountries = [['US', 60], ['IN', 18], ['GB', 8], ['BR', 7], ['DE', 7]] as const;
  const nMobile = scaled(p.mobileAccounts, ctx.scale, 1);
  for (let i = 0; i < nMobile; i++) {
    const r = root.fork(`m${i}`);
    const country = w.country(r.weighted(mobileCountries));
    const tz = w.tzOf(r, country);
    const home = homePlan(ctx, r, country, tz, { mobile: true });
    // The biggest CGNAT operators carry a large share of these users.
    if (country.code === 'US' && r.chance(p.bigCarrierShare)) home.carrier = w.asn(21928);
    home.mobileShare = p.mobileSessionShare;
    const topic = r.weighted(TOPIC_WEIGHTS);
    const acct = natAccount(ctx, r, country, 'mobile_cgnat', home.home.ip);
    streams.push(personStream(ctx, personSpec(ctx, r, acct, topic, tz, home)));
  }
  const nCorp = scaled(p.corporateAccounts, ctx.scale, 1);
  const companies: { egress: Net[]; domain: string; country: CountrySpec }[] = [];
  for (let c = 0; c < Math.max(1, p.corporateCompanies); c++) {
    const r = root.fork(`corp${c}`);
    const country = w.country(r.pick(['US', 'GB', 'DE', 'IN', 'JP']));
    // Half the companies egress through a cloud security proxy shared with other companies.
    const asn = c % 2 === 1
      ? w.addAsn(22616, 'ZSCALER, INC.', 'corporate', 'US', 2)
      : w.addAsn(64600 + c, `${r.pick(['Globex', 'Initech', 'Umbrella', 'Vandelay', 'Soylent'])} Corporation`, 'corporate', country.code, 1);
    companies.push({ egress: w.addresses(r, asn, Math.max(1, p.corporateEgressIps)), domain: w.companyDomain(r), country });
  }
  for (let i = 0; i < nCorp; i++) {
    const r = root.fork(`c${i}`);
    const co = companies[i % companies.length];
    const tz = w.tzOf(r, co.country);
    const office = r.pick(co.egress);
    const home = homePlan(ctx, r, co.country, tz, { office });
    const topic = r.weighted<Topic>([['professional', 45], ['developer', 30], ['researcher', 10], ['casual', 15]]);
    const acct = natAccount(ctx, r, co.country, 'corporate_nat', office.ip, r.chance(0.5) ? co.domain : undefined);
    streams.push(personStream(ctx, personSpec(ctx, r, acct, topic, tz, home)));
  }
  return { streams };
}

function natAccount(ctx: Ctx, r: Rng, country: CountrySpec, category: string, signupIp: string, domain?: string): SimAccount {
  const w = ctx.world;
  const o = ctx.p.organic;
  const plan: Plan = r.chance(o.freeShare) ? 'free' : 'paid';
  const v = verification(r);
  return newAccount(r, {
    label: 'organic', group: 'shared_nat', category, createdAt: signupTime(ctx, r, o.signupInWindowShare),
    email: w.personalEmail(r, country.code, domain), country: country.code, verification: v, plan,
    signupIp, signupUserAgent: w.browser(r).ua,
    payment: plan === 'paid' ? w.card(r, r.chance(o.prepaidShare) ? 'prepaid' : 'common') : undefined,
    links: links(w, r, v),
  });
}
