// judge: runs on the event-time clock. Scores the accounts touched since the last judgement, evaluates
// the groups they share, links accounts through suspicious groups into campaigns, and records verdicts.
// flagged_at is the judgement time T: only records with ts <= T have been observed (online honesty).
import type { EngineConfig } from '../config/schema.js';
import { sortReasons, type LinkDetail, type Reason } from '../core/reasons.js';
import type { Millis } from '../core/records.js';
import type { VerdictLevel } from '../core/output.js';
import { DAY, HOUR } from '../core/time.js';
import { NO_REASONS, type AccountState } from '../observe/account-state.js';
import type { Observer } from '../observe/observer.js';
import { DIMENSIONS, type Dimension } from '../link/dimensions.js';
import { GroupIndex, type Group } from '../link/groups.js';
import { UnionFind } from '../link/union-find.js';
import { sharedKinds, type LinkRecord } from '../link/link-log.js';
import { SIGNALS } from '../signals/registry.js';
import { RECONSTRUCTION } from '../signals/content.js';
import { Campaign } from './campaign.js';
import { evaluateGroup, HARVEST_MIN, SUSPICION_MIN } from './group-suspicion.js';
import { countExchange, memberJoined, memberLeft, syncFlags } from './group-aggregates.js';
import { CampaignCoverage, campaignCoverage } from './campaign-coverage.js';
import { REASONING_MASK } from '../observe/observer.js';
import type { PeerEvidence } from './peer.js';
import type { StageTimes } from '../engine/stage-times.js';
import { confirmationWeight, DecisionBook, type DecisionAction } from './decisions.js';

/** Evidence (in nats) per unit of score: score = 1 - exp(-W / SCALE). */
const SCALE = 2.5;
/** Accounts alone, however they behave, are at most worth a review: distillation needs linking. */
const SOLO_CAP = 0.7;
/** Members whose own content is this weak are at most suspicious. */
const CONTENT_GATE = 0.3;
const CONTENT_CAP = 0.6;
/** Content score both accounts need to be linked by one identity thing alone. */
const CLEAR_HARVEST = 0.55;
/** Exchanges each side of a link needs. */
const MIN_LINK_EXCHANGES = 5;
/** Shares over fewer exchanges are noise: no enforcement before this many. */
const MIN_FLAG_EXCHANGES = 5;
/** Event time between re-evaluations of a group whose membership did not change. */
const REEVALUATE_MS = HOUR;
/** Groups above this size are re-evaluated every size/BIG_GROUP judgements at most. */
const BIG_GROUP = 64;
/** Distinct shared templates that link two throwaway-looking accounts on their own. */
const PIPELINE_TEMPLATES = 2;
/** Two established campaigns merge once this many accounts (and this share of the smaller) link across. */
const BRIDGE_MIN = 3;
const BRIDGE_SHARE = 0.3;
/** Members of a group each newcomer is tested against. */
const ANCHORS = 6;

export interface VerdictChange {
  account: AccountState;
  from: VerdictLevel;
  to: VerdictLevel;
  at: Millis;
}

export class Judge {
  readonly groups: GroupIndex;
  readonly uf = new UnionFind();
  /** Campaign by union-find root. */
  readonly campaigns = new Map<number, Campaign>();
  private campaignSeq = 0;
  private ownReasons: Reason[][] = [];
  private readonly scratch: AccountState[] = [];
  /** Accounts that linked across two established campaigns, by campaign pair, until they merge. */
  private readonly bridges = new Map<string, { a: Set<number>; b: Set<number> }>();
  /** Campaign id an account inherited infrastructure from, by account index. */
  private readonly inherited: (string | undefined)[] = [];
  /** Every union of two accounts' sets, with the shared things that linked them (bounded by accounts). */
  readonly linkLog: LinkRecord[] = [];
  /** Analyst decisions in force (see ./decisions.ts). */
  readonly decisions = new DecisionBook();
  /** What each judged set of linked accounts asks for as a whole, kept current. */
  readonly coverage = new CampaignCoverage();
  /** linkReasons' scratch: the strongest suspicious group per dimension, and the dimensions seen in order. */
  private readonly bestByDim: (Group | undefined)[] = [];
  private readonly dimsSeen: number[] = [];
  /**
   * The suspicious groups of accounts that link or are judged in campaigns, in the order of their refs:
   * valid while the refs array is the same one and none of its groups crossed SUSPICION_MIN. Campaign
   * members are re-judged every tick, and most of their groups (scaffolds, clients) are not suspicious.
   */
  private readonly suspicious: ({ from: readonly Group[]; groups: Group[] } | undefined)[] = [];

