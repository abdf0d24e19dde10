// Evaluates a policy against what is known about one account at one event time: pure, no state.
// Every rule whose conditions hold matches; among the matching rules the strictest action wins (ties:
// the earlier rule), so an account only moves to a stricter action as evidence accumulates, and a
// relaxing rule cannot shadow a block by being listed first. Suppressions take a rule out for an
// account or an organization until a date.
import type { Reason } from '../core/reasons.js';
import type { Millis } from '../core/records.js';
import type { VerdictLevel } from '../core/output.js';
import type { Plan, Verification } from '../core/records.js';
import { SEVERITY, type Policy, type Range, type ReasonMatch, type Rule, type When } from './policy-schema.js';

/** What the engine and the policy stage know about an account at `at`. */
export interface AccountFacts {
  accountId: string;
  orgId?: string;
  at: Millis;
  verdict: VerdictLevel;
  score: number;
  reasons: readonly Reason[];
  campaign?: { id: string; flagged: boolean; accounts: number; score: number; actedOn: boolean };
  plan?: Plan;
  verification?: Verification;
  /** Days since the account was created; undefined when unknown. */
  ageDays?: number;
  exchanges: number;
  contentScore: number;
  analyst: 'confirmed' | 'dismissed' | 'none';
  linkedAtSignup: boolean;
}

export interface Outcome {
  /** The strictest matching rule; undefined when every matching rule was suppressed. */
  rule: Rule | undefined;
  /** Rules that matched but were suppressed for this account. */
  suppressed: string[];
}

/** The strictest matching rule among those `include` admits; undefined when none matches (nor was suppressed). */
export function decide(policy: Policy, f: AccountFacts, include: (r: Rule) => boolean): Outcome | undefined {
  let best: Rule | undefined;
  const suppressed: string[] = [];
  for (const r of policy.rules) {
    if (!include(r) || !matches(r.when, f)) continue;
    if (isSuppressed(policy, r.id, f)) {
      suppressed.push(r.id);
      continue;
    }
    if (!best || SEVERITY[r.action] > SEVERITY[best.action]) best = r;
  }
  return best || suppressed.length > 0 ? { rule: best, suppressed } : undefined;
}

function isSuppressed(policy: Policy, rule: string, f: AccountFacts): boolean {
  for (const s of policy.suppressions) {
    if (s.rule !== '*' && s.rule !== rule) continue;
    if (s.account_id !== undefined ? s.account_id !== f.accountId : s.org_id !== f.orgId) continue;
    if (f.at < Date.parse(s.until)) return true;
  }
  return false;
}

export function matches(w: When, f: AccountFacts): boolean {
  if (w.verdict && !w.verdict.includes(f.verdict)) return false;
  if (w.score && !inRange(w.score, f.score)) return false;
  if (w.reasons && !w.reasons.every((m) => f.reasons.some((r) => reasonMatches(m, r)))) return false;
  if (w.any_reason && !w.any_reason.some((c) => f.reasons.some((r) => r.code === c))) return false;
  if (w.no_reason && w.no_reason.some((c) => f.reasons.some((r) => r.code === c))) return false;
  if (w.in_campaign !== undefined && w.in_campaign !== (f.campaign !== undefined)) return false;
  if (w.campaign) {
    const c = f.campaign;
    if (!c) return false;
    const cw = w.campaign;
    if (cw.flagged !== undefined && cw.flagged !== c.flagged) return false;
    if (cw.acted_on !== undefined && cw.acted_on !== c.actedOn) return false;
    if (cw.accounts && !inRange(cw.accounts, c.accounts)) return false;
    if (cw.score && !inRange(cw.score, c.score)) return false;
  }
  if (w.plan && (f.plan === undefined || !w.plan.includes(f.plan))) return false;
  if (w.verification && !w.verification.includes(f.verification ?? 'none')) return false;
  if (w.account_age_days && (f.ageDays === undefined || !inRange(w.account_age_days, f.ageDays))) return false;
  if (w.exchanges && !inRange(w.exchanges, f.exchanges)) return false;
  if (w.content_score && !inRange(w.content_score, f.contentScore)) return false;
  if (w.analyst && !w.analyst.includes(f.analyst)) return false;
  if (w.linked_at_signup !== undefined && w.linked_at_signup !== f.linkedAtSignup) return false;
  return true;
}

function reasonMatches(m: ReasonMatch, r: Reason): boolean {
  if (m.code !== r.code) return false;
  if (m.weight && !inRange(m.weight, r.weight)) return false;
  if (m.detail) {
    for (const [k, want] of Object.entries(m.detail)) {
      const got = (r.detail as Readonly<Record<string, unknown>>)[k];
      if (typeof want === 'object') {
        if (typeof got !== 'number' || !inRange(want, got)) return false;
      } else if (got !== want) return false;
    }
  }
  return true;
}

export function inRange(r: Range, x: number): boolean {
  return (r.gt === undefined || x > r.gt) && (r.gte === undefined || x >= r.gte) && (r.lt === undefined || x < r.lt) && (r.lte === undefined || x <= r.lte) && (r.eq === undefined || x === r.eq);
}
