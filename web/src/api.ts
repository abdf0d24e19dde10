// The dashboard's only way out: the distillguard read API (and the review/graph/intel routes) of the
// server that served this page. It signs in once (a one-time link token, or a key typed in) and from
// then on the server's HttpOnly, SameSite=Strict session cookie authenticates it: no key is kept in
// the page or its storage (src/server/sessions.ts).
import type { AccountOut, CampaignOut, Summary } from '../../src/core/output.js';
import type { DailyRow, EvidenceRow, RefreshInfo } from '../../src/store/store.js';
import type { BriefFacts } from '../../src/report/brief-data.js';
import type { ActionLine } from '../../src/act/action-out.js';
import type { BacktestRun } from '../../src/act/backtest.js';
import type { Decision as GatewayDecision, PolicyVersion } from '../../src/server/gateway.js';

/**
 * Signs in from the link's fragment (a fragment never reaches server logs): `#signin=TOKEN` (a
 * one-time token) or, from older links, `#key=KEY`; both are exchanged for the session cookie at
 * once and leave the address bar.
 */
export async function signInFromHash(): Promise<void> {
  const m = /^#(signin|key)=([^&]+)/.exec(location.hash);
  if (!m) return;
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  const value = decodeURIComponent(m[2]);
  await call('POST', '/v1/session', m[1] === 'signin' ? { token: value } : { key: value }).catch(() => undefined); // a bad link ends at the sign-in form
}

/** Signs in with a key typed into the form: the key goes to the server once and is not kept. */
export async function setKey(key: string): Promise<void> {
  await call('POST', '/v1/session', { key });
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    // The API's errors are {error: {code, message}}: show the server's reason, not the status text.
    const err = data && typeof data === 'object' && 'error' in data ? (data as { error: unknown }).error : data;
    const msg = err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : res.statusText;
    throw new ApiError(res.status, msg);
  }
  return data as T;
}

/** A decision the engine takes as input: confirm, dismiss (false positive) or escalate (needs review). */
export type Decision = { id: number; account_id: string; action: 'confirm' | 'dismiss' | 'escalate'; note: string; at: string; decided_at: string; actor: string };
export type AuditEntry = { id: string; kind: string; at: string; actor: string; account_id: string | null; body: Record<string, unknown> };
export type Account = AccountOut & { evidence?: EvidenceRow[]; audit?: AuditEntry[] };
export type GraphNode = { id: string; verdict: string; score: number; exchanges: number };
export type GraphEdge = { a: string; b: string; at: string; kinds: { dimension: string; ref: string; suspicion: number }[] };
export type Graph = { campaign_id: string; nodes: GraphNode[]; edges: GraphEdge[] };
export type ReviewItem = Account & { decision: Decision | null };
/** `/v1/campaigns/:id/facts`: the brief's facts (one computation, src/report/brief-data.ts) without its infrastructure. */
export type Facts = Omit<BriefFacts, 'infrastructure'> & { campaign_id: string; shared_indicators: number };
/** An account's gateway decision now and every change of its action, newest first. */
export type Actions = { current: GatewayDecision; history: ActionLine[] };
export type { ActionLine, GatewayDecision, PolicyVersion };
export type Suppression = { account_id?: string; org_id?: string; rule: string; until: string; by: string; note: string };
export type PolicyNow = { version: PolicyVersion; text: string; rules: { id: string; action: string; mode: string }[]; suppressions: Suppression[] };
export type Backtest = BacktestRun;
export type Intel = { available: boolean; note?: string; bundles: Record<string, unknown>[]; sightings: Record<string, unknown>[]; shared: Record<string, unknown>[] };

/** The API's name of each decision (POST /v1/decisions). */
const API_DECISION: Record<Decision['action'], string> = { confirm: 'confirmed', dismiss: 'false_positive', escalate: 'needs_review' };

const q = (params: Record<string, string | number | undefined>): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};
const id = encodeURIComponent;

export const api = {
  summary: async () => (await call<{ summary: Summary | null }>('GET', '/v1/summary')).summary,
  campaigns: async () => (await call<{ campaigns: CampaignOut[] }>('GET', '/v1/campaigns')).campaigns,
  /** With the store refresh it reflects (`snapshot`): a page polls it to learn of new data. */
  campaign: (c: string) => call<CampaignOut & { audit?: AuditEntry[]; snapshot?: RefreshInfo | null }>('GET', `/v1/campaigns/${id(c)}`),
  daily: async (c?: string) => (await call<{ daily: DailyRow[] }>('GET', `/v1/daily${q({ campaign_id: c })}`)).daily,
  accounts: async (f: { verdict?: string; campaign_id?: string; limit?: number; offset?: number }) => (await call<{ accounts: Account[] }>('GET', `/v1/accounts${q(f)}`)).accounts,
  account: (a: string) => call<Account>('GET', `/v1/accounts/${id(a)}`),
  facts: (c: string) => call<Facts>('GET', `/v1/campaigns/${id(c)}/facts`),
  graph: (c: string) => call<Graph>('GET', `/v1/campaigns/${id(c)}/graph`),
  links: async (a: string) => (await call<{ links: GraphEdge[] }>('GET', `/v1/accounts/${id(a)}/links`)).links,
  review: async () => (await call<{ review: ReviewItem[] }>('GET', '/v1/review')).review,
  decisions: async (a?: string) => (await call<{ decisions: Decision[] }>('GET', `/v1/review/decisions${q({ account_id: a })}`)).decisions,
  decide: async (account_id: string, action: Decision['action'], note: string) =>
    (await call<{ decision: Decision }>('POST', '/v1/decisions', { account_id, decision: API_DECISION[action], ...(note ? { note } : {}) })).decision,
  /** An analyst's split (the accounts out of the campaign) or merge (two campaigns made one), applied by the engine at once. */
  regroup: (campaign_id: string, r: { split: string[] } | { merge: string }, note: string) =>
    call<AuditEntry>('POST', '/v1/decisions', {
      campaign_id,
      ...('split' in r ? { decision: 'split', accounts: r.split } : { decision: 'merge', with_campaign_id: r.merge }),
      ...(note ? { note } : {}),
    }),
  intel: () => call<Intel>('GET', '/v1/intel'),
  /** null when this service runs no policy (the gateway routes are not mounted). */
  actions: async (a: string) => call<Actions>('GET', `/v1/accounts/${id(a)}/actions`).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e))),
  policy: () => call<PolicyNow>('GET', '/v1/policy'),
  /** Every account the gateway does not simply allow, with its decision. */
  gatewayDecisions: async () => (await call<{ decisions: GatewayDecision[] }>('GET', '/v1/decisions')).decisions,
  policyHistory: async () => (await call<{ versions: (PolicyVersion & { id: string; event_time: string })[] }>('GET', '/v1/policy/history')).versions,
  backtest: async () => (await call<{ backtest: Backtest | null }>('GET', '/v1/policy/backtest')).backtest,
  runBacktest: async (policy: string | undefined, compare: string | undefined) =>
    (await call<{ backtest: Backtest }>('POST', '/v1/policy/backtest', { ...(policy === undefined ? {} : { policy }), ...(compare === undefined ? {} : { compare }) })).backtest,
  suppress: (s: Omit<Suppression, 'by'>) => call<{ version: PolicyVersion }>('POST', '/v1/suppressions', s),
};

/** Fetches a file with the key and hands it to the browser as a download. */
export async function download(path: string, name: string): Promise<void> {
  const res = await fetch(path);
  if (!res.ok) throw new ApiError(res.status, res.statusText);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
