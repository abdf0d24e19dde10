// The act stage: turns the engine's judgements and account records into gateway actions under a
// policy, on the event-time clock. It owns its state (each account's action in force, the shadow
// outcome, the identity things of operations already acted on, the mark ledger, exchanges served
// under each action) and hands out action changes as return values through `onAction`.
//
// Online honesty as for verdicts: an action at T is decided from records with ts <= T only — at a
// judgement (which has seen exactly those), or at an account record (its own ts).
import type { Reason } from '../core/reasons.js';
import type { CanonicalRecord, Millis } from '../core/records.js';
import { DAY } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import type { Campaign } from '../judge/campaign.js';
import type { Engine } from '../engine/engine.js';
import type { StageTimes } from '../core/stage-times.js';
import { identityKeys, dimensionOf } from '../link/dimensions.js';
import { decide, type AccountFacts, type Outcome } from './policy.js';
import { DecidedFrom } from './decided-from.js';
import { ACTIONS, PROTECTS, SEVERITY, type ActionName, type Policy, type Rule } from './policy-schema.js';
import type { StateKinds } from '../core/state-graph.js';

/** One change of an account's action (enforced) or of what the shadow rules would make it. */
export interface ActionChange {
  accountId: string;
  action: ActionName;
  from: ActionName;
  params: Record<string, unknown>;
  at: Millis;
  /** The rule that decided it; null when no rule matches any more (back to allow). */
  rule: string | null;
  mode: 'enforce' | 'shadow';
  reasons: readonly Reason[];
  campaignId: string | null;
  mark: string | null;
  suppressed: string[];
}

/** Who received which provenance marker, from when until when: cited by a later audit of a suspect model. */
export interface MarkEntry {
  accountId: string;
  marker: string;
  rule: string;
  from: Millis;
  /** null: still in force. */
  until: Millis | null;
}

/** An account's record shared an identity thing with an operation already acted on. */
export interface SignupLink {
  campaignId: string;
  /** The shared thing's dimension: payment, link (device, phone), signup_ip; or two burst traits joined by '+'. */
  via: string;
  at: Millis;
}

interface Current {
  action: ActionName;
  rule: Rule | undefined;
}

const ALLOW: Current = { action: 'allow', rule: undefined };
/** A sign-up network links only when this many accounts of the acted-on operation signed up from it that day. */
const SIGNUP_NETWORK_MIN = 2;
/** Identity things: one shared with an acted-on operation links a new account. */
const STRONG = new Set<string>(['payment', 'link', 'signup_ip']);
/**
 * Traits of a registration burst (the same 2-hour sign-up window, card issuer the same day, e-mail shape
 * and domain the same week): each is shared by chance, two at once with an acted-on operation are the
 * operation registering accounts in bulk (the judge links on two dimensions for the same reason).
 */
const BURST = new Set<string>(['signup_cohort', 'payment_bin', 'email_pattern']);
/**
 * A burst trait counts only when it is the operation's: held by at least this many of its accounts and
 * by at least this share of all accounts holding it (a common card issuer or e-mail shape is not).
 */
const BURST_MIN = 2;
const PAYING = new Set<string>(['paid', 'enterprise', 'reseller']);
const BURST_SHARE = 0.5;

export class PolicyStage {
  private policy: Policy;
  private readonly enforced: (Current | undefined)[] = [];
  private readonly shadow: (Current | undefined)[] = [];
  private readonly linked: (SignupLink | undefined)[] = [];
  /** Exchanges served by account index, per action in force when served (ACTIONS order). */
  readonly served: Uint32Array[] = ACTIONS.map(() => new Uint32Array(0));
  /** Action in force at each account's first exchange (index into ACTIONS), -1 before it. */
  private firstServed = new Int8Array(0);
  /** Campaigns with a member under an enforced degrade, hold or block: id → first time. */
  readonly actedOn = new Map<string, Millis>();
  /** Identity keys of accounts in acted-on operations → the campaign and how many accounts share it. */
  private readonly tainted = new Map<string, { campaignId: string; accounts: number }>();
  private readonly taintedAccounts = new Set<number>();
  readonly marks: MarkEntry[] = [];
  private readonly openMark = new Map<number, MarkEntry>();
  private readonly listeners: ((c: ActionChange) => void)[] = [];
  private readonly keys: string[] = [];
  /** Accounts just linked through a newly tainted identity thing, to evaluate before the judgement ends. */
  private readonly linkedNow: AccountState[] = [];
  private readonly stamp: number[] = [];
  /** Campaign roots whose members were added in a pass (judged), by root index. */
  private readonly expanded: number[] = [];
  private pass = 0;
  private readonly decidedFrom = new DecidedFrom();

