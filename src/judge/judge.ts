// judge: runs on the event-time clock, in the steps Engine.judgeAt composes with link's: scores the
// accounts touched since the last judgement (judgeAccount), evaluates the groups link marked dirty
// (scoreGroups), and, once link has joined members of suspicious groups, scores the linked sets it
// touched and records verdicts (judgeSets). It reads link's groups and sets through LinkView and
// answers link's questions as LinkFeedback; it never calls link's operations.
// flagged_at is the judgement time T: only records with ts <= T have been observed (online honesty).
import type { ScoringParams, TraceInversionParams } from '../config/scoring.js';
import { sortReasons, type LinkDetail, type Reason } from '../core/reasons.js';
import type { Millis } from '../core/records.js';
import type { VerdictLevel } from '../core/output.js';
import { HOUR } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import type { Observer } from '../observe/observer.js';
import { DIMENSION_BIT, DIMENSIONS } from '../link/dimensions.js';
import type { Group, MembershipMoves } from '../link/groups.js';
import type { LinkFeedback, LinkView } from '../link/linker.js';
import type { SignalContext } from '../signals/signal.js';
import { CoordinationScratch } from '../signals/coordination.js';
import { SIGNALS } from '../signals/registry.js';
import { RECONSTRUCTION } from '../signals/content.js';
import { Campaign } from './campaign.js';
import { evaluateGroup } from './group-suspicion.js';
import { countTally, memberJoined, memberLeft, syncFlags } from './group-aggregates.js';
import { PendingExchanges } from './pending-exchanges.js';
import { AccountVerdicts, NO_REASONS } from './account-verdicts.js';
import { MemberReasons, StrongestWeights, strongestPerCode } from './member-reasons.js';
import { GroupScores } from './group-scores.js';
import { CampaignCoverage, campaignCoverage } from './campaign-coverage.js';
import { REASONING_MASK } from '../observe/observer.js';
import type { PeerEvidence } from './peer.js';
import type { StageTimes } from '../core/stage-times.js';
import { confirmationWeight, DecisionBook, type DecisionAction } from './decisions.js';
import type { JudgeConfig } from './config.js';

export interface VerdictChange {
  account: AccountState;
  from: VerdictLevel;
  to: VerdictLevel;
  at: Millis;
}

/** What scoring the dirty groups of a judgement found (Judge.scoreGroups). */
export interface GroupsJudged {
  /** Groups that have just become suspicious: link tests every member. */
  readonly crossed: readonly Group[];
  /** Groups not due for re-evaluation: they stay dirty until a later judgement. */
  readonly deferred: readonly Group[];
}

export class Judge implements LinkFeedback {
  /** What the judge concluded about each account (scores, verdicts, reasons, flag times), by account index. */
  readonly verdicts = new AccountVerdicts();
  /** What the judge keeps about each group (suspicion, member sums, detail), by group slot. */
  readonly groupScores = new GroupScores();
  /** The judgement of each linked set, by its id (Linker.setOf). */
  readonly campaigns = new Map<string, Campaign>();
  private ownReasons: (readonly Reason[])[] = [];
  private readonly scratch: AccountState[] = [];
  /** Working arrays of the co-activity measure (lockstep, load balancing) of the groups it scores. */
  private readonly coactivity = new CoordinationScratch();
  /** Campaign id an account inherited infrastructure from, by account index. */
  private readonly inherited: (string | undefined)[] = [];
  private readonly inheritedReasons: (Reason & { code: 'inherited_infrastructure' } | undefined)[] = [];
  private readonly weights = new StrongestWeights();
  /** Exchanges observed since the last judgement, counted into groups and campaigns at the next. */
  private readonly pending = new PendingExchanges();
  /** Analyst decisions in force (see ./decisions.ts). */
  readonly decisions = new DecisionBook();
  /** What each judged set of linked accounts asks for as a whole, kept current. */
  readonly coverage = new CampaignCoverage();
  /** linkReasons' scratch: the strongest suspicious group per dimension, and the dimensions seen in order. */
  private readonly bestByDim: (Group | undefined)[] = [];
  private readonly dimsSeen: number[] = [];
  /** Each campaign member's link reasons at its last verdict (memberLinks), by account index. */
  private readonly lastLinks: (readonly Reason[] | undefined)[] = [];
  /**
   * The suspicious groups of accounts that link or are judged in campaigns, in the order of their refs:
   * valid while the refs array is the same one and none of its groups crossed scoring.suspicionMin. Campaign
   * members are re-judged every tick, and most of their groups (scaffolds, clients) are not suspicious.
   */
  private readonly suspicious: ({ from: readonly Group[]; groups: Group[] } | undefined)[] = [];

