// link: what accounts share, and which of them are one operation. The Linker owns the template clusters
// and the model catalogue (what an exchange's prompt and model are across accounts), the group index
// (who shares which key), the linked sets (union-find; a set of two or more is a campaign, named here)
// and the pairwise rule that joins two members of a suspicious group.
//
// Linking reads what the judge concluded at its latest judgement (content scores, suspicious groups):
// the judge runs after link on the same tick and hands those answers in as LinkFeedback, and keeps its
// own per-set state (campaign scores, coverage sums) in step through LinkFeedback.merge.
import type { Exchange, Millis } from '../core/records.js';
import { DAY } from '../core/time.js';
import type { StageTimes } from '../core/stage-times.js';
import type { AccountState } from '../observe/account-state.js';
import type { ExchangeKeys } from '../observe/observer.js';
import type { LinkerConfig } from './config.js';
import { DIMENSION_BIT, DIMENSIONS } from './dimensions.js';
import { GroupIndex, type Group, type GroupSuspicion, type MembershipMoves } from './groups.js';
import { sharedKinds, type JoinRecord, type JoinRule, type LinkRecord } from './link-log.js';
import { ModelCatalog } from './models.js';
import { pipelineJoinEvidence, SharedPipelines, type PipelineLinkWhy, type PipelineView } from './shared-pipelines.js';
import { differentPipelines } from './pipelines.js';
import { TemplateIndex } from './templates.js';
import { UnionFind } from './union-find.js';

/** What the judge's latest judgement says, as group membership and the pairwise rule need it. */
export interface LinkFeedback extends GroupSuspicion {
  /** Content score from which an account counts as harvesting (and may be linked). */
  readonly harvestMin: number;
  /** Suspicion from which a group links its members. */
  readonly suspicionMin: number;
  /** The account's content (harvest) score, in [0, 1]. */
  harvest(idx: number): number;
  /** The account's groups at or above suspicionMin, in the order of its groups. */
  suspiciousRefs(idx: number): readonly Group[];
  /** Exchanges the account needs before its shares count for a link. */
  minLinkExchanges(idx: number): number;
  /**
   * The sets of roots ra and rb are merging: `union` joins them and returns the surviving root. The
   * judge wraps it to move its per-set state (inherited infrastructure, coverage sums) across.
   */
  merge(ra: number, rb: number, union: () => number): number;
}

/** Hooks a deployment adds (src/intel): new template windows, templates peers reported. */
export interface LinkerHooks {
  /** Sees each new template's first scaffold window (shareable fingerprints, peer matching). */
  onTemplate?: (id: number, window: string, salt: number) => void;
  /** A template group key a peer reported: hot from the first sighting. */
  knownTemplate?: (key: string) => boolean;
}

/** What link concluded, as a later stage (the judge) reads it: groups and linked sets, never a call that changes them. */
export interface LinkView {
  /** The account's groups, identity groups first. */
  refs(idx: number): readonly Group[];
  /** Root of the account's linked set. */
  find(idx: number): number;
  /** The accounts of the set of `root`. */
  membersOf(root: number): readonly number[];
  /** The linked set of a root, if it was ever joined with another. */
  setOf(root: number): LinkedSet | undefined;
  /** What the pipelines that linked clean accounts showed (work queue, reasons). */
  readonly pipelines: PipelineView;
}

/** A linked set of two or more accounts: a campaign's identity (the judge scores it). */
export interface LinkedSet {
  readonly id: string;
  readonly createdAt: Millis;
}

export class Linker implements LinkView {
  readonly templates: TemplateIndex;
  readonly models: ModelCatalog;
  readonly groups: GroupIndex;
  readonly uf = new UnionFind();
  /** Clean accounts linked through the pipeline they share (tradecraft text, work queue, client configuration). */
  readonly pipelines: SharedPipelines;
  /** Every union of two accounts' sets, with the shared things that linked them (bounded by accounts). */
  readonly linkLog: LinkRecord[] = [];
  /** Every join of two linked sets of two or more accounts, with the rule and evidence that allowed it (bounded by accounts). */
  readonly joinLog: JoinRecord[] = [];
  /** Linked sets by union-find root. */
  private readonly sets = new Map<number, LinkedSet>();
  private setSeq = 0;
  /** Accounts that linked across two established sets, by set pair, until they merge. */
  private readonly bridges = new Map<string, { a: Set<number>; b: Set<number> }>();
  /** The analysts' splits, in force for good: what was split apart joins again only on new identity evidence or an analyst's merge. */
  private readonly splits: SplitRecord[] = [];
  private readonly templateIds: number[] = [];
  private readonly keys: ExchangeKeys = { templates: this.templateIds, item: 0, model: 0, atCeiling: false, release: -1 };

