// What a policy did over a replay of history: accounts and exchanges acted on by action, per
// hard-negative group (with ground truth), served leakage, time from a campaign's start to its first
// action, the share of accounts a campaign created after its first action that were acted on before
// their first exchange, and the account-by-account difference between two policies.
import type { Engine } from '../engine/engine.js';
import type { Truth } from '../eval/truth.js';
import type { ActionLine } from './action-out.js';
import { ACTIONS, PROTECTS, SEVERITY, type ActionName } from './policy-schema.js';
import type { PolicyStage } from './policy-stage.js';

/** One account's history under a policy (enforced actions only). */
export interface AccountActions {
  account_id: string;
  created_at: number | null;
  first_exchange: number | null;
  exchanges: number;
  /** Exchanges served under each action in force at the time. */
  served: Partial<Record<ActionName, number>>;
  /** Action in force at the first exchange. */
  first_served: ActionName | null;
  /** First enforced non-allow action and when. */
  first_action: { action: ActionName; at: number } | null;
  /** First enforced degrade, hold or block. */
  first_protect: number | null;
  /** Strictest enforced action it ever had. */
  strictest: ActionName;
  final: ActionName;
  linked_at_signup: boolean;
  /** The account record's plan (free when it has none): the groups of a report without ground truth. */
  plan: string;
  /** The campaign the engine put it in by the end of the replay: the campaigns of a report without ground truth. */
  campaign: string | null;
}

export function accountActions(engine: Engine, stage: PolicyStage, lines: readonly ActionLine[]): Map<string, AccountActions> {
  const out = new Map<string, AccountActions>();
  for (const s of engine.observer.list) {
    const served: AccountActions['served'] = {};
    ACTIONS.forEach((a, i) => {
      const n = stage.served[i][s.idx] ?? 0;
      if (n > 0) served[a] = n;
    });
    out.set(s.id, {
      account_id: s.id,
      created_at: s.createdAt ?? null,
      first_exchange: s.exchanges > 0 ? s.firstTs : null,
      exchanges: s.exchanges,
      served,
      first_served: stage.firstServedAction(s.idx) ?? null,
      first_action: null,
      first_protect: null,
      strictest: 'allow',
      final: stage.actionOf(s.idx).action,
      linked_at_signup: stage.signupLinkOf(s.idx) !== undefined,
      plan: s.plan ?? 'free',
      campaign: engine.judge.campaignOf(s)?.id ?? null,
    });
  }
  for (const l of lines) {
    if (l.mode !== 'enforce') continue;
    const a = out.get(l.account_id);
    if (!a) continue;
    const action = l.action as ActionName;
    const at = Date.parse(l.at);
    if (action !== 'allow' && !a.first_action) a.first_action = { action, at };
    if (PROTECTS.has(action) && a.first_protect === null) a.first_protect = at;
    if (SEVERITY[action] > SEVERITY[a.strictest]) a.strictest = action;
  }
  return out;
}

type Counts = Record<ActionName, number>;
const zero = (): Counts => Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Counts;

export interface GroupActions {
  accounts: number;
  /** Accounts by the strictest action they ever had. */
  by_strictest: Counts;
  /** Exchanges by the action in force when served. */
  exchanges_by_action: Counts;
}

export interface CampaignActions {
  campaign: string;
  kind: string;
  accounts: number;
  exchanges: number;
  /** Campaign exchanges answered in full (before degrade, hold or block). */
  served_before_protect: number;
  leakage: number;
  /** Hours from the campaign's first exchange to its first enforced action (any, and degrade or stricter). */
  first_action_h: number | null;
  first_protect_h: number | null;
  /** Accounts created after the campaign's first action that sent an exchange. */
  created_after_action: number;
  /** Of those, under a non-allow action at their first exchange, and under degrade or stricter. */
  acted_before_first_exchange: number;
  protected_before_first_exchange: number;
}

