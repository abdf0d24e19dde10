// Turns the engine's final state into the contract's output records (accounts, campaigns, daily).
import { CAPABILITIES } from '../core/capabilities.js';
import type { AccountOut, CampaignOut, DailyRow, EvidenceRow, Indicator, LinkOut, ReasonOut } from '../core/output.js';
import { mapNumbers, type Reason } from '../core/reasons.js';
import { DAY, toIso } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import { keyedHash } from '../sketches/keyed-hash.js';
import type { Dimension } from '../link/dimensions.js';
import type { Campaign } from '../judge/campaign.js';
import type { AccountJudgement } from '../judge/account-verdicts.js';
import type { Engine } from './engine.js';
import { collectLinks, joinsOut } from './links-out.js';

export interface EngineResults {
  accounts: AccountOut[];
  campaigns: CampaignOut[];
  daily: DailyRow[];
  evidence: EvidenceRow[];
  /** The account-link graph of each campaign. */
  links: LinkOut[];
}

/** A number as the output shows it (4 decimals). */
export const round = (x: number): number => Math.round(x * 1e4) / 1e4;

function reasonOut(r: Reason): ReasonOut {
  return mapNumbers(r, round);
}

/** An account's or campaign's reasons as output (weights and numeric details rounded). */
export function reasonsOut(reasons: readonly Reason[]): ReasonOut[] {
  return reasons.map(reasonOut);
}

function capabilities(caps: Uint32Array, total: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (total === 0) return out;
  CAPABILITIES.forEach((c, i) => {
    if (caps[i] > 0) out[c] = round(caps[i] / total);
  });
  return out;
}

/** More indicators of a campaign (src/intel: community-keyed hashes, template fingerprints, ASNs). */
export type ExtraIndicators = (c: Campaign, members: readonly AccountState[]) => Indicator[];

export function collectResults(engine: Engine, indicatorKey: string, extra?: ExtraIndicators): EngineResults {
  const { observer } = engine;
  const accounts: AccountOut[] = [];
  const evidence: EvidenceRow[] = [];
  const members = new Map<string, AccountState[]>();
  for (const s of observer.list) {
    if (s.exchanges === 0) continue;
    const c = outputCampaignOf(engine, s);
    if (c) {
      let list = members.get(c.id);
      if (!list) members.set(c.id, (list = []));
      list.push(s);
    }
    accounts.push(accountOut(s, engine.judge.verdicts, c?.id ?? null));
    evidenceOf(s, engine.judge.verdicts, evidence);
  }
  const campaigns: CampaignOut[] = [];
  for (const list of members.values()) campaigns.push(campaignOut(engine, list, indicatorKey, extra));
  campaigns.sort((a, b) => b.exchanges - a.exchanges || (a.campaign_id < b.campaign_id ? -1 : 1));
  const campaignOf = new Map<string, string>();
  for (const c of campaigns) for (const a of c.accounts) campaignOf.set(a, c.campaign_id);
  return { accounts, campaigns, daily: dailyRows(engine, members), evidence, links: collectLinks(engine, campaignOf, indicatorKey) };
}

/**
 * The campaign an account is listed in: its linked set's campaign, when that campaign is at least
 * suspicious or the account itself is not benign. Accounts without exchanges are not output.
 */
export function outputCampaignOf(engine: Engine, s: AccountState): Campaign | undefined {
  const c = engine.judge.campaignOf(s);
  return c && (c.score >= engine.cfg.thresholds.suspicious || engine.judge.verdicts.verdict(s.idx) !== 'benign') ? c : undefined;
}

