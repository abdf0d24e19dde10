// A deterministic, realistic-looking ScanResult: for tests, the store benchmark and demo renders.
// It is shaped like a scan's output (campaigns of linked accounts flagged part-way through,
// suspicious loners, a benign majority) but no detection produced it.
import type { AccountOut, CampaignOut, ReasonOut, Summary } from '../core/output.js';
import type { Capability } from '../core/capabilities.js';
import { DAY, HOUR, dayOf, toIso } from '../core/time.js';
import type { DailyRow, EvidenceRow, ScanResult } from '../store/store.js';
import { mulberry32 } from '../core/prng.js';

export interface SampleOptions {
  accounts?: number; // total accounts, default 2,000
  campaigns?: number; // default 4
  days?: number; // default 21
  seed?: number; // default 1
  start?: string; // first day, default 2025-03-01
}

export function sampleScan(opts: SampleOptions = {}): ScanResult {
  const nAccounts = opts.accounts ?? 2_000;
  const nCampaigns = opts.campaigns ?? 4;
  const days = opts.days ?? 21;
  const rnd = mulberry32(opts.seed ?? 1);
  const t0 = Date.parse(`${opts.start ?? '2025-03-01'}T00:00:00Z`);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;

  const accounts: AccountOut[] = [];
  const campaigns: CampaignOut[] = [];
  const evidence: EvidenceRow[] = [];
  // exchanges per account per day, kept only to build the daily aggregates
  const activity = new Map<string, { first: number; perDay: Map<number, number> }>();
  const bump = (id: string, day: number, n: number): void => {
    let a = activity.get(id);
    if (!a) activity.set(id, (a = { first: day, perDay: new Map() }));
    a.perDay.set(day, (a.perDay.get(day) ?? 0) + n);
  };

  // ---- campaigns ---------------------------------------------------------------------------------
  const memberBudget = Math.min(Math.floor(nAccounts * 0.06), nCampaigns * 60);
  let nextAccount = 0;
  const members = new Map<string, string>(); // account → campaign
  for (let c = 0; c < nCampaigns; c++) {
    const cid = `C-${String(c + 1).padStart(4, '0')}`;
    const size = Math.max(2, Math.floor(memberBudget / nCampaigns) + int(-4, 4));
    const startDay = int(0, Math.max(0, Math.floor(days / 3)));
    const endDay = Math.min(days - 1, startDay + int(Math.floor(days / 3), days));
    const flagDay = Math.min(endDay, startDay + int(1, 4));
    const flaggedAt = t0 + flagDay * DAY + int(0, 23) * HOUR + int(0, 59) * 60_000;
    const ids: string[] = [];
    let total = 0;
    const focus: Capability[] = c % 2 === 0 ? ['reasoning', 'math', 'coding'] : ['agentic', 'coding', 'planning'];
    const payment = hex(rnd, 16);
    const template = hex(rnd, 12);
    const prefix = `${int(11, 223)}.${int(0, 255)}.${int(0, 255)}.0/24`;
    for (let k = 0; k < size; k++) {
      const id = `acct_${String(nextAccount++).padStart(7, '0')}`;
      ids.push(id);
      members.set(id, cid);
      const joined = startDay + Math.floor((k / size) * Math.max(1, flagDay - startDay));
      let n = 0;
      let before = 0;
      for (let d = joined; d <= endDay; d++) {
        const v = int(120, 600);
        bump(id, d, v);
        n += v;
        if (d < flagDay) before += v;
        else if (d === flagDay) before += Math.floor(v / 2);
      }
      total += n;
      const distill = k % 9 !== 8; // most members reach enforcement; a few stay suspicious
      const score = r3(distill ? 0.9 + rnd() * 0.09 : 0.6 + rnd() * 0.2);
      const reasons = sortOut([
        { code: 'shared_payment', weight: r3(0.3 + rnd() * 0.1), detail: { dimension: 'payment', accounts: size, suspicion: 1 } },
        { code: 'shared_template', weight: r3(0.22 + rnd() * 0.1), detail: { dimension: 'template', accounts: size, suspicion: r3(0.85 + rnd() * 0.1) } },
        focus[0] === 'reasoning'
          ? { code: 'reasoning_elicitation', weight: r3(0.15 + rnd() * 0.1), detail: { share: r3(0.6 + rnd() * 0.35) } }
          : { code: 'capability_breadth', weight: r3(0.15 + rnd() * 0.1), detail: { capabilities: 3 + Math.floor(rnd() * 4) } },
        { code: 'lockstep', weight: r3(0.1 + rnd() * 0.1), detail: { accounts: size } },
        { code: 'campaign_member', weight: 0.1, detail: { campaign: cid, accounts: size } },
      ]);
      const flagged = distill ? toIso(flaggedAt + k * 7 * 60_000) : null;
      accounts.push({
        account_id: id,
        score,
        verdict: distill ? 'distillation' : 'suspicious',
        campaign_id: cid,
        flagged_at: flagged,
        exchanges: n,
        exchanges_before_flag: distill ? before : null,
        reasons,
        suspicious_at: toIso(t0 + joined * DAY + int(1, 20) * HOUR),
        first_seen: toIso(t0 + joined * DAY + int(0, 3) * HOUR),
        last_seen: toIso(t0 + endDay * DAY + int(18, 23) * HOUR),
        capabilities: { [focus[0]]: 0.6, [focus[1]]: 0.25, [focus[2]]: 0.15 },
      });
      for (const r of reasons.slice(0, 3)) {
        evidence.push({
          account_id: id,
          code: r.code,
          weight: r.weight,
          detail: JSON.stringify(r.detail),
          at: toIso(t0 + joined * DAY + int(1, 30) * HOUR),
        });
      }
    }
    campaigns.push({
      campaign_id: cid,
      accounts: ids,
      exchanges: total,
      first_seen: toIso(t0 + startDay * DAY + int(0, 5) * HOUR),
      last_seen: toIso(t0 + endDay * DAY + int(18, 23) * HOUR),
      flagged_at: toIso(flaggedAt),
      score: r3(0.93 + rnd() * 0.06),
      capabilities: {
        [focus[0]]: r3(0.55 + rnd() * 0.1),
        [focus[1]]: r3(0.2 + rnd() * 0.05),
        [focus[2]]: r3(0.1 + rnd() * 0.05),
        knowledge: r3(0.02 + rnd() * 0.02),
      },
      reasons: sortOut([
        { code: 'shared_payment', weight: 0.34, detail: { dimension: 'payment', accounts: size, shared_values: int(1, 3), suspicion: 1 } },
        { code: 'shared_template', weight: 0.27, detail: { dimension: 'template', accounts: size, shared_values: int(2, 6), suspicion: r3(0.88 + rnd() * 0.08) } },
        { code: 'signup_burst', weight: 0.18, detail: { dimension: 'signup_cohort', accounts: size, shared_values: int(1, 4), suspicion: r3(0.6 + rnd() * 0.3) } },
        { code: 'lockstep', weight: 0.12, detail: { accounts: size } },
        { code: 'max_output_budget', weight: 0.08, detail: { share: r3(0.9 + rnd() * 0.09) } },
      ]),
      indicators: [
        { kind: 'payment_fingerprint', value: `pf:${payment}` },
        { kind: 'prompt_template', value: `tpl:${template}` },
        { kind: 'ip_prefix', value: prefix },
        { kind: 'tls_fingerprint', value: `t13d1516h2_${hex(rnd, 12)}` },
      ],
    });
  }

  // ---- accounts outside any campaign -----------------------------------------------------------------
  while (nextAccount < nAccounts) {
    const id = `acct_${String(nextAccount++).padStart(7, '0')}`;
    const joined = int(0, days - 1);
    const last = Math.min(days - 1, joined + int(0, 10));
    let n = 0;
    for (let d = joined; d <= last; d++) {
      if (rnd() < 0.5) continue;
      const v = int(1, 80);
      bump(id, d, v);
      n += v;
    }
    if (n === 0) {
      bump(id, joined, 1);
      n = 1;
    }
    const loner = rnd() < 0.01;
    const reasons: ReasonOut[] = loner
      ? sortOut([
          rnd() < 0.5
            ? { code: 'regular_interarrival', weight: 0.3, detail: { log_gap_sd: r3(0.05 + rnd() * 0.4) } }
            : { code: 'no_diurnal_rest', weight: 0.4, detail: { quietest_6h_share: r3(0.15 + rnd() * 0.1) } },
          { code: 'rate_vs_age', weight: 0.2, detail: { per_active_day: int(500, 3000), age_days: int(1, 5) } },
        ])
      : [];
    accounts.push({
      account_id: id,
      score: r3(loner ? 0.55 + rnd() * 0.2 : rnd() * 0.3),
      verdict: loner ? 'suspicious' : 'benign',
      campaign_id: null,
      flagged_at: null,
      exchanges: n,
      exchanges_before_flag: null,
      reasons,
      suspicious_at: loner ? toIso(t0 + joined * DAY + int(2, 20) * HOUR) : null,
      first_seen: toIso(t0 + joined * DAY + int(0, 23) * HOUR),
      last_seen: toIso(t0 + last * DAY + int(0, 23) * HOUR),
    });
    if (loner) {
      for (const r of reasons) {
        evidence.push({ account_id: id, code: r.code, weight: r.weight, detail: JSON.stringify(r.detail), at: toIso(t0 + joined * DAY + 3 * HOUR) });
      }
    }
  }

  // ---- daily aggregates: global, then per campaign ------------------------------------------------------
  const flagged = new Set(accounts.filter((a) => a.verdict === 'distillation').map((a) => a.account_id));
  const global = new Map<number, DailyRow>();
  const perCampaign = new Map<string, Map<number, DailyRow>>();
  const rowFor = (m: Map<number, DailyRow>, d: number, campaign?: string): DailyRow => {
    let r = m.get(d);
    if (!r) {
      r = { day: dayOf(t0 + d * DAY), exchanges: 0, flagged_exchanges: 0, active_accounts: 0 };
      if (campaign) r.campaign_id = campaign;
      m.set(d, r);
    }
    return r;
  };
  for (const [id, a] of activity) {
    const cid = members.get(id);
    for (const [d, n] of a.perDay) {
      const rows = [rowFor(global, d)];
      if (cid) {
        let m = perCampaign.get(cid);
        if (!m) perCampaign.set(cid, (m = new Map()));
        rows.push(rowFor(m, d, cid));
      }
      for (const r of rows) {
        r.exchanges += n;
        r.active_accounts += 1;
        if (flagged.has(id)) r.flagged_exchanges += n;
      }
    }
  }
  const byDay = (m: Map<number, DailyRow>): DailyRow[] => [...m.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
  const daily = [...byDay(global), ...campaigns.flatMap((c) => byDay(perCampaign.get(c.campaign_id) ?? new Map()))];

  // ---- summary ----------------------------------------------------------------------------------------
  const exchanges = accounts.reduce((s, a) => s + a.exchanges, 0);
  const accountRecords = Math.round(nAccounts * 1.3);
  const rejectedByReason = {
    invalid_json: 3 + Math.floor(exchanges / 400_000),
    missing_field: 11 + Math.floor(exchanges / 90_000),
    late: 2 + Math.floor(exchanges / 250_000),
    line_too_long: 1,
  };
  const rejected = Object.values(rejectedByReason).reduce((s, v) => s + v, 0);
  const duplicates = 17 + Math.floor(exchanges / 50_000);
  const accepted = exchanges + accountRecords;
  const wall = Math.max(1, Math.round((accepted + rejected + duplicates) / 180));
  const summary: Summary = {
    version: 1,
    inputs: ['traffic/2025-03.ndjson.gz', 'traffic/accounts.ndjson'],
    lines_read: accepted + rejected + duplicates,
    accepted,
    accepted_exchanges: exchanges,
    accepted_accounts_records: accountRecords,
    rejected,
    rejected_by_reason: rejectedByReason,
    duplicates,
    late: rejectedByReason.late,
    accounts: accounts.length,
    flagged_accounts: flagged.size,
    suspicious_accounts: accounts.filter((a) => a.verdict === 'suspicious').length,
    campaigns: campaigns.length,
    first_event: toIso(t0),
    last_event: toIso(t0 + days * DAY - 1_000),
    wall_time_ms: wall,
    events_per_second: Math.round(((accepted + rejected + duplicates) / wall) * 1000),
  };
  return { summary, accounts, campaigns, evidence, daily };
}

function sortOut(rs: ReasonOut[]): ReasonOut[] {
  return rs.sort((a, b) => b.weight - a.weight || (a.code < b.code ? -1 : 1));
}

function hex(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rnd() * 16).toString(16);
  return s;
}

