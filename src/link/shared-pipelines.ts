// Linking clean accounts through the pipeline they share. An operator who hides its infrastructure
// (aged accounts, each with its own address, card and device, human hours, cover traffic, reworded
// payloads) shares no identity thing; what one pipeline feeding one training set cannot hide is the text
// it writes once (tradecraft phrases), the payload set it deals out (one work queue) and its config
// file (one client configuration). Here:
// - every prompt's phrases feed the population background (phrase-frequency.ts), learned online;
// - an account whose prompts systematically carry a tradecraft phrase (shared, rare in the background,
//   inserted in many prompts) joins the candidate group of its most used one;
// - a candidate group is judged on independent kinds of evidence: the tradecraft itself, its items'
//   spread (item-spread.ts: a queue, not a class), its members' client configuration (client-config.ts:
//   one configuration, concentrated in the group). A group of one declared organization is an
//   organization (an evaluator's keys), not a hidden operator;
// - when at least `minKinds` kinds agree, its members are linked (Linker.link), and two candidate groups
//   whose members carry each other's phrases are one pipeline.
// Bounded: fixed-size sketches for the background, a fixed number of candidate groups (each with a
// fixed-size item-spread sketch), ~40 bytes of columns per account.
import type { PipelineParams } from '../config/pipelines.js';
import { I32Column, U32Column, U8Column } from '../core/columns.js';
import type { Exchange, Millis } from '../core/records.js';
import type { Reason } from '../core/reasons.js';
import type { AccountState } from '../observe/account-state.js';
import { lshParams } from '../sketches/lsh.js';
import { MinHasher } from '../sketches/minhash.js';
import { ClientConfigs, configHash } from './client-config.js';
import { GroupTiming, HOUR_MS, HourlyActivity, regionKept, type TimingStats } from './co-silence.js';
import { ItemSpread, itemKeys, type SpreadStats } from './item-spread.js';
import { numberPrint, PhraseFrequency, phraseHashes } from './phrase-frequency.js';
import { RetroTradecraft } from './retro-tradecraft.js';
import { familyTradecraft, PhraseFamilies } from './phrase-families.js';
import { BackgroundSample, DistributionTest, hashedFeatures, QueryProfiles, sampledAccount, type DistributionResult } from './query-distribution.js';
import { dealtMembers, NO_LOOK, OpenerItems, QueueTest, type LookState, type MemberOpeners, type QueueTestResult } from './queue-test.js';
import type { StateKinds } from '../core/state-graph.js';
import type { PipelineJoinEvidence } from './link-log.js';

/** Tradecraft phrases remembered per account (space-saving top-k). */
const TOP = 3;
/** Bits of a candidate's item-spread filter (its count-min has 2^(bits-4) x 3 cells): ~230 KiB. */
const SPREAD_BITS = 18;
/** One item key in 2^bits is counted (consistent sampling), so the sketch follows ~8 x more traffic. */
const SPREAD_SAMPLE_BITS = 3;
/** Most phrases of one prompt read. */
const MAX_PHRASES = 512;

/** What a candidate group showed at its latest evaluation. */
export interface PipelineEvidence {
  members: number;
  /** The group's phrase is tradecraft now: accounts using it, share of the population. */
  tradecraft: boolean;
  phraseAccounts: number;
  /** One work queue, and its figures (the calibrated test's when `queueTest` is on). */
  queue: boolean;
  spread: SpreadStats & { kind: string };
  /** The calibrated work-queue test's latest look (undefined: off, or not tested yet). */
  queueTest?: QueueTestResult;
  /** One client configuration, concentrated in the group. */
  config: boolean;
  configShare: number;
  configConcentration: number;
  /** Shared pipeline timing: the group fell silent on its own (its members' regions active meanwhile). */
  timing: boolean;
  silence: TimingStats;
  /** The members' queries are unlike the background's (a calibrated MMD test), and its figures (undefined: not tested). */
  distribution: boolean;
  mmd?: DistributionResult;
  /** A declared organization (not a hidden operator). */
  declared: boolean;
  /** Enough kinds agree: members are linked. */
  linked: boolean;
}

/** Why a pipeline linked two accounts: its group's evidence, and for two groups' anchors the members carrying the other's phrase. */
export interface PipelineLinkWhy {
  evidence: PipelineEvidence;
  carriers?: number;
}

/** Links two accounts (a pipeline's); `oneOperator`: the evidence is of one operator. True when they are now one set. */
export type PipelineLink = (a: number, b: number, oneOperator: boolean, why: PipelineLinkWhy) => boolean;

/** The pipeline evidence behind a link, as a join names it (./link-log.ts). */
export function pipelineJoinEvidence(why: PipelineLinkWhy): PipelineJoinEvidence[] {
  const e = why.evidence;
  const out: PipelineJoinEvidence[] = [];
  if (e.tradecraft) {
    const detail: Record<string, number> = { members: e.members, phrase_accounts: e.phraseAccounts };
    if (why.carriers !== undefined) detail.carriers = why.carriers;
    out.push({ kind: 'shared_tradecraft', detail });
  }
  if (e.queue) out.push({ kind: 'work_queue', detail: { accounts_per_item: round(e.spread.accountsPerItem), repeat_share: round(e.spread.repeat), exchanges: e.spread.exchanges } });
  if (e.config) out.push({ kind: 'shared_client_config', detail: { share: round(e.configShare), concentration: round(e.configConcentration) } });
  if (e.timing) out.push({ kind: 'shared_timing', detail: { silences: e.silence.silences, strength: round(e.silence.strongest), needed: round(e.silence.needed) } });
  return out;
}