/** One account's output line: what observe saw of it, and what the judge concluded (`v`). */
export function accountOut(s: AccountState, v: AccountJudgement, campaignId: string | null): AccountOut {
  const idx = s.idx;
  const flaggedAt = v.flaggedAt(idx);
  const suspiciousAt = v.suspiciousAt(idx);
  return {
    account_id: s.id,
    score: round(v.score(idx)),
    verdict: v.verdict(idx),
    campaign_id: campaignId,
    flagged_at: flaggedAt === null ? null : toIso(flaggedAt),
    exchanges: s.exchanges,
    exchanges_before_flag: v.exchangesAtFlag(idx),
    reasons: reasonsOut(v.reasons(idx)),
    suspicious_at: suspiciousAt === null ? null : toIso(suspiciousAt),
    first_seen: toIso(s.firstTs),
    last_seen: toIso(s.lastTs),
    capabilities: capabilities(s.caps, s.exchanges),
    ...(s.createdAt === undefined ? {} : { created_at: toIso(s.createdAt) }),
  };
}

/**
 * The row accountOut would give `s` now when only its activity moved since `prev` was made from it
 * (exchanges, last time, capability mix; the judgement, campaign and first times as they were): `prev`
 * with those fields replaced, in place, so the row is the same bytes as accountOut's.
 */
export function accountActivityOut(prev: AccountOut, s: AccountState): AccountOut {
  return { ...prev, exchanges: s.exchanges, last_seen: toIso(s.lastTs), capabilities: capabilities(s.caps, s.exchanges) };
}

/** The evidence rows of an account that is not benign (none for a benign one). */
export function evidenceOf(s: AccountState, v: AccountJudgement, out: EvidenceRow[]): void {
  const idx = s.idx;
  if (v.verdict(idx) === 'benign') return;
  const at = toIso(v.flaggedAt(idx) ?? v.suspiciousAt(idx) ?? s.lastTs);
  for (const r of v.reasons(idx)) out.push({ account_id: s.id, code: r.code, weight: round(r.weight), detail: JSON.stringify(r.detail), at });
}

/** A campaign's output line from its listed members (all of one campaign, at least one). */
export function campaignOut(engine: Engine, list: readonly AccountState[], indicatorKey: string, extra?: ExtraIndicators): CampaignOut {
  const c = engine.judge.campaignOf(list[0])!;
  const caps = new Uint32Array(CAPABILITIES.length);
  let exchanges = 0;
  let first = Infinity;
  let last = -Infinity;
  // A campaign is flagged once one of its members is (and stays so while one is distillation): its
  // flag time is its first member's, and its score never below its strongest member's.
  let flaggedAt = Infinity;
  let score = c.score;
  const v = engine.judge.verdicts;
  for (const s of list) {
    exchanges += s.exchanges;
    first = Math.min(first, s.firstTs);
    last = Math.max(last, s.lastTs);
    for (let i = 0; i < caps.length; i++) caps[i] += s.caps[i];
    const at = v.flaggedAt(s.idx);
    if (v.verdict(s.idx) === 'distillation' && at !== null) flaggedAt = Math.min(flaggedAt, at);
    score = Math.max(score, v.score(s.idx));
  }
  const inCampaign = new Set<number>();
  for (const s of list) inCampaign.add(s.idx);
  const joins = joinsOut(engine, inCampaign, indicatorKey);
  const dims = new Map<Dimension, Set<string>>();
  for (const [dim, d] of c.dims) dims.set(dim, new Set(d.keys));
  for (const [dim, keys] of linkedKeys(engine, inCampaign)) {
    const set = dims.get(dim) ?? new Set<string>();
    for (const k of keys) set.add(k);
    dims.set(dim, set);
  }
  return {
    campaign_id: c.id,
    accounts: list.map((s) => s.id).sort(),
    exchanges,
    first_seen: toIso(first),
    last_seen: toIso(last),
    flagged_at: flaggedAt === Infinity ? null : toIso(flaggedAt),
    score: round(score),
    capabilities: capabilities(caps, exchanges),
    reasons: c.reasons.map(reasonOut),
    indicators: indicators(engine, dims, indicatorKey, extra?.(c, list) ?? []),
    joins,
  };
}