  readonly harvestMin: number;
  readonly suspicionMin: number;
  private readonly scoring: ScoringParams;
  private readonly flagsOf = (idx: number): number => this.verdicts.groupFlags(idx);

  constructor(
    private readonly cfg: JudgeConfig,
    private readonly observer: Observer,
    /** What link concluded (groups, linked sets): read, never changed, by the judge. */
    private readonly links: LinkView,
    private readonly peer?: PeerEvidence,
    private readonly times?: StageTimes,
  ) {
    this.scoring = cfg.scoring;
    this.harvestMin = cfg.scoring.harvestMin;
    this.suspicionMin = cfg.scoring.suspicionMin;
  }

  /** An exchange just observed: its account's groups and campaign count it at the next judgement (./pending-exchanges.ts). */
  countExchange(s: AccountState, mask: number, item: number, ts: Millis): void {
    this.pending.add(s.idx, mask, (mask & REASONING_MASK) !== 0, item, Math.floor(ts / HOUR) % 24);
  }

  /** A judgement's first step: the exchanges since the last one into the member sums of their accounts' groups and campaigns. */
  countPending(): void {
    const times = this.times;
    const t = times ? performance.now() : 0;
    this.pending.flush((tally) => {
      countTally(this.links.refs(tally.idx), this.groupScores, tally);
      this.coverage.countTally(this.links.find(tally.idx), tally);
    });
    times?.add('observe', t); // counting exchanges into sums was observe's share before it was batched
  }

  /**
   * A judgement's first step, per account touched since the last one: its signals give its content
   * score and own reasons, and its flags in the member sums of its (current) groups are brought up to
   * date before link moves it between groups (`membersMoved`).
   */
  judgeAccount(s: AccountState, now: Millis): void {
    const times = this.times;
    const t = times ? performance.now() : 0;
    const reasons: Reason[] = [];
    const ctx = this.ctx(now);
    for (const sig of SIGNALS) sig.evaluate(s, ctx, reasons);
    let capability = 0;
    let knobs = 0;
    for (const r of reasons) {
      if (CAPABILITY_CODES.has(r.code)) capability += r.weight;
      else if (CONTENT_CODES.has(r.code)) knobs += r.weight;
    }
    // Knobs (maxed budgets, single turns, many samples) only amplify what is asked for: a developer
    // who always sets max_tokens to the ceiling is not harvesting capabilities by that alone.
    const harvest = 1 - Math.exp(-(capability + Math.min(knobs, capability + this.scoring.knobAlone)) / this.scoring.harvestScale);
    this.verdicts.setHarvest(s.idx, harvest);
    // Peer indicators are evidence like any other, weighed by the peer hook (corroboration, allowlist).
    this.peer?.evaluate(s, harvest >= this.harvestMin, now, reasons);
    this.ownReasons[s.idx] = reasons.length === 0 ? NO_REASONS : reasons; // most accounts have none
    syncFlags(s, this.links.refs(s.idx), this.groupScores, this.verdicts, this.scoring);
    times?.add('judge.signals', t);
  }