export interface BacktestReport {
  policy: string;
  accounts: number;
  exchanges: number;
  accounts_by_strictest: Counts;
  exchanges_by_action: Counts;
  shadow_changes: number;
  /** With ground truth: organic accounts per hard-negative group; without: every account per plan (`plan:education`). Campaigns: the true ones, or those the engine found. */
  groups?: Record<string, GroupActions>;
  campaigns?: CampaignActions[];
  served_leakage?: number;
  created_after_action?: number;
  acted_before_first_exchange_share?: number;
  protected_before_first_exchange_share?: number;
  /** Leakage of the detector alone (exchanges before each account's flag), for comparison. */
}

export function backtestReport(policy: string, rows: Map<string, AccountActions>, lines: readonly ActionLine[], truth?: Truth): BacktestReport {
  const report: BacktestReport = {
    policy,
    accounts: 0,
    exchanges: 0,
    accounts_by_strictest: zero(),
    exchanges_by_action: zero(),
    shadow_changes: lines.filter((l) => l.mode === 'shadow').length,
  };
  for (const a of rows.values()) {
    if (a.exchanges === 0 && a.strictest === 'allow') continue;
    report.accounts++;
    report.exchanges += a.exchanges;
    report.accounts_by_strictest[a.strictest]++;
    for (const [k, n] of Object.entries(a.served)) report.exchanges_by_action[k as ActionName] += n;
  }
  const groups: Record<string, GroupActions> = {};
  const count = (group: string, a: AccountActions): void => {
    const g = (groups[group] ??= { accounts: 0, by_strictest: zero(), exchanges_by_action: zero() });
    g.accounts++;
    g.by_strictest[a.strictest]++;
    for (const [k, n] of Object.entries(a.served)) g.exchanges_by_action[k as ActionName] += n;
  };
  // Campaigns: the simulator's with ground truth, else those the engine found (a service's own history),
  // starting at their first member's first exchange.
  const known: { key: string; kind: string; members: AccountActions[]; start: number }[] = [];
  if (truth) {
    for (const [id, t] of Object.entries(truth.accounts)) {
      if (t.label !== 'organic') continue;
      const a = rows.get(id);
      if (a) count(t.group, a);
    }
    for (const [key, tc] of Object.entries(truth.campaigns)) {
      known.push({ key, kind: tc.kind, members: tc.accounts.map((id) => rows.get(id)).filter((a): a is AccountActions => a !== undefined), start: Date.parse(tc.start) });
    }
  } else {
    // No ground truth: what each plan (sign-up programs, paying tiers) got.
    const found = new Map<string, AccountActions[]>();
    for (const a of rows.values()) {
      if (a.exchanges > 0 || a.strictest !== 'allow') count(`plan:${a.plan}`, a);
      if (a.campaign === null) continue;
      const list = found.get(a.campaign);
      if (list) list.push(a);
      else found.set(a.campaign, [a]);
    }
    for (const [key, members] of [...found].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      known.push({ key, kind: 'detected', members, start: min(members.map((a) => a.first_exchange)) ?? 0 });
    }
  }
  const campaigns: CampaignActions[] = [];
  let ex = 0;
  let leaked = 0;
  let after = 0;
  let acted = 0;
  let protectedFirst = 0;
  for (const { key, kind, members, start } of known) {
    const firstAction = min(members.map((a) => a.first_action?.at ?? null));
    const firstProtect = min(members.map((a) => a.first_protect));
    const c: CampaignActions = {
      campaign: key,
      kind,
      accounts: members.filter((a) => a.exchanges > 0).length,
      exchanges: 0,
      served_before_protect: 0,
      leakage: 0,
      first_action_h: firstAction === null ? null : (firstAction - start) / 3_600_000,
      first_protect_h: firstProtect === null ? null : (firstProtect - start) / 3_600_000,
      created_after_action: 0,
      acted_before_first_exchange: 0,
      protected_before_first_exchange: 0,
    };
    for (const a of members) {
      c.exchanges += a.exchanges;
      for (const [k, n] of Object.entries(a.served)) if (!PROTECTS.has(k as ActionName)) c.served_before_protect += n;
      if (firstAction !== null && a.created_at !== null && a.created_at > firstAction && a.first_served !== null) {
        c.created_after_action++;
        if (a.first_served !== 'allow') c.acted_before_first_exchange++;
        if (PROTECTS.has(a.first_served)) c.protected_before_first_exchange++;
      }
    }
    c.leakage = c.exchanges ? c.served_before_protect / c.exchanges : 0;
    ex += c.exchanges;
    leaked += c.served_before_protect;
    after += c.created_after_action;
    acted += c.acted_before_first_exchange;
    protectedFirst += c.protected_before_first_exchange;
    campaigns.push(c);
  }
  report.groups = groups;
  report.campaigns = campaigns;
  report.served_leakage = ex ? leaked / ex : 0;
  report.created_after_action = after;
  report.acted_before_first_exchange_share = after ? acted / after : 1;
  report.protected_before_first_exchange_share = after ? protectedFirst / after : 1;
  return report;
}