class Candidate {
  readonly members: number[] = [];
  evidence: PipelineEvidence | undefined = undefined;
  /** The latest evidence on which it linked: its members' links stand, so the evidence for them does too. */
  linkedOn: PipelineEvidence | undefined = undefined;
  /** When it first linked, and when each kind of evidence first agreed (diagnostics: bench/pipelines.ts). */
  linkedAt: Millis | undefined = undefined;
  readonly firstAt: { judged?: Millis; tradecraft?: Millis; openers?: Millis; queue?: Millis; config?: Millis; timing?: Millis; distribution?: Millis } = {};
  /** Linked groups found to be the same pipeline (their members carry each other's phrases). */
  readonly partners = new Set<Candidate>();
  nextEval = 0;
  changed = true;
  anchor = -1;
  /** The work-queue test's looks so far and its latest result. */
  queueLook: LookState = NO_LOOK;
  queueResult: QueueTestResult | undefined = undefined;
  /** Members whose configuration the evidence links (all members when the queue, or timing without the configuration, agrees). */
  config = 0;
  /** The regions its members send from (index, members) and the membership size they were counted at. */
  regionList: [number, number][] = [];
  regionsAt = -1;

  constructor(
    readonly slot: number,
    public phrase: number,
    public spread: ItemSpread,
    readonly createdAt: Millis,
    readonly timing: GroupTiming,
  ) {}
}

/** What the judge reads of the pipelines that linked clean accounts (through LinkView). */
export interface PipelineView {
  /** Content score the account counts as for being dealt payloads by one work queue (0: none). */
  harvest(idx: number): number;
  /** Campaign reasons: each kind of pipeline evidence its linked members showed, once, at its strongest. */
  reasons(members: readonly AccountState[], out: Reason[]): void;
}

export class SharedPipelines implements PipelineView {
  readonly phrases: PhraseFrequency;
  readonly configs = new ClientConfigs();
  private readonly hasher = new MinHasher({ seed: 'shared-pipelines-items', numPerm: 16 });
  private readonly lsh = lshParams(0.5, 16);
  // Per account (by index): its top tradecraft phrases and their counts, its exchanges that carried
  // one, and the candidate group it joined (-1 none).
  private readonly topPhrase = Array.from({ length: TOP }, () => new U32Column());
  private readonly topCount = Array.from({ length: TOP }, () => new U32Column());
  private readonly marked = new U32Column();
  /** Exchanges whose phrases qualified only later (counted at judgement). */
  private readonly retro = new RetroTradecraft();
  private readonly retroPhrases: number[] = [];
  private readonly isTradecraft = (h: number): boolean => this.phrases.tradecraft(h);
  /** Phrases carried together (off: undefined); a pending phrase of a kit counts as tradecraft. */
  private readonly families: PhraseFamilies | undefined;
  private readonly inKit = (h: number): boolean => this.families !== undefined && this.families.phrases(h) >= this.p.familyMinPhrases;
  private readonly isKitOrTradecraft = (h: number): boolean => this.phrases.tradecraft(h) || this.inKit(h);
  private readonly anyPhrase = (): boolean => true;
  /** Query distribution (off: undefined): the members' profiles, the background sample, the calibrated test. */
  private readonly dist: { members: QueryProfiles; background: BackgroundSample; test: DistributionTest; features: Float32Array } | undefined;
  private readonly notBackground = (idx: number): boolean => this.candidateOf.get(idx) >= 0;
  /** The calibrated work-queue test (off: undefined): members' and the background sample's openers, scratch for their item keys. */
  private readonly qt: { test: QueueTest; members: OpenerItems; mask: number; hashes: Uint32Array; bandKeys: Float64Array; keys: Uint32Array } | undefined;
  private readonly candidateOf = new I32Column(-1);
  /** 1: linked through its candidate group's evidence. */
  private readonly linked = new U8Column();
  /** With the queue test: 1 when its own openers showed it dealt from its group's queue at its group's latest linking (dealtMembers). */
  private readonly dealt = new U8Column();
  private readonly candidates: Candidate[] = [];
  private readonly byPhrase = new Map<number, Candidate>();
  private readonly scratch: number[] = [];
  private readonly words = new Uint32Array(2048);
  private readonly itemPhrases: number[] = [];
  // Timing: each account's latest active hour (so it counts once per hour) and region (index into
  // `regions`, by the country it sends from; 0: unknown), and every region's hourly activity.
  private readonly hourOf = new I32Column(-1);
  private readonly regionOf = new U8Column();
  private readonly regions: HourlyActivity[] = [new HourlyActivity()];
  private readonly regionIndex = new Map<string, number>();
  private readonly regionWeights = new Map<number, number>();