  /** The signal context of a judgement at `now` (one object per judgement, not per account). */
  private ctx(now: Millis): SignalContext {
    if (this.signalCtx?.now !== now) this.signalCtx = { now, scoring: this.scoring };
    return this.signalCtx;
  }
  private signalCtx: SignalContext | undefined;

  /** Link moved the account between groups (Linker.update): its contribution to their member sums moves with it. */
  membersMoved(s: AccountState, moves: MembershipMoves): void {
    if (moves.left.length === 0 && moves.joined.length === 0) return;
    const flags = this.verdicts.groupFlags(s.idx);
    for (const g of moves.left) memberLeft(this.groupScores.of(g.slot), s, flags);
    for (const g of moves.joined) memberJoined(this.groupScores.of(g.slot), s, flags);
  }

  /**
   * The groups link marked dirty since the last judgement: re-evaluates the suspicion of those due.
   * Returns the groups that have just become suspicious (link tests all their members) and those not
   * due yet, which stay dirty (link keeps them for the next judgement).
   */
  scoreGroups(now: Millis, dirty: readonly Group[]): GroupsJudged {
    const times = this.times;
    const t = times ? performance.now() : 0;
    const accounts = this.observer.list;
    const { suspicionMin } = this;
    const hour = Math.floor(now / HOUR);
    const crossed: Group[] = [];
    const deferred: Group[] = [];
    const scores = this.groupScores;
    for (const g of dirty) {
      // Members' aggregates move slowly: re-evaluate a group on a join or leave (small groups) or every
      // scoring.reevaluateMs (large groups less often still); until then it keeps its last suspicion.
      const due = now >= scores.nextEval(g.slot) || (g.membershipChanged && g.members.size <= this.cfg.scoring.bigGroup);
      if (!due) {
        deferred.push(g);
        continue;
      }
      g.membershipChanged = false;
      scores.setNextEval(g.slot, now + Math.max(this.cfg.scoring.reevaluateMs, this.cfg.judgeIntervalMs * Math.min(this.scoring.reevaluateMaxTicks, Math.ceil(g.members.size / this.cfg.scoring.bigGroup))));
      const was = scores.suspicion(g.slot) >= suspicionMin;
      let listed = false;
      const members = (): AccountState[] => {
        // Listed only when the scoring needs more than the group's sums, once per evaluation.
        if (!listed) {
          this.scratch.length = 0;
          for (const i of g.members) this.scratch.push(accounts[i]);
          listed = true;
        }
        return this.scratch;
      };
      const suspicion = evaluateGroup(g, scores, members, this.flagsOf, this.cfg.link.maxGroupSize, hour, this.cfg.scoring, this.coactivity);
      scores.setSuspicion(g.slot, suspicion);
      const is = suspicion >= suspicionMin;
      if (is !== was) for (const i of g.members) this.suspicious[i] = undefined;
      if (!was && is) crossed.push(g);
    }
    times?.add('judge.groups', t);
    return { crossed, deferred };
  }

  /**
   * The judgement's last step: scores the campaigns of the linked sets link touched (Linker.linkSuspicious)
   * and records their members' verdicts. Returns the verdicts that changed.
   */
  judgeSets(now: Millis, touchedRoots: ReadonlySet<number>): VerdictChange[] {
    const times = this.times;
    const t = times ? performance.now() : 0;
    const changes: VerdictChange[] = [];
    const { links } = this;
    const min = this.cfg.link.minCampaignAccounts;
    for (const root of touchedRoots) {
      if (links.find(root) !== root) continue;
      const members = this.listOf(root);
      const campaign = this.campaignOfRoot(root);
      if (campaign && members.length >= min) this.evaluateCampaign(campaign, root, members, now);
      for (const s of members) this.verdict(s, campaign && members.length >= min ? campaign : undefined, now, changes);
    }
    times?.add('judge.verdicts', t);
    return changes;
  }

  /** Slots of groups link dropped (Linker.releaseDropped): what the judge kept by them goes. */
  forgetGroups(slots: readonly number[]): void {
    this.groupScores.release(slots);
  }