  constructor(
    private readonly cfg: EngineConfig,
    private readonly observer: Observer,
    private readonly peer?: PeerEvidence,
    private readonly times?: StageTimes,
  ) {
    const accounts = observer.list;
    this.groups = new GroupIndex(cfg.link.signupWindowMs, peer && ((key) => peer.isKnownTemplate(key)), {
      join: (g, idx) => memberJoined(g, accounts[idx]),
      leave: (g, idx) => memberLeft(g, accounts[idx]),
    });
  }

  /** An exchange just observed: its account's groups count it in their member sums. */
  countExchange(s: AccountState, mask: number, item: number, ts: Millis): void {
    const elicits = (mask & REASONING_MASK) !== 0;
    const hourOfDay = Math.floor(ts / HOUR) % 24;
    countExchange(this.groups.refs(s.idx), mask, elicits, item, hourOfDay);
    this.coverage.count(this.uf.find(s.idx), mask, elicits, item, hourOfDay);
  }

  run(now: Millis, dirtyAccounts: AccountState[]): VerdictChange[] {
    const ctx = { now };
    const accounts = this.observer.list;
    const times = this.times;
    let t = times ? performance.now() : 0;
    // 1. account evidence and link keys
    for (const s of dirtyAccounts) {
      const reasons: Reason[] = [];
      for (const sig of SIGNALS) sig.evaluate(s, ctx, reasons);
      let capability = 0;
      let knobs = 0;
      for (const r of reasons) {
        if (CAPABILITY_CODES.has(r.code)) capability += r.weight;
        else if (CONTENT_CODES.has(r.code)) knobs += r.weight;
      }
      // Knobs (maxed budgets, single turns, many samples) only amplify what is asked for: a developer
      // who always sets max_tokens to the ceiling is not harvesting capabilities by that alone.
      s.harvest = 1 - Math.exp(-(capability + Math.min(knobs, capability + KNOB_ALONE)) / 2);
      // Peer indicators are evidence like any other, weighed by the peer hook (corroboration, allowlist).
      this.peer?.evaluate(s, now, reasons);
      this.ownReasons[s.idx] = reasons.length === 0 ? NO_REASONS : reasons; // most accounts have none
      if (times) t = times.add('judge.signals', t);
      syncFlags(s, this.groups.refs(s.idx));
      this.groups.update(s);
      if (times) t = times.add('link.keys', t);
    }
    // 2. groups touched: re-evaluate; 3. link eligible members of suspicious groups
    const hour = Math.floor(now / HOUR);
    const touchedRoots = new Set<number>();
    const crossed: Group[] = [];
    for (const g of this.groups.takeDirty()) {
      // Members' aggregates move slowly: re-evaluate a group on a join or leave (small groups) or every
      // REEVALUATE_MS (large groups less often still); until then it keeps its last suspicion.
      const due = now >= g.nextEval || (g.membershipChanged && g.members.size <= BIG_GROUP);
      if (!due) {
        this.groups.touch(g);
        continue;
      }
      g.membershipChanged = false;
      g.nextEval = now + Math.max(REEVALUATE_MS, this.cfg.judgeIntervalMs * Math.min(24, Math.ceil(g.members.size / BIG_GROUP)));
      const was = g.suspicion >= SUSPICION_MIN;
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
      evaluateGroup(g, members, this.cfg.link.maxGroupSize, hour);
      const is = g.suspicion >= SUSPICION_MIN;
      if (is !== was) for (const i of g.members) this.suspicious[i] = undefined;
      if (!was && is) crossed.push(g);
    }
    if (times) t = times.add('judge.groups', t);
    // Link what changed: touched accounts through their suspicious groups, and every member of a
    // group that has just become suspicious.
    for (const s of dirtyAccounts) {
      for (const g of this.groups.refs(s.idx)) if (g.suspicion >= SUSPICION_MIN) this.tryLink(s.idx, g, now, touchedRoots);
    }
    for (const g of crossed) for (const idx of g.members) this.tryLink(idx, g, now, touchedRoots);
    for (const s of dirtyAccounts) touchedRoots.add(this.uf.find(s.idx));
    if (times) t = times.add('link.pairs', t);
    // 4. campaigns and verdicts
    const changes: VerdictChange[] = [];
    for (const root of touchedRoots) {
      if (this.uf.find(root) !== root) continue;
      const members = this.listOf(root);
      const campaign = this.campaigns.get(root);
      if (campaign && members.length >= this.cfg.link.minCampaignAccounts) this.evaluateCampaign(campaign, root, members, now);
      for (const s of members) this.verdict(s, campaign && members.length >= this.cfg.link.minCampaignAccounts ? campaign : undefined, now, changes);
    }
    times?.add('judge.verdicts', t);
    this.groups.releaseDropped();
    return changes;
  }