/** Accounts whose history differs between two policies: strictest action, or when the first action came. */
export interface AccountDiff {
  account_id: string;
  a: { strictest: ActionName; first_action_at: string | null; served_before_protect: number };
  b: { strictest: ActionName; first_action_at: string | null; served_before_protect: number };
  label?: string;
  group?: string;
}

export function comparePolicies(a: Map<string, AccountActions>, b: Map<string, AccountActions>, truth?: Truth): AccountDiff[] {
  const side = (x: AccountActions | undefined): AccountDiff['a'] => ({
    strictest: x?.strictest ?? 'allow',
    first_action_at: x?.first_action ? new Date(x.first_action.at).toISOString() : null,
    served_before_protect: x ? Object.entries(x.served).reduce((n, [k, v]) => n + (PROTECTS.has(k as ActionName) ? 0 : v), 0) : 0,
  });
  const out: AccountDiff[] = [];
  for (const id of new Set([...a.keys(), ...b.keys()])) {
    const sa = side(a.get(id));
    const sb = side(b.get(id));
    if (sa.strictest === sb.strictest && sa.first_action_at === sb.first_action_at && sa.served_before_protect === sb.served_before_protect) continue;
    const t = truth?.accounts[id];
    out.push({ account_id: id, a: sa, b: sb, ...(t ? { label: t.label, group: t.group } : {}) });
  }
  return out.sort((x, y) => (x.account_id < y.account_id ? -1 : 1));
}

function min(xs: (number | null)[]): number | null {
  let m: number | null = null;
  for (const x of xs) if (x !== null && (m === null || x < m)) m = x;
  return m;
}

/** What one backtest found: a report per policy, and with two policies their account-by-account difference. */
export interface BacktestOutcome {
  reports: BacktestReport[];
  diff?: AccountDiff[];
}

/** One policy evaluated on a replay: its stage and the action lines it wrote. */
export interface PolicyRun {
  label: string;
  engine: Engine;
  stage: PolicyStage;
  lines: readonly ActionLine[];
}

/** The reports of one or two policies evaluated on the same replay, and their difference. */
export function backtestOutcome(runs: readonly PolicyRun[], truth?: Truth): BacktestOutcome {
  const rows = runs.map((r) => accountActions(r.engine, r.stage, r.lines));
  const reports = runs.map((r, i) => backtestReport(r.label, rows[i], r.lines, truth));
  return rows.length === 2 ? { reports, diff: comparePolicies(rows[0], rows[1], truth) } : { reports };
}

/** A backtest run by an analyst, as the policy page shows it. */
export interface BacktestRun {
  started_at: string;
  finished_at: string | null;
  actor: string;
  policies: string[];
  records?: number;
  error?: string;
  outcome?: Omit<BacktestOutcome, 'diff'> & { diff_accounts?: number; diff?: BacktestOutcome['diff'] };
}