  constructor(
    private readonly cfg: LinkerConfig,
    /** The accounts, by index (the observer's list). */
    private readonly accounts: readonly AccountState[],
    hooks: LinkerHooks = {},
    private readonly times?: StageTimes,
  ) {
    this.templates = new TemplateIndex(cfg.template, hooks.onTemplate);
    this.models = new ModelCatalog(cfg.modelCeilings, cfg.scoring.ceilingLearnAfter);
    this.groups = new GroupIndex(cfg.link.signupWindowMs, hooks.knownTemplate, cfg.scoring);
    this.pipelines = new SharedPipelines(cfg.scoring.pipelines);
  }

  /** An exchange of `s` just observed: what it says about the pipeline behind it (SharedPipelines.observe). */
  observePipeline(s: AccountState, ex: Exchange): void {
    const t = this.times ? performance.now() : 0;
    this.pipelines.observe(s, ex);
    this.times?.add('link.pipelines', t);
  }

  /**
   * A judgement's step after linkSuspicious: the judged accounts join candidate pipelines, and the
   * members of pipelines shown by enough kinds of evidence are linked. Returns the roots it touched.
   */
  linkPipelines(judged: readonly AccountState[], now: Millis, fb: LinkFeedback): Set<number> {
    const times = this.times;
    const t = times ? performance.now() : 0;
    const touched = new Set<number>();
    const common = this.commonSystem(fb);
    this.pipelines.run(now, judged, this.accounts, (a, b, oneOperator, why) => {
      // Operators apart: accounts fed by different pipelines (system prompts) are one only by identity.
      if (differentPipelines(this.groups.refs(a), this.groups.refs(b), common)) return false;
      // Two sets that other evidence established merge only by the bridge rule: one pipeline's text
      // vouches for one operator only between sets that pipeline evidence alone made.
      const one = oneOperator && this.pipelineOnly(a) && this.pipelineOnly(b);
      const root = this.link(a, b, now, fb, one, why);
      touched.add(root);
      return this.uf.find(b) === root;
    });
    times?.add('link.pipelines', t);
    return touched;
  }

  /**
   * What an exchange shares with other accounts' exchanges: its templates, the item it asks, its model
   * (maxed out or not, and the release it falls in). Valid until the next call (one object, reused).
   */
  keysOf(ex: Exchange): ExchangeKeys {
    const times = this.times;
    let t0 = times ? performance.now() : 0;
    const k = this.keys;
    const pre = ex.sketch;
    k.item = pre ? this.templates.assignSketch(pre.templates, this.templateIds) : this.templates.assign(ex.prompt, this.templateIds);
    if (times) t0 = times.add('sketch', t0);
    const t = ex.ts;
    const model = this.models.observe(ex.model ?? '', t, ex.maxTokens);
    k.model = model.id;
    let atCeiling = false;
    if (ex.maxTokens !== undefined) {
      const ceiling = this.models.ceiling(model);
      atCeiling = ceiling > 0 && ex.maxTokens >= this.cfg.scoring.ceilingShare * ceiling;
    }
    k.atCeiling = atCeiling;
    const rel = this.models.latestRelease;
    k.release = rel && t - rel.firstSeen < DAY ? rel.id : -1;
    times?.add('observe', t0);
    return k;
  }

  /** Re-derives the account's keys and moves it between groups (GroupIndex.update); returns the groups it left and joined. */
  update(s: AccountState, fb: LinkFeedback): MembershipMoves {
    const times = this.times;
    const t = times ? performance.now() : 0;
    const moves = this.groups.update(s, fb);
    times?.add('link.keys', t);
    return moves;
  }

  /** An account record changed the account's identity (Observer.observeAccount): its identity keys are derived again. */
  profileChanged(idx: number): void {
    this.groups.profileChanged(idx);
  }

  /** The linked set of a root, if it was ever joined with another. */
  setOf(root: number): LinkedSet | undefined {
    return this.sets.get(root);
  }

  refs(idx: number): readonly Group[] {
    return this.groups.refs(idx);
  }

  find(idx: number): number {
    return this.uf.find(idx);
  }

  membersOf(root: number): readonly number[] {
    return this.uf.membersOf(root);
  }