  harvest(idx: number): number {
    return this.verdicts.harvest(idx);
  }

  /** An account's content score, or what being dealt payloads by one work queue counts as (the higher). */
  private content(idx: number): number {
    return Math.max(this.verdicts.harvest(idx), this.links.pipelines.harvest(idx));
  }

  suspicion(g: Group): number {
    return this.groupScores.suspicion(g.slot);
  }

  minLinkExchanges(idx: number): number {
    return this.minExchanges(this.observer.list[idx], this.cfg.scoring.minLinkExchanges);
  }

  /** Two linked sets merge (Linker.link): the judge's per-set state follows. */
  merge(ra: number, rb: number, union: () => number): number {
    const { links } = this;
    const ca = this.campaignOfRoot(ra, false);
    const cb = this.campaignOfRoot(rb, false);
    // Accounts joining an already flagged campaign inherit its infrastructure or pipeline.
    const flaggedA = ca?.flaggedAt != null && (ca.size >= this.cfg.link.minCampaignAccounts);
    const flaggedB = cb?.flaggedAt != null && (cb.size >= this.cfg.link.minCampaignAccounts);
    if (flaggedA !== flaggedB) {
      const heir = flaggedA ? rb : ra;
      const from = (flaggedA ? ca : cb)!.id;
      for (const m of links.membersOf(heir)) this.inherited[m] ??= from;
    }
    const coverage = this.coverage.detach(ra, rb, () => this.listOf(ra), () => this.listOf(rb));
    const root = union();
    if (coverage) this.coverage.attach(root, coverage);
    // The surviving set keeps its id, and its campaign its flag time; the other's judgement is gone.
    const kept = links.setOf(root)!.id;
    if (ca && ca.id !== kept) this.campaigns.delete(ca.id);
    if (cb && cb.id !== kept) this.campaigns.delete(cb.id);
    return root;
  }

  /** The campaign judging root's linked set (made on first use; none for an account never linked). */
  private campaignOfRoot(root: number, make = true): Campaign | undefined {
    const set = this.links.setOf(root);
    if (set === undefined) return undefined;
    let c = this.campaigns.get(set.id);
    if (c === undefined && make) this.campaigns.set(set.id, (c = new Campaign(set.id, set.createdAt)));
    return c;
  }

  suspiciousRefs(idx: number): readonly Group[] {
    const refs = this.links.refs(idx);
    let c = this.suspicious[idx];
    if (c === undefined || c.from !== refs) {
      const groups: Group[] = [];
      for (const g of refs) if (this.suspicion(g) >= this.suspicionMin) groups.push(g);
      this.suspicious[idx] = c = { from: refs, groups };
    }
    return c.groups;
  }

  private listOf(root: number): AccountState[] {
    return this.links.membersOf(root).map((i) => this.observer.list[i]);
  }