  constructor(readonly p: PipelineParams) {
    // Marking (which phrases an account carries, which group it joins) admits phrases up to phraseMarkShare of
    // the population; a group is judged on its phrase's rarity outside it (evaluate).
    this.phrases = new PhraseFrequency({ minAccounts: p.phraseMinAccounts, maxAccountShare: p.phraseMarkShare, minUsesPerAccount: p.phraseMinUses });
    this.families = p.families ? new PhraseFamilies({ capacity: p.familyCapacity, minCoCarriers: p.minMembers, coShare: p.familyCoShare }) : undefined;
    this.dist = p.distribution
      ? {
          members: new QueryProfiles(p.distributionDim, p.distributionExchanges),
          background: new BackgroundSample(p.distributionDim, p.distributionExchanges, p.distributionSample, p.distributionSampleBits),
          test: new DistributionTest({ alpha: p.distributionAlpha, splits: p.distributionSplits, minMembers: p.minMembers, minBackground: 64 }),
          features: new Float32Array(p.distributionDim),
        }
      : undefined;
    const bands = this.lsh.bands;
    this.qt = p.queueTest
      ? {
          test: new QueueTest(
            { alpha: p.queueTestAlpha, looks: p.queueTestLooks, lookMs: p.queueTestLookHours * 3_600_000, draws: p.queueTestDraws, poolRatio: p.queueTestPool, matchSent: p.queueTestMatchSent, minOpeners: p.queueTestMinOpeners, minMembers: p.minMembers, minBackground: 64, classMin: p.classMin, classFreshMax: p.classFreshMax, maxRepeat: p.queueMaxRepeat },
            new OpenerItems(p.queueTestOpeners, bands, p.queueTestCoordinated),
            p.queueTestSample,
          ),
          members: new OpenerItems(p.queueTestOpeners, bands, p.queueTestCoordinated),
          mask: (1 << p.queueTestSampleBits) - 1,
          hashes: new Uint32Array(2048),
          bandKeys: new Float64Array(bands),
          keys: new Uint32Array(bands),
        }
      : undefined;
  }

  /** One exchange of account `s` (already observed: `s.exchanges` counts it). */
  observe(s: AccountState, ex: Exchange): void {
    const idx = s.idx;
    const hs = ex.sketch?.phrases ?? phraseHashes(ex.prompt, this.scratch, this.words, this.p.phraseSampleBits);
    const n = Math.min(hs.length, MAX_PHRASES);
    const view = n === hs.length ? hs : Array.prototype.slice.call(hs, 0, n);
    const f = this.phrases;
    f.observeHashes(idx, view, s.exchanges === 1);
    this.configs.observe(idx, configHash(ex));
    if (!this.p.tradecraft) return;
    if (this.p.timing) this.observeHour(idx, ex);
    let marked = false;
    if (this.p.retro || this.families) {
      const uses = this.p.retroUses;
      const pending = this.retroPhrases;
      pending.length = 0;
      for (let i = 0; i < n; i++) {
        const g = f.grade(hs[i], uses);
        if (g === 2 || (g === 1 && this.inKit(hs[i]))) {
          marked = true;
          this.countPhrase(idx, hs[i]);
        } else if (g === 1) pending.push(hs[i]);
      }
      // An exchange that carried tradecraft counts already; one that carried only pending phrases may count later.
      if (!marked && pending.length > 0) {
        this.retro.exchange(idx);
        for (const h of pending) this.retro.phraseSeen(idx, h);
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (!f.tradecraft(hs[i])) continue;
        marked = true;
        this.countPhrase(idx, hs[i]);
      }
    }
    if (marked) this.marked.set(idx, this.marked.get(idx) + 1);
    const c = this.candidateOf.get(idx);
    // The background sample's queries: all its openers (a sampled account in a candidate group is left out when tested).
    if (this.dist && ex.turns === 1 && this.dist.background.holds(idx) && hashedFeatures(this.itemsOf(hs, n), this.dist.features)) this.dist.background.profiles.add(idx, this.dist.features);
    if (this.qt && ex.turns === 1 && sampledAccount(idx, this.qt.mask) && this.qt.test.holds(idx) && this.openerKeys(hs, n, ex)) this.qt.test.background.add(idx, this.qt.keys);
    // A conversation's item is in its opener: later turns are the pipeline's follow-ups. And a
    // pipeline's items are in the prompts its text is in: a member's other traffic (its cover, a
    // student's own questions beside the course's problems) says nothing of the group's payload set.
    if (c < 0 || ex.turns > 1 || !marked) return;
    const spread = this.candidates[c].spread;
    // The calibrated queue test reads a sample of each member's openers that carry its text.
    if (this.qt && this.openerKeys(hs, n, ex)) this.qt.members.add(idx, this.qt.keys);
    // Judged on the group's first openers: the sketch's size is fixed, and so is its load.
    if (spread.stats().exchanges >= this.p.queueMaxExchanges) return;
    const items = this.itemsOf(hs, n);
    if (this.dist && hashedFeatures(items, this.dist.features)) this.dist.members.add(idx, this.dist.features);
    spread.observe(idx, items, ex.sketch?.numbers ?? numberPrint(ex.prompt));
  }

  /** The queue test's item keys of an opener (into qt.keys); false when it has no item phrases. */
  private openerKeys(hs: ArrayLike<number>, n: number, ex: Exchange): boolean {
    const q = this.qt!;
    return itemKeys(this.hasher, this.lsh, this.itemsOf(hs, n, this.p.queueTestItemUses), ex.sketch?.numbers ?? numberPrint(ex.prompt), q.hashes, q.bandKeys, q.keys);
  }

  /**
   * A prompt's items: its phrases minus tradecraft and common language (what it asks, not how); with
   * `reusedUses` (> 0), minus the phrases accounts write that many times each (a snippet, a course's
   * or a template's text: an account rarely asks one item twice).
   */
  private itemsOf(hs: ArrayLike<number>, n: number, reusedUses = 0): number[] {
    const f = this.phrases;
    const items = this.itemPhrases;
    items.length = 0;
    const common = this.p.phraseMaxAccountShare;
    for (let i = 0; i < n; i++) {
      if (f.tradecraft(hs[i]) || this.inKit(hs[i]) || f.common(hs[i], common)) continue;
      if (reusedUses > 0 && f.reused(hs[i], reusedUses)) continue;
      items.push(hs[i]);
    }
    return items;
  }