  /** The groups whose membership or members' state changed since the last judgement (GroupIndex.takeDirty), cleared. */
  takeDirty(): Group[] {
    return this.groups.takeDirty();
  }

  /** Groups the judge did not re-evaluate this time: dirty again for the next judgement. */
  keepDirty(groups: readonly Group[]): void {
    for (const g of groups) this.groups.touch(g);
  }

  /** Slots of groups dropped during the judgement, free again (GroupIndex.releaseDropped). */
  releaseDropped(): readonly number[] {
    return this.groups.releaseDropped();
  }

  /**
   * A judgement's linking step: the accounts judged are tested through their suspicious groups, and
   * every member of a group that has just become suspicious (`crossed`). Returns the roots of the sets
   * touched (each judged account's among them), for the judge to score.
   */
  linkSuspicious(judged: readonly AccountState[], crossed: readonly Group[], now: Millis, fb: LinkFeedback): Set<number> {
    const times = this.times;
    const t = times ? performance.now() : 0;
    const touched = new Set<number>();
    // The judge's list of the account's suspicious groups (kept until its groups or a group's side of
    // suspicionMin change; its verdict reads it again): not a suspicion read per group of every account.
    for (const s of judged) for (const g of fb.suspiciousRefs(s.idx)) this.tryLink(s.idx, g, now, touched, fb);
    for (const g of crossed) for (const idx of g.members) this.tryLink(idx, g, now, touched, fb);
    for (const s of judged) touched.add(this.uf.find(s.idx));
    times?.add('link.pairs', t);
    return touched;
  }

  /** Linked sets of two or more accounts. */
  get setCount(): number {
    return this.sets.size;
  }

  /** Tests a member of a suspicious group against the group's anchors; links on a pairwise match. */
  tryLink(idx: number, g: Group, now: Millis, touched: Set<number>, fb: LinkFeedback): void {
    if (fb.harvest(idx) < fb.harvestMin) return;
    let linked = false;
    // Once idx cannot become an anchor, a test against an anchor already in its set can only add that
    // set's root to `touched`: skipped when the root is there already (most ticks of a campaign).
    const anchors = this.cfg.scoring.anchors;
    const list = this.groups.anchors(g);
    const settled = list.length >= anchors || list.includes(idx);
    for (const a of list) {
      if (a === idx) continue;
      if (settled) {
        const root = this.uf.find(idx);
        if (root === this.uf.find(a) && touched.has(root)) continue;
      }
      if (this.pairLinked(idx, a, fb)) {
        touched.add(this.link(a, idx, now, fb));
        linked = true;
      }
    }
    if (!linked && list.length < anchors && !list.includes(idx)) list.push(idx);
  }

  /**
   * Two accounts are linked when they share one identity thing (a card, a device, a sign-up network)
   * or suspicious things along two different dimensions: the conjunction keeps two operations that
   * happen to use one public scaffold or one popular SDK apart.
   */
  private pairLinked(a: number, b: number, fb: LinkFeedback): boolean {
    const accounts = this.accounts;
    const ha = fb.harvest(a);
    const hb = fb.harvest(b);
    if (hb < fb.harvestMin) return false;
    // Shares over a handful of exchanges are noise, and links are forever.
    if (accounts[a].exchanges < fb.minLinkExchanges(a) || accounts[b].exchanges < fb.minLinkExchanges(b)) return false;
    let dims = 0;
    let templates = 0;
    // One identity thing alone (a lab machine, a family card) links only clear harvesters.
    const clear = Math.min(ha, hb) >= this.cfg.scoring.clearHarvest;
    // Accounts fed by different pipelines (different system prompts) are one operator only by an
    // identity thing: weak things in common (a cohort, an SDK, public scaffolds) make them look alike.
    const apart = differentPipelines(this.groups.refs(a), this.groups.refs(b), this.commonSystem(fb));
    for (const g of fb.suspiciousRefs(a)) {
      if (!g.members.has(b)) continue;
      const strong = DIMENSIONS[g.dim].strong;
      if (strong && clear) return true;
      if (apart && !strong) continue;
      dims |= 1 << DIMENSION_BIT[g.dim];
      if (g.dim === 'template') templates++;
    }
    if ((dims & (dims - 1)) !== 0) return true;
    // Several distinct scaffolds in common (a prompt's head and tail are two) are one pipeline, not a
    // public prompt — but only between throwaway-looking accounts: an evaluator with years of history
    // running a public benchmark prompt is not linked by its prompt alone.
    const days = this.cfg.scoring.throwawayDays;
    return templates >= this.cfg.scoring.pipelineTemplates && throwaway(accounts[a], days) && throwaway(accounts[b], days);
  }