  private evaluateCampaign(c: Campaign, root: number, members: AccountState[], now: Millis): void {
    c.dims.clear();
    let lockstep = false;
    let loadBalanced = false;
    let relTotal = 0;
    let relNew = 0;
    for (const s of members) {
      relTotal += s.releaseWindowTotal;
      relNew += s.releaseWindowOnNew;
      for (const g of this.suspiciousRefs(s.idx)) {
        const suspicion = this.suspicion(g);
        const sc = this.groupScores.of(g.slot);
        lockstep ||= sc?.lockstep ?? false;
        loadBalanced ||= sc?.loadBalanced ?? false;
        let d = c.dims.get(g.dim);
        if (!d) {
          d = { suspicion: 0, accounts: 0, keys: new Set() };
          c.dims.set(g.dim, d);
        }
        d.suspicion = Math.max(d.suspicion, suspicion);
        d.accounts++;
        d.keys.add(g.key);
      }
    }
    const n = members.length;
    const p = this.scoring.campaign;
    const shared: Reason[] = [{ code: 'campaign_member', weight: p.memberBase + p.memberRange * Math.min(1, (n - 2) / p.memberFullAt), detail: { campaign: c.id, accounts: n } }];
    if (lockstep) shared.push({ code: 'lockstep', weight: p.lockstepWeight, detail: { accounts: n } });
    if (loadBalanced) shared.push({ code: 'load_balanced', weight: p.loadBalancedWeight, detail: { accounts: n } });
    if (relTotal >= p.releaseMinExchanges && relNew / relTotal >= p.releaseShare) {
      shared.push({ code: 'model_release_pivot', weight: p.releaseWeight, detail: { share_on_new_model: relNew / relTotal } });
    }
    const coverage = campaignCoverage(this.coverage.of(root, members), n, p, this.scoring.content.breadthShare);
    if (coverage) shared.push(coverage);
    this.links.pipelines.reasons(members, shared);
    const confirmed = this.decisions.confirmedAmong(members);
    if (confirmed > 0) shared.push({ code: 'analyst_confirmed', weight: confirmationWeight(confirmed, p), detail: { accounts: confirmed } });
    const reasons = [...shared];
    for (const [dim, d] of c.dims) {
      reasons.push({
        code: DIMENSIONS[dim].reason,
        weight: this.scoring.dimensions[dim] * Math.min(1, p.dimensionGain * d.suspicion),
        detail: { dimension: dim, accounts: d.accounts, shared_values: d.keys.size, suspicion: d.suspicion },
      });
    }
    let w = 0;
    for (const r of reasons) w += r.weight;
    c.shared = shared;
    // Every dimension's evidence counts in the score, but a code is listed once, at its strongest: two
    // dimensions share one reason code (signup_ip and signup_cohort are both `signup_burst`).
    c.reasons = sortReasons(strongestPerCode(reasons));
    c.size = n;
    let content = 0;
    for (const s of members) content += this.content(s.idx);
    const meanContent = content / n;
    c.score = (1 - Math.exp(-w / this.scoring.scoreScale)) * Math.min(1, meanContent / this.harvestMin);
    if (c.score >= this.cfg.thresholds.distillation && c.flaggedAt === null) c.flaggedAt = now;
  }

  /** The account's own links: per dimension, its most suspicious shared thing. */
  private linkReasons(s: AccountState, out: Reason[]): void {
    this.emitLinks(this.gatherLinks(s), out);
  }

  /**
   * linkReasons' first half: per dimension, the account's most suspicious group into bestByDim, the
   * dimensions in the order they first appear into dimsSeen (arrays, not a Map per account per
   * judgement). Returns how many suspicious template groups it holds. emitLinks or sameLinks reads it.
   */
  private gatherLinks(s: AccountState): number {
    const best = this.bestByDim;
    const seen = this.dimsSeen;
    seen.length = 0;
    let templates = 0;
    for (const g of this.suspiciousRefs(s.idx)) {
      if (g.dim === 'template') templates++;
      const k = DIMENSION_BIT[g.dim];
      const b = best[k];
      if (b === undefined) {
        best[k] = g;
        seen.push(k);
      } else if (this.suspicion(g) > this.suspicion(b)) best[k] = g;
    }
    return templates;
  }

  /** The weight of the link reason of group `g` (the strongest of its dimension), `templates` as gatherLinks counted. */
  private linkWeight(g: Group, suspicion: number, templates: number): number {
    const p = this.scoring.campaign;
    let weight = this.scoring.dimensions[g.dim] * Math.min(1, p.dimensionGain * suspicion);
    // Several of a pipeline's scaffolds in one account say more than one: up to twice the weight.
    if (g.dim === 'template') weight *= Math.min(p.templatesMax, templates / p.templatesPer);
    return weight;
  }