  /** An exchange's time: its region's hourly activity (an account counts once an hour), and its candidate group's. */
  private observeHour(idx: number, ex: Exchange): void {
    const h = Math.floor(ex.ts / HOUR_MS);
    const first = h > this.hourOf.get(idx);
    if (first) {
      this.hourOf.set(idx, h);
      const r = this.regionFor(ex.client.country);
      this.regionOf.set(idx, r);
      this.regions[r].add(h);
    }
    const c = this.candidateOf.get(idx);
    if (c < 0) return;
    const cand = this.candidates[c];
    cand.timing.exchange(ex.ts, first, cand.members.length, () => this.keptFor(cand, h));
  }

  /** A region's index (0: unknown, or past the 255 kept). */
  private regionFor(country: string | undefined): number {
    if (country === undefined) return 0;
    let r = this.regionIndex.get(country);
    if (r === undefined) {
      if (this.regions.length > 255) return 0;
      r = this.regions.length;
      this.regions.push(new HourlyActivity());
      this.regionIndex.set(country, r);
    }
    return r;
  }

  /**
   * The share of their usual activity the regions a group's members send from kept in closed hour x
   * (weighted by members; the weights are recomputed when the group's membership changed).
   */
  private keptFor(c: Candidate, h: number): (x: number) => number {
    if (c.regionsAt !== c.members.length) {
      const w = this.regionWeights;
      w.clear();
      for (const m of c.members) {
        const r = this.regionOf.get(m);
        w.set(r, (w.get(r) ?? 0) + 1);
      }
      c.regionList = [...w];
      c.regionsAt = c.members.length;
    }
    for (const [r] of c.regionList) this.regions[r].advance(h);
    return (x) => {
      let kept = 0;
      let weight = 0;
      for (const [r, n] of c.regionList) {
        kept += n * regionKept(this.regions[r], x);
        weight += n;
      }
      return weight === 0 ? 1 : kept / weight;
    };
  }

  /** Space-saving top-k: a phrase not held replaces the least counted, inheriting its count. */
  private countPhrase(idx: number, h: number): void {
    let least = 0;
    for (let k = 0; k < TOP; k++) {
      if (this.topPhrase[k].get(idx) === h && this.topCount[k].get(idx) > 0) {
        this.topCount[k].set(idx, this.topCount[k].get(idx) + 1);
        return;
      }
      if (this.topCount[k].get(idx) < this.topCount[least].get(idx)) least = k;
    }
    this.topPhrase[least].set(idx, h);
    this.topCount[least].set(idx, this.topCount[least].get(idx) + 1);
  }

  /**
   * A member is one of the pipeline's accounts on its own evidence: its exchanges carried tradecraft in
   * the marked share as they arrived, or (credited only backwards) it carried the group's phrase in at
   * least `ownShare` of its exchanges itself. A queue links a group whole, and a library user or a
   * student credited through a 4-gram its snippet shares with the operator's text carries it now and then.
   */
  private ownsEvidence(idx: number, phrase: number, exchanges: number): boolean {
    if (this.marked.get(idx) >= this.p.markedShare * exchanges) return true;
    return this.retro.uses(idx, phrase) >= this.p.ownShare * exchanges;
  }

  /** Exchanges of the account that carried the phrase before it qualified, at least (retro only; diagnostics: bench/pipelines.ts). */
  ownUses(idx: number, phrase: number): number {
    return this.p.retro ? this.retro.uses(idx, phrase) : 0;
  }

  /** Candidate accounts, in any group, whose top phrases hold `phrase`. */
  private carriers(phrase: number): number {
    let n = 0;
    for (const c of this.candidates) for (const m of c.members) if (this.carries(m, phrase)) n++;
    return n;
  }

  private carries(idx: number, phrase: number): boolean {
    for (let k = 0; k < TOP; k++) if (this.topCount[k].get(idx) > 0 && this.topPhrase[k].get(idx) === phrase) return true;
    return (this.p.retro || this.families !== undefined) && this.retro.holds(idx, phrase);
  }