  /** An app's default system prompt rather than a pipeline's: many accounts send it, most do not harvest. */
  private commonSystem(fb: LinkFeedback): (g: Group) => boolean {
    // Made once (the judge's suspicion line does not change): no closure per pairwise test.
    if (this.common?.fb !== fb) {
      const many = this.cfg.scoring.commonSystemMembers;
      this.common = { fb, test: (g) => g.members.size >= many && fb.suspicion(g) < fb.suspicionMin };
    }
    return this.common.test;
  }
  private common: { fb: LinkFeedback; test: (g: Group) => boolean } | undefined;

  /** Every account of idx's set was linked by pipeline evidence (SharedPipelines.linkedBy). */
  private pipelineOnly(idx: number): boolean {
    for (const m of this.uf.membersOf(this.uf.find(idx))) if (!this.pipelines.linkedBy(m)) return false;
    return true;
  }

  /**
   * Joins the sets of a and b (unless both are established and not yet bridged, or `oneOperator`: the
   * caller holds evidence of one operator, such as tradecraft rare in the background); returns a's root
   * after. `why`: the pipeline evidence behind the link, when a pipeline linked them.
   */
  link(a: number, b: number, now: Millis, fb: LinkFeedback, oneOperator = false, why?: PipelineLinkWhy): number {
    const ra = this.uf.find(a);
    const rb = this.uf.find(b);
    if (ra === rb) return ra;
    const analyst = oneOperator && why === undefined;
    if (this.splits.length > 0 && !analyst && this.keptApart(ra, rb, a, b, fb)) return ra;
    const sa = this.sets.get(ra);
    const sb = this.sets.get(rb);
    let rule: JoinRule | undefined;
    let across: [number, number] | undefined;
    if (sa && sb) {
      const sizeA = this.uf.membersOf(ra).length;
      const sizeB = this.uf.membersOf(rb).length;
      if (oneOperator) rule = analyst ? 'analyst' : 'shared_tradecraft';
      else if (Math.min(sizeA, sizeB) < this.cfg.link.minCampaignAccounts) rule = 'small_part';
      else if ((across = this.bridged(sa, sb, a, b, sizeA, sizeB))) rule = 'bridge';
      else return ra;
    }
    return fb.merge(ra, rb, () => {
      const kinds = sharedKinds(this.groups, fb, a, b);
      const sizes = sa && sb ? [this.uf.membersOf(ra).length, this.uf.membersOf(rb).length] : undefined;
      const root = this.uf.union(a, b);
      this.linkLog.push({ a, b, at: now, kinds });
      // The older set keeps its id (and with it the campaign's flag time).
      const keep = sa && sb ? (sa.createdAt <= sb.createdAt ? sa : sb) : (sa ?? sb ?? { id: this.nextId(), createdAt: now });
      if (sa && sb && rule && sizes) {
        const aKept = keep === sa;
        const [x, y] = aKept ? [a, b] : [b, a];
        const parts = aKept ? sizes : [sizes[1], sizes[0]];
        const other = aKept ? sb : sa;
        const j: JoinRecord = { a: x, b: y, at: now, rule, kept: { id: keep.id, accounts: parts[0] }, joined: { id: other.id, accounts: parts[1] }, kinds, pipeline: why ? pipelineJoinEvidence(why) : [] };
        if (across) j.across = aKept ? across : [across[1], across[0]];
        this.joinLog.push(j);
      }
      this.sets.delete(ra);
      this.sets.delete(rb);
      this.sets.set(root, keep);
      return root;
    });
  }