  /** linkReasons' second half: a reason per gathered dimension, in order; clears bestByDim. */
  private emitLinks(templates: number, out: Reason[]): void {
    const best = this.bestByDim;
    for (const k of this.dimsSeen) {
      const g = best[k]!;
      best[k] = undefined;
      const dim = g.dim;
      const suspicion = this.suspicion(g);
      const weight = this.linkWeight(g, suspicion, templates);
      const detail: LinkDetail = { dimension: dim, accounts: g.members.size, suspicion };
      if (dim === 'template') detail.shared_values = templates;
      out.push({ code: DIMENSIONS[dim].reason, weight, detail });
    }
  }

  /**
   * Whether `prev` holds exactly the reasons emitLinks would build from what gatherLinks gathered (same
   * codes, weights and details, in the same order). Leaves bestByDim as it is.
   */
  private sameLinks(prev: readonly Reason[], templates: number): boolean {
    const seen = this.dimsSeen;
    if (prev.length !== seen.length) return false;
    for (let i = 0; i < seen.length; i++) {
      const g = this.bestByDim[seen[i]]!;
      const r = prev[i];
      const d = r.detail as LinkDetail;
      const suspicion = this.suspicion(g);
      if (r.code !== DIMENSIONS[g.dim].reason || d.dimension !== g.dim || d.accounts !== g.members.size || d.suspicion !== suspicion) return false;
      if (d.shared_values !== (g.dim === 'template' ? templates : undefined)) return false;
      if (r.weight !== this.linkWeight(g, suspicion, templates)) return false;
    }
    return true;
  }

  private verdict(s: AccountState, c: Campaign | undefined, now: Millis, changes: VerdictChange[]): void {
    const own = this.ownReasons[s.idx] ?? [];
    const v = this.verdicts;
    const idx = s.idx;
    let cap: number;
    let w = 0;
    if (c) cap = this.content(idx) < this.cfg.scoring.contentGate || s.exchanges < this.minExchanges(s, this.cfg.scoring.minFlagExchanges) ? this.cfg.scoring.contentCap : 1;
    else cap = traceInversion(s, this.scoring.traceInversion) ? 1 : this.scoring.soloCap;
    if (c && !this.decisions.touches(idx)) {
      // A member without an analyst's decision: scored from the parts of its reasons, which are built
      // only when read (./member-reasons.ts).
      const reasons = new MemberReasons(own, c.shared, this.memberLinks(s), this.inheritedReason(idx));
      w = reasons.weight(this.weights);
      v.setReasons(idx, reasons);
    } else {
      let reasons: Reason[];
      if (c) {
        reasons = [...own, ...c.shared];
        this.linkReasons(s, reasons);
        const inherited = this.inheritedReason(idx);
        if (inherited !== undefined) reasons.push(inherited);
        // One reason per code (own and campaign evidence, or two dimensions, can name the same thing).
        reasons = strongestPerCode(reasons);
      } else {
        reasons = [...own];
      }
      reasons = this.decisions.adjust(idx, reasons);
      if (this.decisions.isConfirmed(idx)) cap = 1;
      for (const r of reasons) w += r.weight;
      v.setReasons(idx, reasons.length === 0 ? NO_REASONS : sortReasons(strongestPerCode(reasons)));
    }
    const score = Math.min(cap, 1 - Math.exp(-w / this.cfg.scoring.scoreScale));
    v.setScore(idx, score);
    const { distillation, suspicious } = this.cfg.thresholds;
    const before = v.verdict(idx);
    let level: VerdictLevel = score >= distillation ? 'distillation' : score >= suspicious ? 'suspicious' : 'benign';
    if (before === 'distillation' || this.decisions.isConfirmed(idx)) level = 'distillation'; // enforcement is sticky
    if (level !== 'benign') v.markSuspicious(idx, now);
    if (level === 'distillation') v.markFlagged(idx, now, s.exchanges);
    if (level !== before) {
      v.setVerdict(idx, level);
      changes.push({ account: s, from: before, to: level, at: now });
    }
  }