  /** Tests a member of a suspicious group against the group's anchors; links on a pairwise match. */
  private tryLink(idx: number, g: Group, now: Millis, touched: Set<number>): void {
    if (this.observer.list[idx].harvest < HARVEST_MIN) return;
    let linked = false;
    // Once idx cannot become an anchor, a test against an anchor already in its set can only add that
    // set's root to `touched`: skipped when the root is there already (most ticks of a campaign).
    const settled = g.anchors.length >= ANCHORS || g.anchors.includes(idx);
    for (const a of g.anchors) {
      if (a === idx) continue;
      if (settled) {
        const root = this.uf.find(idx);
        if (root === this.uf.find(a) && touched.has(root)) continue;
      }
      if (this.pairLinked(idx, a)) {
        touched.add(this.link(a, idx, now));
        linked = true;
      }
    }
    if (!linked && g.anchors.length < ANCHORS && !g.anchors.includes(idx)) g.anchors.push(idx);
  }

  /**
   * Two accounts are linked when they share one identity thing (a card, a device, a sign-up network)
   * or suspicious things along two different dimensions: the conjunction keeps two operations that
   * happen to use one public scaffold or one popular SDK apart.
   */
  private pairLinked(a: number, b: number): boolean {
    const accounts = this.observer.list;
    if (accounts[b].harvest < HARVEST_MIN) return false;
    // Shares over a handful of exchanges are noise, and links are forever.
    if (accounts[a].exchanges < this.minExchanges(accounts[a], MIN_LINK_EXCHANGES) || accounts[b].exchanges < this.minExchanges(accounts[b], MIN_LINK_EXCHANGES)) return false;
    let dims = 0;
    let templates = 0;
    // One identity thing alone (a lab machine, a family card) links only clear harvesters.
    const clear = Math.min(accounts[a].harvest, accounts[b].harvest) >= CLEAR_HARVEST;
    for (const g of this.suspiciousRefs(a)) {
      if (!g.members.has(b)) continue;
      if (DIMENSIONS[g.dim].strong && clear) return true;
      dims |= 1 << DIM_BIT[g.dim];
      if (g.dim === 'template') templates++;
    }
    if ((dims & (dims - 1)) !== 0) return true;
    // Several distinct scaffolds in common (a prompt's head and tail are two) are one pipeline, not a
    // public prompt — but only between throwaway-looking accounts: an evaluator with years of history
    // running a public benchmark prompt is not linked by its prompt alone.
    return templates >= PIPELINE_TEMPLATES && throwaway(accounts[a]) && throwaway(accounts[b]);
  }