  /**
   * One judgement at `now`: the accounts judged join candidate groups; groups due are evaluated; the
   * members of groups where enough kinds of evidence agree are linked by `link(a, b, oneOperator)`.
   */
  run(now: Millis, dirty: readonly AccountState[], accounts: readonly AccountState[], link: PipelineLink): void {
    if (!this.p.tradecraft) return;
    const p = this.p;
    if (this.families) this.gatherFamilies();
    for (const s of dirty) {
      const idx = s.idx;
      if (s.exchanges < p.minExchanges) continue;
      const enough = p.markedShare * s.exchanges;
      const marked = this.marked.get(idx);
      // An account whose exchanges systematically carry shared, rare phrases tells which of them it carries together.
      if (this.families && marked + this.retro.credited(idx, this.anyPhrase) >= enough) this.families.record(idx, this.carried(idx));
      const own = marked >= enough;
      // Short of the share as its exchanges arrived, it may reach it with those re-read now (their phrases
      // qualified since, or belong to a kit); then it gathers on the phrases that made it qualify (its
      // pending ones), not on the others it carries.
      if (!own && !(p.retro && marked + this.retro.credited(idx, this.isTradecraft) >= enough) && !(this.families && marked + this.retro.credited(idx, this.isKitOrTradecraft) >= enough)) continue;
      const retroOnly = !own;
      const was = this.candidateOf.get(idx);
      const from = was >= 0 ? this.candidates[was] : undefined;
      // A member stays once its group is judged; a member of a group still too small to be judged
      // moves to a larger group of another of its phrases (one pipeline's accounts gather). A member
      // of a judged group whose phrase is not tradecraft (common outside it, or not one author's) and
      // never linked moves only to a group of another of its phrases judged tradecraft: its
      // pipeline's own phrase, where the group already stands (no new groups: they would fragment).
      const judged = from !== undefined && from.members.length >= p.minMembers;
      if (judged && !rejected(from)) continue;
      const c = judged ? this.tradecraftGroupOf(idx, retroOnly, from) : this.candidateFor(idx, now, retroOnly);
      if (!c || c === from) continue;
      if (from) {
        from.members.splice(from.members.indexOf(idx), 1);
        from.changed = true;
      }
      c.members.push(idx);
      c.changed = true;
      this.candidateOf.set(idx, c.slot);
      if (from) continue;
      this.configs.qualify(this.configs.dominant(idx, s.exchanges, p.configDominance));
    }
    for (const c of this.candidates) {
      if (c.phrase === 0 || c.members.length < p.minMembers) continue;
      if (!c.changed && now < c.nextEval) continue;
      if (now < c.nextEval && c.evidence?.linked !== true) continue;
      c.changed = false;
      c.nextEval = now + p.reevaluateMs;
      const e = (c.evidence = this.evaluate(c, accounts, now));
      const at = c.firstAt;
      at.judged ??= now;
      if (e.tradecraft) at.tradecraft ??= now;
      if (this.qt ? e.queueTest !== undefined : e.spread.exchanges >= p.queueMinExchanges) at.openers ??= now;
      if (e.queue) at.queue ??= now;
      if (e.config) at.config ??= now;
      if (e.timing) at.timing ??= now;
      if (e.distribution) at.distribution ??= now;
      if (!e.linked) continue;
      c.linkedOn = e;
      c.linkedAt ??= now;
      this.linkMembers(c, accounts, link);
    }
  }

  /** The account's phrases that may name its group: its pending ones (when `retroOnly`, only those), else its top tradecraft phrases. */
  private phrasesOf(idx: number, retroOnly: boolean): number[] {
    const out = this.retroPhrases;
    out.length = 0;
    if (retroOnly) return this.retro.phrases(idx, out);
    for (let k = 0; k < TOP; k++) if (this.topCount[k].get(idx) > 0) out.push(this.topPhrase[k].get(idx));
    return out;
  }

  /** The largest group among the account's phrases whose phrase was judged tradecraft at its latest evaluation. */
  private tradecraftGroupOf(idx: number, retroOnly: boolean, from: Candidate): Candidate | undefined {
    let best: Candidate | undefined;
    let larger: Candidate | undefined;
    for (const h of this.phrasesOf(idx, retroOnly)) {
      const c = this.groupOf(h);
      if (c?.evidence?.tradecraft === true && (!best || c.members.length > best.members.length)) best = c;
      if (c && c.members.length > (larger ?? from).members.length) larger = c;
    }
    // Qualified on phrases that became tradecraft late, a pipeline's accounts are spread over the
    // groups of its many phrases, none yet owning its phrase: they gather in the largest one.
    return best ?? (retroOnly ? larger : undefined);
  }

  /** The largest candidate group among the account's tradecraft phrases, or a new one for its most used (`retroOnly`: its most counted pending one that qualified since). */
  private candidateFor(idx: number, now: Millis, retroOnly: boolean): Candidate | undefined {
    let best: Candidate | undefined;
    const phrases = this.phrasesOf(idx, retroOnly);
    for (const h of phrases) {
      const c = this.groupOf(h);
      if (c && (!best || c.members.length > best.members.length) && (this.phrases.tradecraft(c.phrase) || this.inKit(c.phrase))) best = c;
    }
    if (best) return best;
    if (!retroOnly) {
      const key = this.keyOf(idx);
      return key !== 0 && this.phrases.tradecraft(key) ? this.open(key, now) : undefined;
    }
    for (const h of phrases) if (!this.groupOf(h) && (this.phrases.tradecraft(h) || this.inKit(h))) return this.open(h, now);
    return undefined;
  }

  /** The account's most used tradecraft phrase (0: none). */
  private keyOf(idx: number): number {
    let best = 0;
    for (let k = 1; k < TOP; k++) if (this.topCount[k].get(idx) > this.topCount[best].get(idx)) best = k;
    return this.topCount[best].get(idx) > 0 ? this.topPhrase[best].get(idx) : 0;
  }