  /** The infrastructure an account inherited from a flagged campaign, as a reason (one object, kept). */
  private inheritedReason(idx: number): Reason | undefined {
    const from = this.inherited[idx];
    if (from === undefined) return undefined;
    let r = this.inheritedReasons[idx];
    if (r === undefined || r.detail.campaign !== from) {
      r = { code: 'inherited_infrastructure', weight: this.scoring.campaign.inheritedWeight, detail: { campaign: from } };
      this.inheritedReasons[idx] = r;
    }
    return r;
  }

  /**
   * The member's own link reasons (linkReasons), in a list of their own. A member judged again with the
   * same links (its strongest groups per dimension unchanged in suspicion and size: most members, most
   * judgements) gets the list of its last verdict back, the same reasons without building them again;
   * the lists are never changed once made (MemberReasons reads them as a snapshot).
   */
  private memberLinks(s: AccountState): readonly Reason[] {
    const templates = this.gatherLinks(s);
    const prev = this.lastLinks[s.idx];
    if (prev !== undefined && this.sameLinks(prev, templates)) {
      for (const k of this.dimsSeen) this.bestByDim[k] = undefined;
      return prev;
    }
    const reasons: Reason[] = [];
    this.emitLinks(templates, reasons);
    this.lastLinks[s.idx] = reasons;
    return reasons;
  }

  /**
   * An analyst's decision at event time `at`. Dismissal clears the verdict and its flag (new evidence
   * can flag again, with a new flag time); confirmation makes it distillation now. The next judgement
   * re-scores the account and its campaign with the decision in force.
   */
  decide(s: AccountState, action: DecisionAction, at: Millis): VerdictChange | undefined {
    const v = this.verdicts;
    const idx = s.idx;
    const before = v.verdict(idx);
    if (action === 'dismiss') {
      this.decisions.dismiss(idx, v.reasons(idx), at);
      v.setVerdict(idx, 'benign');
      v.setScore(idx, 0);
      v.clearFlags(idx);
      v.setReasons(idx, this.decisions.adjust(idx, []));
    } else if (action === 'confirm') {
      this.decisions.confirm(idx, at);
      v.setVerdict(idx, 'distillation');
      v.markFlagged(idx, at, s.exchanges);
      v.markSuspicious(idx, at);
    }
    const after = v.verdict(idx);
    return after === before ? undefined : { account: s, from: before, to: after, at };
  }

  /** Exchanges an account needs before its shares count: fewer when a peer already saw its operation. */
  private minExchanges(s: AccountState, local: number): number {
    return this.peer?.vouches(s) ? Math.min(local, this.peer.minExchanges) : local;
  }

  campaignOf(s: AccountState): Campaign | undefined {
    const c = this.campaignOfRoot(this.links.find(s.idx), false);
    return c && c.size >= this.cfg.link.minCampaignAccounts ? c : undefined;
  }
}

/**
 * The one pattern that convicts an account alone: reconstructing the reasoning behind completed answers
 * ("trace inversion") at volume, with harvesting knobs. Ordinary users practically never ask for it;
 * it is the DeepSeek-style harvest of reasoning traces from a model that hides them.
 */
function traceInversion(s: AccountState, p: TraceInversionParams): boolean {
  if (s.exchanges < p.minExchanges || s.capShare(RECONSTRUCTION) < p.reconstructionShare) return false;
  const knobs = [s.atCeiling, s.thinking, s.logprobs, s.multiSample].filter((c) => s.share(c) >= p.knobShare).length;
  return knobs >= p.knobs;
}

/** Content codes that say which capabilities are asked for (the rest are harvesting knobs). */
const CAPABILITY_CODES = new Set<string>(['reasoning_elicitation', 'reasoning_reconstruction', 'rubric_grading', 'capability_breadth']);

const CONTENT_CODES = new Set<string>(
  SIGNALS.filter((s) => s.family === 'content').flatMap((s) => s.codes as readonly string[]),
);