/** Daily rows by day: the global row, then one per listed campaign whose members sent traffic that day. */
export function dailyRows(engine: Engine, members: ReadonlyMap<string, readonly AccountState[]>): DailyRow[] {
  const campaignOfIdx = new Map<number, string>();
  for (const [id, list] of members) for (const s of list) campaignOfIdx.set(s.idx, id);
  const daily: DailyRow[] = [];
  for (const [day, d] of [...engine.daily].sort((a, b) => a[0] - b[0])) {
    const date = toIso(day * DAY).slice(0, 10);
    daily.push({ day: date, exchanges: d.exchanges, flagged_exchanges: d.afterFlag, active_accounts: d.accounts.size });
    // A campaign's day: what its members (as output now) sent that day, whenever they were linked.
    const byCampaign = new Map<string, { exchanges: number; flagged: number; accounts: number }>();
    for (const [idx, n] of d.accounts) {
      const cid = campaignOfIdx.get(idx);
      if (cid === undefined) continue;
      let row = byCampaign.get(cid);
      if (!row) byCampaign.set(cid, (row = { exchanges: 0, flagged: 0, accounts: 0 }));
      row.exchanges += n;
      row.flagged += d.flaggedBy.get(idx) ?? 0;
      row.accounts++;
    }
    for (const [cid, row] of [...byCampaign].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      daily.push({ day: date, exchanges: row.exchanges, flagged_exchanges: row.flagged, active_accounts: row.accounts, campaign_id: cid });
    }
  }
  return daily;
}

/**
 * What linked a campaign's members when they were linked (the linker's link log), by dimension: a
 * campaign's infrastructure stays known after the groups that linked it have gone quiet.
 */
function linkedKeys(engine: Engine, inCampaign: ReadonlySet<number>): Map<Dimension, Set<string>> {
  const dims = new Map<Dimension, Set<string>>();
  for (const l of engine.linker.linkLog) {
    if (!inCampaign.has(l.a) || !inCampaign.has(l.b)) continue;
    for (const k of l.kinds) {
      let keys = dims.get(k.dim);
      if (!keys) dims.set(k.dim, (keys = new Set()));
      keys.add(k.key);
    }
  }
  return dims;
}

/** Privacy-safe indicators: keyed hashes of identifiers, network prefixes, client fingerprints. */
function indicators(engine: Engine, dims: ReadonlyMap<Dimension, ReadonlySet<string>>, key: string, extra: Indicator[]): Indicator[] {
  const out: Indicator[] = [...extra];
  const { prefixNames, clientNames } = engine.observer;
  for (const [dim, keys] of dims) {
    for (const k of keys) {
      const value = k.slice(k.indexOf(':') + 1);
      switch (dim) {
        case 'payment':
          out.push({ kind: 'payment_fingerprint_hmac', value: keyedHash(key, value) });
          break;
        case 'link':
          out.push({ kind: 'link_hmac', value: `${value.slice(0, value.indexOf('='))}:${keyedHash(key, value)}` });
          break;
        case 'ip_prefix':
          out.push({ kind: 'ip_prefix', value: prefixNames.get(Number(value)) ?? value });
          break;
        case 'client': {
          const [tls, ua] = (clientNames.get(Number(value)) ?? '|').split('|');
          if (tls) out.push({ kind: 'tls_fingerprint', value: tls });
          if (ua) out.push({ kind: 'user_agent', value: ua });
          break;
        }
        case 'payment_bin':
          out.push({ kind: 'payment_bin', value: value.slice(0, value.indexOf(':')) });
          break;
        case 'email_pattern':
          out.push({ kind: 'email_pattern', value: value.slice(0, value.lastIndexOf(':')) });
          break;
        case 'system':
          out.push({ kind: 'system_prompt_hash', value: keyedHash(key, value) });
          break;
        case 'template':
          out.push({ kind: 'template_cluster', value: `t${value}` });
          break;
        default:
          break;
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((i) => {
    const k = `${i.kind}\u0000${i.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).sort((a, b) => (a.kind + a.value < b.kind + b.value ? -1 : 1));
}