  /** A new candidate group for `phrase`, or none when the table is full of groups still growing. */
  private open(phrase: number, now: Millis): Candidate | undefined {
    const spread = (): ItemSpread =>
      new ItemSpread(this.hasher, this.lsh, { minExchanges: this.p.queueMinExchanges, queueMin: this.p.queueMin, classMin: this.p.classMin, classFreshMax: this.p.classFreshMax, maxRepeat: this.p.queueMaxRepeat }, SPREAD_BITS, SPREAD_SAMPLE_BITS);
    let c: Candidate | undefined;
    if (this.candidates.length < this.p.maxCandidates) {
      c = new Candidate(this.candidates.length, phrase, spread(), now, this.timing());
      this.candidates.push(c);
    } else {
      // Full: reuse the smallest group that never linked and had a day to grow; its members may join again.
      let victim: Candidate | undefined;
      for (const x of this.candidates) {
        if (x.evidence?.linked || now - x.createdAt < 86_400_000) continue;
        if (!victim || x.members.length < victim.members.length) victim = x;
      }
      if (!victim || victim.members.length >= this.p.minMembers) return undefined;
      for (const [k, x] of this.byPhrase) if (x === victim) this.byPhrase.delete(k);
      for (const m of victim.members) this.candidateOf.set(m, -1);
      c = new Candidate(victim.slot, phrase, spread(), now, this.timing());
      this.candidates[victim.slot] = c;
    }
    this.byPhrase.set(this.keyOfPhrase(phrase), c);
    return c;
  }

  /** Groups are keyed by phrase, or by the phrase's family when families are on. */
  private keyOfPhrase(h: number): number {
    return this.families ? this.families.root(h) : h;
  }

  private groupOf(h: number): Candidate | undefined {
    return this.byPhrase.get(this.keyOfPhrase(h));
  }

  /** The phrases an account carries: its top tradecraft ones and its pending ones. */
  private carried(idx: number): number[] {
    const out = this.phrasesOf(idx, true).slice();
    for (let k = 0; k < TOP; k++) if (this.topCount[k].get(idx) > 0 && !out.includes(this.topPhrase[k].get(idx))) out.push(this.topPhrase[k].get(idx));
    return out;
  }

  /**
   * Families joined since the last judgement: groups of phrases now of one family become one group (the
   * one that linked, else the larger), so one kit's accounts gather. A group that linked keeps its
   * members (their links stand); two linked groups of one family are joined as partners when linking.
   */
  private gatherFamilies(): void {
    for (const c of this.candidates) {
      if (c.phrase === 0) continue;
      const key = this.keyOfPhrase(c.phrase);
      const other = this.byPhrase.get(key);
      if (other === c) continue;
      if (other === undefined || other.phrase === 0) {
        this.byPhrase.set(key, c);
        continue;
      }
      if (c.linkedOn !== undefined && other.linkedOn !== undefined) continue;
      const keep = other.linkedOn !== undefined || (c.linkedOn === undefined && other.members.length >= c.members.length) ? other : c;
      const gone = keep === c ? other : c;
      for (const m of gone.members) {
        this.candidateOf.set(m, keep.slot);
        keep.members.push(m);
      }
      gone.members.length = 0;
      keep.changed = true;
      this.byPhrase.set(key, keep);
    }
  }

  private timing(): GroupTiming {
    const p = this.p;
    return new GroupTiming({ maxHours: p.silenceMaxHours, alpha: p.silenceAlpha, minSilences: p.silenceMinCount });
  }

  private evaluate(c: Candidate, accounts: readonly AccountState[], now: Millis): PipelineEvidence {
    const p = this.p;
    const members = c.members;
    // Inside: the group's members (they joined carrying it), or more when candidate accounts of other
    // groups carry it among their top phrases (one operator's accounts sit in the groups of its other
    // phrases); outside: everyone else who ever wrote it.
    const inside = Math.max(members.length, this.carriers(c.phrase));
    const tradecraft = this.phrases.tradecraftOf(c.phrase, inside, p.phraseMaxAccountShare, p.phraseOwnedShare) || this.ownsKit(c.phrase, inside);

    const st = c.spread.stats();
    const kind = c.spread.spread();
    // With the calibrated test on, it alone says queue; either reading of a class vetoes.
    const qt = this.queueTestOf(c, now);
    const queue = p.queue && (this.qt ? qt?.spread === 'queue' : kind === 'queue');
    const isClass = kind === 'class' || qt?.spread === 'class';
    const agreement = this.configs.agreement(members, (m) => accounts[m].exchanges, p.configDominance);
    const config = p.config && agreement.share >= p.configShare && agreement.concentration >= p.configConcentration;
    const declared = declaredOrganization(members, accounts, p.declaredShare);
    const silence = c.timing.stats();
    const timing = p.timing && c.timing.shared();
    const mmd = this.distributionOf(members);
    const distribution = mmd?.unlike === true;
    const kinds = (tradecraft ? 1 : 0) + (queue ? 1 : 0) + (config ? 1 : 0) + (timing ? 1 : 0) + (distribution ? 1 : 0);
    // A class (many accounts, the same items) is a course, whatever else it shares.
    const linked = tradecraft && !declared && !isClass && kinds >= p.minKinds;
    // Linked on the configuration, only its members are; a queue, a silence or a query distribution is the whole group's
    // (every member was silent; the distribution is of every member's queries).
    c.config = queue || ((timing || distribution) && !config) ? 0 : agreement.config;
    return {
      members: members.length,
      tradecraft,
      phraseAccounts: this.phrases.stats(c.phrase).accounts,
      queue,
      spread: this.qt
        ? { exchanges: qt?.openers ?? 0, accountsPerItem: qt?.accountsPerItem ?? 0, repeat: qt?.repeat ?? 0, fresh: qt?.fresh ?? 0, kind: qt?.spread ?? 'unknown' }
        : { ...st, kind },
      ...(this.qt ? { queueTest: qt } : {}),
      config,
      configShare: agreement.share,
      configConcentration: agreement.concentration,
      timing,
      silence,
      distribution,
      mmd,
      declared,
      linked,
    };
  }