  constructor(
    private readonly engine: Engine,
    policy: Policy,
    /** Charge wall time to the `act` stage (bench:perf, scan --stage-times). */
    private readonly times?: StageTimes,
  ) {
    this.policy = policy;
    engine.onJudgement((at, judged) => {
      const t0 = times ? performance.now() : 0;
      this.judged(at, judged);
      times?.add('act', t0);
    });
  }

  get current(): Policy {
    return this.policy;
  }

  onAction(l: (c: ActionChange) => void): void {
    this.listeners.push(l);
  }

  /**
   * A new policy from event time `at` on: every account with a non-default outcome, and every account
   * any rule could now match, is re-evaluated at once (a reload takes effect without waiting for traffic).
   */
  replace(policy: Policy, at: Millis): void {
    this.policy = policy;
    this.evaluate(this.engine.observer.list, at);
  }

  /** Feeds a record the engine has just consumed (call after `engine.push(rec)`). */
  push(rec: CanonicalRecord): void {
    const times = this.times;
    if (!times) return this.consume(rec);
    const t0 = performance.now();
    this.consume(rec);
    times.add('act', t0);
  }

  private consume(rec: CanonicalRecord): void {
    const s = this.engine.observer.accounts.get(rec.accountId);
    if (!s) return;
    if (rec.kind === 'exchange') {
      const a = SEVERITY[(this.enforced[s.idx] ?? ALLOW).action];
      if (this.served[a].length <= s.idx) this.grow(s.idx);
      this.served[a][s.idx]++;
      if (this.firstServed[s.idx] < 0) this.firstServed[s.idx] = a;
      return;
    }
    // An account record: does it share an identity thing with an operation already acted on?
    if (this.tainted.size === 0 || this.linked[s.idx] !== undefined || this.taintedAccounts.has(s.idx)) return;
    const link = this.signupLink(s, rec.ts);
    if (!link) return;
    this.linked[s.idx] = link;
    this.evaluate([s], rec.ts);
  }

  /** The action in force for an account now (allow when unknown). */
  actionOf(idx: number): { action: ActionName; rule: Rule | undefined } {
    return this.enforced[idx] ?? ALLOW;
  }

  signupLinkOf(idx: number): SignupLink | undefined {
    return this.linked[idx];
  }

  /** The action in force at the account's first exchange; undefined if it sent none. */
  firstServedAction(idx: number): ActionName | undefined {
    const a = this.firstServed[idx];
    return a === undefined || a < 0 ? undefined : ACTIONS[a];
  }

  private judged(at: Millis, judged: readonly AccountState[]): void {
    // The judged accounts, and every member of their campaigns: a campaign's evidence, flag or
    // enforcement changes what applies to members that sent nothing since.
    const list: AccountState[] = [];
    const pass = ++this.pass;
    const add = (s: AccountState): void => {
      if (this.stamp[s.idx] === pass) return;
      this.stamp[s.idx] = pass;
      list.push(s);
    };
    const { linker, observer } = this.engine;
    for (const s of judged) {
      add(s);
      if (!this.engine.judge.campaignOf(s)) continue;
      // Each campaign's members once a judgement, however many of them were judged.
      const root = linker.uf.find(s.idx);
      if (this.expanded[root] === pass) continue;
      this.expanded[root] = pass;
      for (const i of linker.uf.membersOf(root)) add(observer.list[i]);
    }
    this.evaluate(list, at);
  }

  private evaluate(list: readonly AccountState[], at: Millis): void {
    const before = this.actedOn.size;
    for (const s of list) this.evaluateOne(s, at);
    if (this.actedOn.size !== before) this.evaluateActedOn(list, at);
    this.evaluateLinked(at);
  }

  private evaluateActedOn(list: readonly AccountState[], at: Millis): void {
    // A campaign was acted on just now: its other members are re-evaluated under `campaign.acted_on`.
    const again: AccountState[] = [];
    const seen = new Set<number>();
    for (const s of list) {
      const c = this.engine.judge.campaignOf(s);
      if (!c || this.actedOn.get(c.id) !== at || seen.has(s.idx)) continue;
      for (const m of this.membersOf(s)) {
        if (seen.has(m.idx)) continue;
        seen.add(m.idx);
        again.push(m);
      }
    }
    for (const s of again) this.evaluateOne(s, at);
  }

