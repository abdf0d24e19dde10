// What each account's actions were last decided from. The act stage re-evaluates every member of a
// campaign at each judgement that touches it (a campaign's evidence or flag changes what applies to
// members that sent nothing since); most of them are as they were, and deciding again from the same
// inputs changes nothing. This remembers, per account, the inputs the policy reads, so an unchanged
// member costs a comparison instead of building its facts and running every rule twice.
//
// Only what the policy reads counts (a campaign's score changes at nearly every judgement, and a policy
// without a campaign.score condition must not re-decide for it), plus what the stage's own bookkeeping
// depends on: the campaign itself (whose acted-on time it records), whether it was acted on, and the
// sign-up link. A policy whose outcome moves with event time alone (account age, a suppression that
// ends) is decided every time.
import type { AccountState } from '../observe/account-state.js';
import type { AccountVerdicts } from '../judge/account-verdicts.js';
import type { Campaign } from '../judge/campaign.js';
import type { SignupLink } from './policy-stage.js';
import type { Policy, When } from './policy-schema.js';
import type { StateKinds } from '../core/state-graph.js';

/** The facts a policy's rules read (conditions of any rule). */
interface Reads {
  /** Outcome can change with event time alone: never reuse. */
  timed: boolean;
  verdict: boolean;
  score: boolean;
  reasons: boolean;
  campaignFlagged: boolean;
  campaignAccounts: boolean;
  campaignScore: boolean;
  plan: boolean;
  verification: boolean;
  exchanges: boolean;
  contentScore: boolean;
  analyst: boolean;
}

function readsOf(policy: Policy): Reads {
  const any = (f: (w: When) => unknown): boolean => policy.rules.some((r) => f(r.when) !== undefined);
  return {
    timed: policy.suppressions.length > 0 || any((w) => w.account_age_days),
    verdict: any((w) => w.verdict),
    score: any((w) => w.score),
    reasons: any((w) => w.reasons ?? w.any_reason ?? w.no_reason),
    campaignFlagged: any((w) => w.campaign?.flagged),
    campaignAccounts: any((w) => w.campaign?.accounts),
    campaignScore: any((w) => w.campaign?.score),
    plan: any((w) => w.plan),
    verification: any((w) => w.verification),
    exchanges: any((w) => w.exchanges),
    contentScore: any((w) => w.content_score),
    analyst: any((w) => w.analyst),
  };
}

/** One account's inputs at its last decision (fields the policy does not read stay as first seen). */
class Inputs {
  policy: Policy | undefined = undefined;
  verdict = '';
  score = 0;
  reasons: unknown = undefined;
  campaign: Campaign | undefined = undefined;
  flagged = false;
  accounts = 0;
  campaignScore = 0;
  actedOn = false;
  linked: SignupLink | undefined = undefined;
  plan: string | undefined = undefined;
  verification: string | undefined = undefined;
  exchanges = 0;
  contentScore = 0;
  confirmed = false;
  dismissed = false;
}

export class DecidedFrom {
  private readonly last: (Inputs | undefined)[] = [];
  private policy: Policy | undefined = undefined;
  private reads: Reads | undefined = undefined;

  /**
   * True when the account was last decided under this policy from the same inputs (deciding again
   * would change nothing); otherwise records the inputs now, for the decision the caller makes.
   */
  unchanged(policy: Policy, s: AccountState, v: AccountVerdicts, c: Campaign | undefined, actedOn: boolean, linked: SignupLink | undefined, confirmed: boolean): boolean {
    if (policy !== this.policy) {
      this.policy = policy;
      this.reads = readsOf(policy);
    }
    const r = this.reads!;
    let m = this.last[s.idx];
    if (m === undefined) this.last[s.idx] = m = new Inputs();
    // Under another policy other fields were kept: none of them is to be trusted now.
    if (m.policy !== policy) m.reasons = undefined;
    let same = m.policy === policy && !r.timed && m.campaign === c && m.actedOn === actedOn && m.linked === linked;
    m.policy = policy;
    m.campaign = c;
    m.actedOn = actedOn;
    m.linked = linked;
    if (r.verdict) {
      const verdict = v.verdict(s.idx);
      same &&= m.verdict === verdict;
      m.verdict = verdict;
    }
    if (r.score) {
      const score = v.score(s.idx);
      same &&= m.score === score;
      m.score = score;
    }
    if (r.campaignFlagged) {
      const f = c !== undefined && c.flaggedAt !== null;
      same &&= m.flagged === f;
      m.flagged = f;
    }
    if (r.campaignAccounts) {
      const n = c?.size ?? 0;
      same &&= m.accounts === n;
      m.accounts = n;
    }
    if (r.campaignScore) {
      const x = c?.score ?? 0;
      same &&= m.campaignScore === x;
      m.campaignScore = x;
    }
    if (r.plan) {
      const p = s.plan;
      same &&= m.plan === p;
      m.plan = p;
    }
    if (r.verification) {
      const v = s.verification;
      same &&= m.verification === v;
      m.verification = v;
    }
    if (r.exchanges) {
      const n = s.exchanges;
      same &&= m.exchanges === n;
      m.exchanges = n;
    }
    if (r.contentScore) {
      const harvest = v.harvest(s.idx);
      same &&= m.contentScore === harvest;
      m.contentScore = harvest;
    }
    // Compared by version, not read: a campaign member's reasons are built only when read.
    const reasons = v.reasonsVersion(s.idx);
    if (r.analyst) {
      same &&= m.confirmed === confirmed;
      m.confirmed = confirmed;
      // A dismissal shows as a reason: look again only when the reasons are new.
      if (m.reasons !== reasons) {
        const d = v.dismissed(s.idx);
        same &&= m.dismissed === d;
        m.dismissed = d;
      }
    }
    if (r.reasons) same &&= m.reasons === reasons;
    m.reasons = reasons;
    return same;
  }
}

export const DECIDED_FROM_KINDS: StateKinds = { classes: [DecidedFrom, Inputs], constants: [] };