  /**
   * The group's work-queue test (undefined: off, or not tested yet): tested again when a look is due
   * (QueueTest.due: its members' openers doubled, or new ones a day of event time later); between looks,
   * and after a look found it crossing or the looks ran out, the latest look's result stands.
   */
  private queueTestOf(c: Candidate, now: Millis): QueueTestResult | undefined {
    const q = this.qt;
    if (!q) return undefined;
    const openers: MemberOpeners[] = [];
    let total = 0;
    for (const m of c.members) {
      const o = q.members.openersOf(m);
      if (!o) continue;
      openers.push(o);
      total += o.seen!;
    }
    if (q.test.due(c.queueLook, total, now)) {
      const r = q.test.test(openers, c.queueLook.looks, this.notBackground);
      if (r) {
        c.queueLook = { looks: c.queueLook.looks + 1, openers: total, at: now, crossing: r.crossing };
        c.queueResult = r;
      }
    }
    return c.queueResult;
  }

  /** The members' query distribution against the background sample (undefined: off, or too few profiles). */
  private distributionOf(members: readonly number[]): DistributionResult | undefined {
    const d = this.dist;
    if (!d) return undefined;
    const group: Float32Array[] = [];
    for (const m of members) {
      const v = d.members.mean(m);
      if (v) group.push(v);
    }
    return d.test.test(group, d.background.sample(this.notBackground));
  }

  /** With families: the group owns its phrase's kit (src/link/phrase-families.ts), the kit being what is used systematically. */
  private ownsKit(phrase: number, inside: number): boolean {
    if (!this.families) return false;
    const p = this.p;
    const st = this.phrases.stats(phrase);
    return familyTradecraft(
      { accounts: st.accounts, uses: st.uses, population: st.population, inside, phrases: this.families.phrases(phrase) },
      { minPhrases: p.familyMinPhrases, minAccounts: p.phraseMinAccounts, ownedShare: p.phraseOwnedShare, maxShare: p.phraseMaxAccountShare, minUses: p.retroUses },
    );
  }

  private linkMembers(c: Candidate, accounts: readonly AccountState[], link: PipelineLink): void {
    const p = this.p;
    const e = c.linkedOn!;
    const why: PipelineLinkWhy = { evidence: e };
    const dealt = this.dealtFromQueue(c);
    // With the queue test, a member its own openers do not show dealt is linked only if the group's other kinds suffice.
    const withoutQueue = (e.tradecraft ? 1 : 0) + (e.config ? 1 : 0) + (e.timing ? 1 : 0) + (e.distribution ? 1 : 0) >= p.minKinds;
    for (const m of c.members) {
      if (c.config !== 0 && this.configs.dominant(m, accounts[m].exchanges, p.configDominance) !== c.config) continue;
      if (this.qt && e.queue && !dealt?.has(m) && !withoutQueue) continue;
      if (p.retro && !this.ownsEvidence(m, c.phrase, accounts[m].exchanges) && dealt?.has(m) !== true) continue;
      if (c.anchor < 0) {
        c.anchor = m;
        this.linked.set(m, 1);
      } else if (m !== c.anchor && link(c.anchor, m, false, why)) this.linked.set(m, 1);
    }
    if (c.anchor < 0) return;
    // Another linked group whose phrase a share of these members also carry: one pipeline's two phrases.
    for (const o of this.candidates) {
      if (o === c || o.anchor < 0 || !o.evidence?.linked) continue;
      let carry = 0;
      for (const m of c.members) if (this.carries(m, o.phrase)) carry++;
      for (const m of o.members) if (this.carries(m, c.phrase)) carry++;
      if (carry < Math.max(p.minMembers, p.crossShare * Math.min(c.members.length, o.members.length))) continue;
      link(c.anchor, o.anchor, true, { evidence: c.linkedOn!, carriers: carry });
      c.partners.add(o);
      o.partners.add(c);
    }
  }

  /**
   * With the queue test, the members of the group its latest look shows dealt from a queue on their own
   * openers (queue-test.ts dealtMembers); recorded per account (`dealt`), for `harvest`.
   */
  private dealtFromQueue(c: Candidate): Set<number> | undefined {
    const q = this.qt;
    const r = c.queueResult;
    if (!q || !r || r.openers === 0) return undefined;
    const ids: number[] = [];
    const openers: MemberOpeners[] = [];
    for (const m of c.members) {
      const o = q.members.openersOf(m);
      if (!o) continue;
      ids.push(m);
      openers.push(o);
    }
    const shown = dealtMembers(openers, r, q.members.bands, this.p.queueTestMemberAlpha, this.p.classMin);
    const out = new Set<number>();
    for (let j = 0; j < ids.length; j++) {
      this.dealt.set(ids[j], shown[j] ? 1 : 0);
      if (shown[j]) out.add(ids[j]);
    }
    return out;
  }

  /** The evidence of the candidate group that linked the account, if one did. */
  evidenceOf(idx: number): PipelineEvidence | undefined {
    const c = this.candidateOf.get(idx);
    return c >= 0 && this.linked.get(idx) === 1 ? this.candidates[c].linkedOn : undefined;
  }

  /** Linked through a candidate group's evidence. */
  linkedBy(idx: number): boolean {
    return this.linked.get(idx) === 1;
  }

