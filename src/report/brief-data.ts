// What a campaign brief is made of, read from the store a scan wrote: the campaign, its member
// accounts, its daily volume, its link graph, and the facts derived from them (shared by the HTML,
// Markdown and PDF renderings and by the dashboard's API, so every rendering states the same figures).
import type { AccountOut, CampaignOut, Indicator, Summary } from '../core/output.js';
import type { LinkOut } from '../core/output.js';
import type { DailyRow, ResultsReader } from '../store/store.js';
import { buildBundle } from '../intel/stix/export.js';
import { EXT_INDICATOR } from '../intel/stix/extensions.js';

export interface SharedRecord {
  /** Where the indicators went (a TAXII collection, a peer), and when. */
  to: string;
  at: string;
  objects: number;
}

/** The campaign as `distillguard intel export` shares it: a STIX 2.1 bundle under a TLP marking. */
export interface StixShare {
  tlp: string;
  objects: number;
  /** The indicators in the bundle (the privacy-safe kinds peers can match). */
  indicators: Indicator[];
}

export interface BriefData {
  campaign: CampaignOut;
  stix: StixShare;
  members: AccountOut[];
  daily: DailyRow[];
  links: LinkOut[];
  summary: Summary | null;
  /** What was shared about this campaign, where the intel module recorded it; absent when unknown. */
  shared?: SharedRecord[];
}

/** One day of a campaign's series: all its exchanges, and those from members already flagged then. */
export interface BriefDay {
  day: string;
  exchanges: number;
  afterFlag: number;
}

/**
 * Every figure a brief, the report and the dashboard state about a campaign, computed here once from
 * what the store holds: renderings format these, never recount.
 */
export interface BriefFacts {
  /** The campaign's flag time: when its first member was flagged; null while none is distillation. */
  flaggedAt: string | null;
  score: number;
  /** Every day from the first exchange's to the last's, zero-filled. */
  days: BriefDay[];
  /** Sum of `days` (equals `exchanges`: the consistency test holds every scenario to it). */
  dailyTotal: number;
  /** Exchanges served while their account was already flagged (the daily rows' flagged_exchanges). */
  afterFlagTotal: number;
  accounts: number;
  distillation: number;
  suspicious: number;
  exchanges: number;
  spanDays: number;
  /** Exchanges the flagged members had sent before each was flagged; null when none is flagged. */
  exchangesBeforeFlag: number | null;
  firstAccountFlagged: string | null;
  /** Link edges by dimension: how the accounts were tied together. */
  linkKinds: [string, number][];
  /** Indicators grouped by kind, kinds in a fixed order. */
  infrastructure: [string, Indicator[]][];
  capabilities: [string, number][];
  /** The members' own evidence by reason code: how many members carry it, and its strongest weight. */
  memberReasons: { code: string; members: number; weight: number }[];
  signups: { first: string | null; last: string | null; known: number };
}

export class BriefNotFound extends Error {}

export async function loadBrief(store: ResultsReader, campaignId: string): Promise<BriefData> {
  const campaign = await store.campaign(campaignId);
  if (!campaign) {
    const ids = (await store.campaigns()).map((c) => c.campaign_id);
    throw new BriefNotFound(`no campaign ${JSON.stringify(campaignId)} in the store (campaigns: ${ids.length ? ids.join(', ') : 'none'})`);
  }
  const [members, daily, links, summary] = await Promise.all([
    store.accounts({ campaignId }),
    store.daily(campaignId),
    store.links(campaignId),
    store.summary(),
  ]);
  return { campaign, members, daily, links, summary, stix: stixShare(campaign, summary?.last_event ?? campaign.last_seen) };
}

/** The indicators intel's STIX export puts in the bundle for this campaign (the same code, not a copy). */
export function stixShare(c: CampaignOut, asOf: string, tlp: 'amber' = 'amber'): StixShare {
  const bundle = buildBundle([c], { producer: 'distillguard', tlp, asOf });
  const indicators: Indicator[] = [];
  for (const o of bundle.objects) {
    const m = (o.extensions as Record<string, { kind?: unknown; value?: unknown }> | undefined)?.[EXT_INDICATOR];
    if (o.type === 'indicator' && typeof m?.kind === 'string' && typeof m.value === 'string') indicators.push({ kind: m.kind, value: m.value });
  }
  return { tlp: `TLP:${tlp.toUpperCase()}`, objects: bundle.objects.length, indicators };
}