  /** Accounts that signed up earlier on a thing the operation is now known by: decided now, in turn lending their own. */
  private evaluateLinked(at: Millis): void {
    while (this.linkedNow.length > 0) this.evaluateOne(this.linkedNow.pop()!, at);
  }

  private evaluateOne(s: AccountState, at: Millis): void {
    const campaign = this.engine.judge.campaignOf(s);
    const actedOn = campaign !== undefined && this.actedOn.has(campaign.id);
    if (this.decidedFrom.unchanged(this.policy, s, this.engine.judge.verdicts, campaign, actedOn, this.linked[s.idx], this.engine.judge.decisions.isConfirmed(s.idx))) return;
    const f = this.facts(s, campaign, at);
    const enforced = decide(this.policy, f, (r) => r.mode === 'enforce');
    const all = decide(this.policy, f, () => true);
    this.apply(s, f, enforced, 'enforce', at);
    this.apply(s, f, all, 'shadow', at);
    const c = f.campaign;
    if (c && PROTECTS.has((this.enforced[s.idx] ?? ALLOW).action)) {
      if (!this.actedOn.has(c.id)) this.actedOn.set(c.id, at);
    }
    // Members of acted-on operations lend their identity things to the sign-up check.
    const via = c && this.actedOn.has(c.id) ? c.id : this.linked[s.idx] && PROTECTS.has((this.enforced[s.idx] ?? ALLOW).action) ? this.linked[s.idx]!.campaignId : undefined;
    if (via !== undefined && !this.taintedAccounts.has(s.idx)) {
      this.taintedAccounts.add(s.idx);
      for (const k of identityKeys(s, this.engine.cfg.link.signupWindowMs, this.keys)) {
        const d = dimensionOf(k);
        if (!STRONG.has(d) && !BURST.has(d)) continue;
        const t = this.tainted.get(k) ?? { campaignId: via, accounts: 0 };
        t.accounts++;
        this.tainted.set(k, t);
        if (STRONG.has(d) && t.accounts === (d === 'signup_ip' ? SIGNUP_NETWORK_MIN : 1)) this.linkHolders(k, d, t.campaignId, at);
      }
    }
  }

  private apply(s: AccountState, f: AccountFacts, o: Outcome | undefined, mode: 'enforce' | 'shadow', at: Millis): void {
    const track = mode === 'enforce' ? this.enforced : this.shadow;
    const prev = track[s.idx] ?? ALLOW;
    const next: Current = o?.rule ? { action: o.rule.action, rule: o.rule } : ALLOW;
    if (sameEffect(prev, next)) {
      track[s.idx] = next.rule === undefined && prev.rule === undefined ? prev : next;
      return;
    }
    track[s.idx] = next;
    // The shadow track speaks only where a shadow rule makes (or made) the difference.
    if (mode === 'shadow' && next.rule?.mode !== 'shadow' && prev.rule?.mode !== 'shadow') return;
    if (mode === 'enforce') this.ledger(s, next, at);
    const change: ActionChange = {
      accountId: s.id,
      action: next.action,
      from: prev.action,
      params: next.rule ? { ...next.rule.params } : {},
      at,
      rule: next.rule?.id ?? null,
      mode,
      reasons: f.reasons,
      campaignId: f.campaign?.id ?? null,
      mark: next.rule?.mark?.marker ?? null,
      suppressed: o?.suppressed ?? [],
    };
    for (const l of this.listeners) l(change);
  }

  private ledger(s: AccountState, next: Current, at: Millis): void {
    const open = this.openMark.get(s.idx);
    const marker = next.rule?.mark?.marker;
    if (open && open.marker === marker) return;
    if (open) {
      open.until = at;
      this.openMark.delete(s.idx);
    }
    if (marker && next.rule) {
      const e: MarkEntry = { accountId: s.id, marker, rule: next.rule.id, from: at, until: null };
      this.marks.push(e);
      this.openMark.set(s.idx, e);
    }
  }