  /**
   * Content score the account counts as for being dealt payloads by one work queue (0: none): its
   * group's, or that of a group found to be the same pipeline (a pipeline's accounts may gather in the
   * groups of several of its phrases, and a small one may not see enough openers to judge the queue).
   */
  harvest(idx: number): number {
    // With the queue test, only on the account's own openers dealt from its group's queue.
    if (this.qt && this.dealt.get(idx) !== 1) return 0;
    if (this.evidenceOf(idx)?.queue) return this.p.queueHarvest;
    if (this.linked.get(idx) !== 1) return 0;
    for (const o of this.candidates[this.candidateOf.get(idx)].partners) if (o.linkedOn?.queue) return this.p.queueHarvest;
    return 0;
  }

  /** Campaign reasons: each kind of pipeline evidence its linked members showed, once, at its strongest. */
  reasons(members: readonly AccountState[], out: Reason[]): void {
    let best: PipelineEvidence | undefined;
    let linked = 0;
    for (const s of members) {
      const e = this.evidenceOf(s.idx);
      if (!e) continue;
      linked++;
      if (!best || e.members > best.members) best = e;
    }
    if (!best) return;
    const p = this.p;
    if (best.tradecraft) out.push({ code: 'shared_tradecraft', weight: p.tradecraftWeight, detail: { accounts: linked, phrase_accounts: best.phraseAccounts } });
    if (best.queue) {
      out.push({ code: 'work_queue', weight: p.queueWeight, detail: { accounts: best.members, accounts_per_item: round(best.spread.accountsPerItem), repeat_share: round(best.spread.repeat), exchanges: best.spread.exchanges } });
    }
    if (best.config) out.push({ code: 'shared_client_config', weight: p.configWeight, detail: { share: round(best.configShare), concentration: round(best.configConcentration) } });
    if (best.timing) out.push({ code: 'shared_timing', weight: p.timingWeight, detail: { silences: best.silence.silences, strength: round(best.silence.strongest), needed: round(best.silence.needed) } });
  }

  /**
   * Where an account stands (diagnostics: bench/pipelines.ts): exchanges that carried a tradecraft
   * phrase, its most used one's accounts in the background (0: none), the candidate group it joined (-1: none).
   */
  accountStatus(idx: number): { marked: number; topPhraseAccounts: number; candidate: number } {
    const key = this.keyOf(idx);
    return { marked: this.marked.get(idx), topPhraseAccounts: key === 0 ? 0 : this.phrases.stats(key).accounts, candidate: this.candidateOf.get(idx) };
  }

  /**
   * A phrase as the linking reads it (diagnostics: bench/pipelines.ts): accounts and uses (sketches), the
   * population, and its grade (2: tradecraft, 1: pending at `retroUses`, 0: neither).
   */
  phraseStatus(h: number): { accounts: number; uses: number; population: number; grade: 0 | 1 | 2 } {
    return { ...this.phrases.stats(h), grade: this.phrases.grade(h, this.p.retroUses) };
  }

  /** The account's pending phrases, remembered for tradecraft counted backwards (diagnostics). */
  pendingOf(idx: number): number {
    return this.retro.phrases(idx, []).length;
  }

  /** The candidate groups with their members and latest evidence (diagnostics: bench/pipelines.ts). */
  *candidateGroups(): IterableIterator<{ phrase: number; members: readonly number[]; evidence: PipelineEvidence | undefined; linkedAt: Millis | undefined; createdAt: Millis; firstAt: Candidate['firstAt'] }> {
    for (const c of this.candidates) if (c.phrase !== 0) yield { phrase: c.phrase, members: c.members, evidence: c.evidence, linkedAt: c.linkedAt, createdAt: c.createdAt, firstAt: c.firstAt };
  }

  get bytes(): number {
    let b = this.phrases.bytes + this.configs.bytes + (this.families?.bytes ?? 0) + (this.dist ? this.dist.members.bytes + this.dist.background.profiles.bytes : 0);
    if (this.qt) b += this.qt.members.bytes + this.qt.test.background.bytes;
    for (const c of this.candidates) b += c.spread.bytes;
    return b;
  }
}

/** Judged, its phrase not tradecraft, and never linked: its members may look for their pipeline's own phrase. */
function rejected(c: Candidate): boolean {
  return c.evidence !== undefined && !c.evidence.tradecraft && c.linkedOn === undefined;
}

/**
 * Most members belong to one declared organization (an evaluator's keys, a company's team) or are
 * business-verified (an app's accounts per customer): an organization that says who it is, not a
 * hidden operator. Its accounts are linked, if at all, by what they openly share (an org, a card).
 */
function declaredOrganization(members: readonly number[], accounts: readonly AccountState[], share: number): boolean {
  const orgs = new Map<string, number>();
  let most = 0;
  let business = 0;
  for (const m of members) {
    if (accounts[m].verification === 'business') business++;
    const o = accounts[m].orgId ?? accounts[m].exchangeOrg;
    if (o === undefined) continue;
    const n = (orgs.get(o) ?? 0) + 1;
    orgs.set(o, n);
    most = Math.max(most, n);
  }
  return Math.max(most, business) >= share * members.length;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export const SHARED_PIPELINES_KINDS: StateKinds = {
  classes: [SharedPipelines, Candidate, GroupTiming, HourlyActivity, RetroTradecraft, PhraseFamilies, QueryProfiles, BackgroundSample, DistributionTest, QueueTest, OpenerItems],
  constants: [],
  // The queue test's index of its background's openers is a cache, rebuilt on first use.
  transient: [[QueueTest, ['index', 'indexedAt']]],
};