  /**
   * An analyst's split at `at`: the accounts `out` (some, not all, of one linked set) leave it and form
   * a set of their own (a new campaign when two or more); the rest keep the set's id. The identity
   * things and link evidence that tied the two sides are recorded: they never join them again
   * (keptApart). Returns the roots of the rest and of `out`.
   */
  split(out: readonly number[], at: Millis): { rest: number; out: number } {
    const root = this.uf.find(out[0]);
    const set = this.sets.get(root);
    const leaving = new Set(out);
    const members = [...this.uf.membersOf(root)];
    if (!set || out.some((m) => this.uf.find(m) !== root) || leaving.size >= members.length) throw new RangeError('split: the accounts taken out must be some, not all, of one campaign');
    const keys = new Set<string>();
    for (const l of this.linkLog) if (leaving.has(l.a) !== leaving.has(l.b) && this.uf.find(l.a) === root && this.uf.find(l.b) === root) for (const k of l.kinds) keys.add(k.key);
    const rest = new Set(members.filter((m) => !leaving.has(m)));
    for (const m of leaving) for (const g of this.groups.refs(m)) if (!keys.has(g.key) && DIMENSIONS[g.dim].strong && sharesWith(g, rest)) keys.add(g.key);
    const [restRoot, outRoot] = this.uf.split(out);
    this.sets.delete(root);
    this.sets.set(restRoot, set);
    if (leaving.size > 1) this.sets.set(outRoot, { id: this.nextId(), createdAt: at });
    this.splits.push({ out: leaving, rest, keys });
    return { rest: restRoot, out: outRoot };
  }

  /** An analyst's merge at `at` of the sets of a and b (two campaigns): it holds, and is recorded as an `analyst` join. Returns the root after. */
  mergeSets(a: number, b: number, at: Millis, fb: LinkFeedback): number {
    const ra = this.uf.find(a);
    const rb = this.uf.find(b);
    if (ra === rb || !this.sets.has(ra) || !this.sets.has(rb)) throw new RangeError('merge: the accounts must be in two different campaigns');
    return this.link(a, b, at, fb, true);
  }

  /**
   * The sets of ra and rb lie on the two sides of an analyst's split, and the pair (a, b) shares no
   * identity thing that was not already shared across the split when it was made: the same evidence
   * does not join them again.
   */
  private keptApart(ra: number, rb: number, a: number, b: number, fb: LinkFeedback): boolean {
    const ma = this.uf.membersOf(ra);
    const mb = this.uf.membersOf(rb);
    for (const sp of this.splits) {
      const across = (someIn(ma, sp.out) && someIn(mb, sp.rest)) || (someIn(ma, sp.rest) && someIn(mb, sp.out));
      if (!across) continue;
      const fresh = sharedKinds(this.groups, fb, a, b).some((k) => DIMENSIONS[k.dim].strong && !sp.keys.has(k.key));
      if (!fresh) return true;
    }
    return false;
  }

  /**
   * Two established sets merge only when many of their accounts link across, not on one pair: with
   * hundreds of throwaway accounts, some pair of two separate operations shares a scaffold and a
   * sign-up trait by coincidence. Counts the distinct accounts on each side that linked across; returns
   * the counts (sides of ca, cb) once there are enough (the caller has checked both are campaign-sized).
   */
  private bridged(ca: LinkedSet, cb: LinkedSet, a: number, b: number, sizeA: number, sizeB: number): [number, number] | undefined {
    const key = ca.id < cb.id ? `${ca.id}|${cb.id}` : `${cb.id}|${ca.id}`;
    let bridge = this.bridges.get(key);
    if (!bridge) this.bridges.set(key, (bridge = { a: new Set(), b: new Set() }));
    const [sa, sb] = ca.id < cb.id ? [bridge.a, bridge.b] : [bridge.b, bridge.a];
    sa.add(a);
    sb.add(b);
    const { bridgeMin, bridgeShare } = this.cfg.scoring;
    const need = Math.max(bridgeMin, bridgeShare * Math.min(sizeA, sizeB));
    if (Math.min(sa.size, sb.size) < need) return undefined;
    this.bridges.delete(key);
    return [sa.size, sb.size];
  }

  private nextId(): string {
    return `cmp_${(++this.setSeq).toString().padStart(5, '0')}`;
  }
}

/** An analyst's split: the accounts taken out, those left, and the keys that tied them then. */
interface SplitRecord {
  readonly out: ReadonlySet<number>;
  readonly rest: ReadonlySet<number>;
  readonly keys: ReadonlySet<string>;
}

function someIn(members: readonly number[], set: ReadonlySet<number>): boolean {
  for (const m of members) if (set.has(m)) return true;
  return false;
}

function sharesWith(g: Group, accounts: ReadonlySet<number>): boolean {
  for (const m of g.members) if (accounts.has(m)) return true;
  return false;
}

/** Fresh when it started sending (within `days` of sign-up), and not verified beyond e-mail or phone. */
function throwaway(s: AccountState, days: number): boolean {
  const v = s.verification ?? 'none';
  return v !== 'business' && v !== 'id' && s.createdAt !== undefined && s.firstTs - s.createdAt < days * DAY;
}