  private link(a: number, b: number, now: Millis): number {
    const ra = this.uf.find(a);
    const rb = this.uf.find(b);
    if (ra === rb) return ra;
    const ca = this.campaigns.get(ra);
    const cb = this.campaigns.get(rb);
    if (ca && cb && !this.bridged(ca, cb, a, b, this.uf.membersOf(ra).length, this.uf.membersOf(rb).length)) return ra;
    // Accounts joining an already flagged campaign inherit its infrastructure or pipeline.
    const flaggedA = ca?.flaggedAt != null && (ca.size >= this.cfg.link.minCampaignAccounts);
    const flaggedB = cb?.flaggedAt != null && (cb.size >= this.cfg.link.minCampaignAccounts);
    if (flaggedA !== flaggedB) {
      const heir = flaggedA ? rb : ra;
      const from = (flaggedA ? ca : cb)!.id;
      for (const m of this.uf.membersOf(heir)) this.inherited[m] ??= from;
    }
    const coverage = this.coverage.detach(ra, rb, () => this.listOf(ra), () => this.listOf(rb));
    const root = this.uf.union(a, b);
    if (coverage) this.coverage.attach(root, coverage);
    this.linkLog.push({ a, b, at: now, kinds: sharedKinds(this.groups.refs(a), b, SUSPICION_MIN) });
    // The older campaign keeps its id and flag time.
    const keep = ca && cb ? (ca.createdAt <= cb.createdAt ? ca : cb) : (ca ?? cb ?? new Campaign(this.nextId(), now));
    this.campaigns.delete(ra);
    this.campaigns.delete(rb);
    this.campaigns.set(root, keep);
    return root;
  }

  /**
   * Two established campaigns merge only when many of their accounts link across, not on one pair:
   * with hundreds of throwaway accounts, some pair of two separate operations shares a scaffold and a
   * sign-up trait by coincidence. Counts the distinct accounts on each side that linked across.
   */
  private bridged(ca: Campaign, cb: Campaign, a: number, b: number, sizeA: number, sizeB: number): boolean {
    const min = this.cfg.link.minCampaignAccounts;
    if (sizeA < min || sizeB < min) return true;
    const key = ca.id < cb.id ? `${ca.id}|${cb.id}` : `${cb.id}|${ca.id}`;
    let bridge = this.bridges.get(key);
    if (!bridge) this.bridges.set(key, (bridge = { a: new Set(), b: new Set() }));
    const [sa, sb] = ca.id < cb.id ? [bridge.a, bridge.b] : [bridge.b, bridge.a];
    sa.add(a);
    sb.add(b);
    const need = Math.max(BRIDGE_MIN, BRIDGE_SHARE * Math.min(sizeA, sizeB));
    if (Math.min(sa.size, sb.size) < need) return false;
    this.bridges.delete(key);
    return true;
  }

  private nextId(): string {
    return `cmp_${(++this.campaignSeq).toString().padStart(5, '0')}`;
  }

  private suspiciousRefs(idx: number): readonly Group[] {
    const refs = this.groups.refs(idx);
    let c = this.suspicious[idx];
    if (c === undefined || c.from !== refs) {
      const groups: Group[] = [];
      for (const g of refs) if (g.suspicion >= SUSPICION_MIN) groups.push(g);
      this.suspicious[idx] = c = { from: refs, groups };
    }
    return c.groups;
  }