const DAY = 86_400_000;
const KIND_ORDER = ['ip_prefix', 'asn', 'tls_fingerprint', 'user_agent', 'payment_fingerprint_hmac', 'payment_hmac', 'payment_bin', 'link_hmac', 'email_pattern', 'email_hmac', 'system_prompt_hash', 'template_cluster', 'template_fingerprint'];

export function briefFacts(d: BriefData): BriefFacts {
  const c = d.campaign;
  let before: number | null = null;
  let firstFlag: string | null = null;
  for (const a of d.members) {
    if (a.flagged_at === null || a.exchanges_before_flag === null) continue;
    before = (before ?? 0) + a.exchanges_before_flag;
  }
  for (const a of d.members) if (a.flagged_at && (firstFlag === null || a.flagged_at < firstFlag)) firstFlag = a.flagged_at;
  const kinds = new Map<string, number>();
  for (const l of d.links) for (const k of l.kinds) kinds.set(k.dimension, (kinds.get(k.dimension) ?? 0) + 1);
  const byKind = new Map<string, Indicator[]>();
  for (const i of c.indicators) {
    let list = byKind.get(i.kind);
    if (!list) byKind.set(i.kind, (list = []));
    list.push(i);
  }
  const rank = (k: string): number => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
  const signups = d.members.map((a) => a.created_at).filter((x): x is string => typeof x === 'string').sort();
  const days = dailySeries(d.daily, c.first_seen, c.last_seen);
  const byCode = new Map<string, { code: string; members: number; weight: number }>();
  for (const a of d.members) {
    for (const r of a.reasons) {
      const e = byCode.get(r.code) ?? { code: r.code, members: 0, weight: 0 };
      e.members++;
      e.weight = Math.max(e.weight, r.weight);
      byCode.set(r.code, e);
    }
  }
  return {
    flaggedAt: c.flagged_at,
    score: c.score,
    days,
    dailyTotal: days.reduce((n, x) => n + x.exchanges, 0),
    afterFlagTotal: days.reduce((n, x) => n + x.afterFlag, 0),
    accounts: c.accounts.length,
    distillation: d.members.filter((a) => a.verdict === 'distillation').length,
    suspicious: d.members.filter((a) => a.verdict === 'suspicious').length,
    exchanges: c.exchanges,
    spanDays: Math.round(((Date.parse(c.last_seen) - Date.parse(c.first_seen)) / DAY) * 10) / 10,
    exchangesBeforeFlag: before,
    firstAccountFlagged: firstFlag,
    linkKinds: [...kinds].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    infrastructure: [...byKind].sort((a, b) => rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : 1)),
    capabilities: Object.entries(c.capabilities).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    memberReasons: [...byCode.values()].sort((a, b) => b.members - a.members || b.weight - a.weight || (a.code < b.code ? -1 : 1)),
    signups: { first: signups[0] ?? null, last: signups.at(-1) ?? null, known: signups.length },
  };
}

/** A campaign's days from `first` to `last` (RFC 3339), zero where the store has no row. */
export function dailySeries(rows: readonly DailyRow[], first: string, last: string): BriefDay[] {
  const by = new Map<string, BriefDay>();
  for (const r of rows) {
    const b = by.get(r.day) ?? { day: r.day, exchanges: 0, afterFlag: 0 };
    b.exchanges += r.exchanges;
    b.afterFlag += r.flagged_exchanges;
    by.set(r.day, b);
  }
  const keys = [...by.keys()].sort();
  const from = [first.slice(0, 10), keys[0]].filter(Boolean).sort()[0];
  const to = [last.slice(0, 10), keys.at(-1)].filter(Boolean).sort().at(-1);
  const out: BriefDay[] = [];
  if (!from || !to) return out;
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end && out.length < 20_000; t += DAY) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(by.get(day) ?? { day, exchanges: 0, afterFlag: 0 });
  }
  return out;
}

export { KIND_NAMES, kindName } from './kind-names.js';

export { joinSentence } from './join-sentence.js';