  private facts(s: AccountState, c: Campaign | undefined, at: Millis): AccountFacts {
    const link = this.linked[s.idx];
    const v = this.engine.judge.verdicts;
    const own = v.reasons(s.idx);
    let reasons: readonly Reason[] = own;
    if (link) reasons = [...reasons, { code: 'linked_at_signup', weight: 0, detail: { campaign: link.campaignId, via: link.via, at: new Date(link.at).toISOString() } }];
    let analyst: AccountFacts['analyst'] = 'none';
    if (this.engine.judge.decisions.isConfirmed(s.idx)) analyst = 'confirmed';
    else if (own.some((r) => r.code === 'analyst_dismissed')) analyst = 'dismissed';
    return {
      accountId: s.id,
      orgId: s.orgId ?? s.exchangeOrg,
      at,
      verdict: v.verdict(s.idx),
      score: v.score(s.idx),
      reasons,
      campaign: c && { id: c.id, flagged: c.flaggedAt !== null, accounts: c.size, score: c.score, actedOn: this.actedOn.has(c.id) },
      plan: s.plan,
      verification: s.verification,
      ageDays: s.createdAt === undefined ? undefined : Math.max(0, (at - s.createdAt) / DAY),
      exchanges: s.exchanges,
      contentScore: v.harvest(s.idx),
      analyst,
      linkedAtSignup: link !== undefined,
    };
  }

  private signupLink(s: AccountState, at: Millis): SignupLink | undefined {
    let burst: { campaignId: string; dims: string[] } | undefined;
    for (const k of identityKeys(s, this.engine.cfg.link.signupWindowMs, this.keys)) {
      const t = this.tainted.get(k);
      if (!t) continue;
      const dim = dimensionOf(k);
      if (STRONG.has(dim)) {
        if (dim === 'signup_ip' && t.accounts < SIGNUP_NETWORK_MIN) continue;
        return { campaignId: t.campaignId, via: dim, at };
      }
      if (!BURST.has(dim) || t.accounts < BURST_MIN || t.accounts < BURST_SHARE * (this.holders(k) + 1)) continue;
      if (!burst) burst = { campaignId: t.campaignId, dims: [dim] };
      else if (!burst.dims.includes(dim)) burst.dims.push(dim);
    }
    // Burst traits link only accounts on a free plan or a sign-up program: an operation registers its
    // throwaway accounts there, and a paying customer who signs up in the middle of a burst is not one.
    if (!burst || burst.dims.length < 2 || PAYING.has(s.plan ?? 'free')) return undefined;
    return { campaignId: burst.campaignId, via: burst.dims.join('+'), at };
  }

  /**
   * Accounts registered before the operation was acted on (a farm's reserve) that hold an identity thing
   * it is now known by: linked now, before their first exchange if they have not sent one.
   */
  private linkHolders(key: string, dim: string, campaignId: string, at: Millis): void {
    const g = this.engine.linker.groups.get(key);
    if (!g) return;
    for (const idx of g.members) {
      if (this.linked[idx] !== undefined || this.taintedAccounts.has(idx)) continue;
      this.linked[idx] = { campaignId, via: dim, at };
      this.linkedNow.push(this.engine.observer.list[idx]);
    }
  }

  /**
   * Accounts holding a profile key as of the last judgement (the engine's group index). A key the index
   * does not hold (a group dropped for its size) counts as held by everyone: a common trait never links.
   */
  private holders(key: string): number {
    return this.engine.linker.groups.get(key)?.size ?? Infinity;
  }

  private membersOf(s: AccountState): AccountState[] {
    const { linker, observer } = this.engine;
    return linker.uf.membersOf(linker.uf.find(s.idx)).map((i: number) => observer.list[i]);
  }

  private grow(idx: number): void {
    const n = Math.max(1024, (idx + 1) * 2);
    for (let a = 0; a < this.served.length; a++) {
      const next = new Uint32Array(n);
      next.set(this.served[a]);
      this.served[a] = next;
    }
    const f = new Int8Array(n).fill(-1);
    f.set(this.firstServed);
    this.firstServed = f;
  }
}

function sameEffect(a: Current, b: Current): boolean {
  if (a.action !== b.action) return false;
  if (a.rule === b.rule) return true;
  return JSON.stringify(a.rule?.params ?? {}) === JSON.stringify(b.rule?.params ?? {}) && a.rule?.mark?.marker === b.rule?.mark?.marker;
}

/** For a checkpoint: the stage's classes and the shared `allow` answer. */
export const POLICY_STAGE_KINDS: StateKinds = { classes: [PolicyStage], constants: [ALLOW] };