  private listOf(root: number): AccountState[] {
    return this.uf.membersOf(root).map((i) => this.observer.list[i]);
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
        lockstep ||= g.lockstep;
        loadBalanced ||= g.loadBalanced;
        let d = c.dims.get(g.dim);
        if (!d) {
          d = { suspicion: 0, accounts: 0, keys: new Set() };
          c.dims.set(g.dim, d);
        }
        d.suspicion = Math.max(d.suspicion, g.suspicion);
        d.accounts++;
        d.keys.add(g.key);
      }
    }
    const n = members.length;
    const shared: Reason[] = [{ code: 'campaign_member', weight: 0.5 + 0.5 * Math.min(1, (n - 2) / 8), detail: { campaign: c.id, accounts: n } }];
    if (lockstep) shared.push({ code: 'lockstep', weight: 0.4, detail: { accounts: n } });
    if (loadBalanced) shared.push({ code: 'load_balanced', weight: 0.4, detail: { accounts: n } });
    if (relTotal >= 20 && relNew / relTotal >= 0.3) {
      shared.push({ code: 'model_release_pivot', weight: 0.4, detail: { share_on_new_model: relNew / relTotal } });
    }
    const coverage = campaignCoverage(this.coverage.of(root, members), n);
    if (coverage) shared.push(coverage);
    const confirmed = this.decisions.confirmedAmong(members);
    if (confirmed > 0) shared.push({ code: 'analyst_confirmed', weight: confirmationWeight(confirmed), detail: { accounts: confirmed } });
    const reasons = [...shared];
    for (const [dim, d] of c.dims) {
      const spec = DIMENSIONS[dim];
      reasons.push({
        code: spec.reason,
        weight: spec.base * Math.min(1, 1.5 * d.suspicion),
        detail: { dimension: dim, accounts: d.accounts, shared_values: d.keys.size, suspicion: d.suspicion },
      });
    }
    let w = 0;
    for (const r of reasons) w += r.weight;
    c.shared = shared;
    c.reasons = sortReasons(reasons);
    c.size = n;
    let content = 0;
    for (const s of members) content += s.harvest;
    const meanContent = content / n;
    c.score = (1 - Math.exp(-w / SCALE)) * Math.min(1, meanContent / HARVEST_MIN);
    if (c.score >= this.cfg.thresholds.distillation && c.flaggedAt === null) c.flaggedAt = now;
  }

  /** The account's own links: per dimension, its most suspicious shared thing. */
  private linkReasons(s: AccountState, out: Reason[]): void {
    // Per dimension, in the order dimensions first appear (arrays, not a Map per account per judgement).
    const best = this.bestByDim;
    const seen = this.dimsSeen;
    seen.length = 0;
    let templates = 0;
    for (const g of this.suspiciousRefs(s.idx)) {
      if (g.dim === 'template') templates++;
      const k = DIM_BIT[g.dim];
      const b = best[k];
      if (b === undefined) {
        best[k] = g;
        seen.push(k);
      } else if (g.suspicion > b.suspicion) best[k] = g;
    }
    for (const k of seen) {
      const g = best[k]!;
      best[k] = undefined;
      const dim = g.dim;
      const spec = DIMENSIONS[dim];
      let weight = spec.base * Math.min(1, 1.5 * g.suspicion);
      const detail: LinkDetail = { dimension: dim, accounts: g.members.size, suspicion: g.suspicion };
      if (dim === 'template') {
        // Several of a pipeline's scaffolds in one account say more than one: up to twice the weight.
        weight *= Math.min(2, templates / 2);
        detail.shared_values = templates;
      }
      out.push({ code: spec.reason, weight, detail });
    }
  }

  private verdict(s: AccountState, c: Campaign | undefined, now: Millis, changes: VerdictChange[]): void {
    const own = this.ownReasons[s.idx] ?? [];
    let cap: number;
    let reasons: Reason[];
    if (c) {
      reasons = [...own, ...c.shared];
      this.linkReasons(s, reasons);
      const from = this.inherited[s.idx];
      if (from !== undefined) reasons.push({ code: 'inherited_infrastructure', weight: 0.5, detail: { campaign: from } });
      // One reason per code (own and campaign evidence, or two dimensions, can name the same thing).
      reasons = strongestPerCode(reasons);
      cap = s.harvest < CONTENT_GATE || s.exchanges < this.minExchanges(s, MIN_FLAG_EXCHANGES) ? CONTENT_CAP : 1;
    } else {
      reasons = [...own];
      cap = traceInversion(s) ? 1 : SOLO_CAP;
    }
    reasons = this.decisions.adjust(s.idx, reasons);
    if (this.decisions.isConfirmed(s.idx)) cap = 1;
    let w = 0;
    for (const r of reasons) w += r.weight;
    const score = Math.min(cap, 1 - Math.exp(-w / SCALE));
    s.score = score;
    s.reasons = reasons.length === 0 ? NO_REASONS : sortReasons(strongestPerCode(reasons));
    const { distillation, suspicious } = this.cfg.thresholds;
    const before = s.verdict;
    let level: VerdictLevel = score >= distillation ? 'distillation' : score >= suspicious ? 'suspicious' : 'benign';
    if (before === 'distillation' || this.decisions.isConfirmed(s.idx)) level = 'distillation'; // enforcement is sticky
    if (level !== 'benign' && s.suspiciousAt === null) s.suspiciousAt = now;
    if (level === 'distillation' && s.flaggedAt === null) {
      s.flaggedAt = now;
      s.exchangesAtFlag = s.exchanges;
    }
    if (level !== before) {
      s.verdict = level;
      changes.push({ account: s, from: before, to: level, at: now });
    }
  }

  /**
   * An analyst's decision at event time `at`. Dismissal clears the verdict and its flag (new evidence
   * can flag again, with a new flag time); confirmation makes it distillation now. The next judgement
   * re-scores the account and its campaign with the decision in force.
   */
  decide(s: AccountState, action: DecisionAction, at: Millis): VerdictChange | undefined {
    const before = s.verdict;
    if (action === 'dismiss') {
      this.decisions.dismiss(s.idx, s.reasons, at);
      s.verdict = 'benign';
      s.score = 0;
      s.flaggedAt = null;
      s.exchangesAtFlag = null;
      s.suspiciousAt = null;
      s.reasons = this.decisions.adjust(s.idx, []);
    } else if (action === 'confirm') {
      this.decisions.confirm(s.idx, at);
      s.verdict = 'distillation';
      if (s.flaggedAt === null) {
        s.flaggedAt = at;
        s.exchangesAtFlag = s.exchanges;
      }
      s.suspiciousAt ??= at;
    }
    return s.verdict === before ? undefined : { account: s, from: before, to: s.verdict, at };
  }

  /** Exchanges an account needs before its shares count: fewer when a peer already saw its operation. */
  private minExchanges(s: AccountState, local: number): number {
    return this.peer?.vouches(s) ? Math.min(local, this.peer.minExchanges) : local;
  }

  campaignOf(s: AccountState): Campaign | undefined {
    const root = this.uf.find(s.idx);
    const c = this.campaigns.get(root);
    return c && c.size >= this.cfg.link.minCampaignAccounts ? c : undefined;
  }
}

/**
 * The one pattern that convicts an account alone: reconstructing the reasoning behind completed answers
 * ("trace inversion") at volume, with harvesting knobs. Ordinary users practically never ask for it;
 * it is the DeepSeek-style harvest of reasoning traces from a model that hides them.
 */
function traceInversion(s: AccountState): boolean {
  if (s.exchanges < 50 || s.capShare(RECONSTRUCTION) < 0.2) return false;
  const knobs = [s.atCeiling, s.thinking, s.logprobs, s.multiSample].filter((c) => s.share(c) >= 0.5).length;
  return knobs >= 2;
}

/** One reason per code: an account's own evidence and its campaign's can name the same thing. */
function strongestPerCode(reasons: Reason[]): Reason[] {
  // A few dozen reasons at most: a linear scan beats a Map per account per judgement (kept in order of
  // each code's first appearance, the first of equal weights winning, as a Map would).
  const best: Reason[] = [];
  for (const r of reasons) {
    let k = 0;
    while (k < best.length && best[k].code !== r.code) k++;
    if (k === best.length) best.push(r);
    else if (r.weight > best[k].weight) best[k] = r;
  }
  return best.length === reasons.length ? reasons : best;
}

/** Fresh when it started sending, and not verified beyond e-mail or phone. */
function throwaway(s: AccountState): boolean {
  const v = s.verification ?? 'none';
  return v !== 'business' && v !== 'id' && s.createdAt !== undefined && s.firstTs - s.createdAt < 60 * DAY;
}

/** Content codes that say which capabilities are asked for (the rest are harvesting knobs). */
const CAPABILITY_CODES = new Set<string>(['reasoning_elicitation', 'reasoning_reconstruction', 'rubric_grading', 'capability_breadth']);
/** Knob evidence that counts without any capability evidence. */
const KNOB_ALONE = 0.5;

const CONTENT_CODES = new Set<string>(
  SIGNALS.filter((s) => s.family === 'content').flatMap((s) => s.codes as readonly string[]),
);

const DIM_BIT: Record<Dimension, number> = Object.fromEntries(
  Object.keys(DIMENSIONS).map((d, i) => [d, i]),
) as Record<Dimension, number>;
