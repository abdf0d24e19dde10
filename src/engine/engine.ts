// The one online engine: observe → link → judge on the event-time clock. `scan` replays files through
// it and `serve` feeds it live; there is no second, batch implementation of the detection logic.
// Records must arrive in event-time order (the order stage guarantees it). Each stage is built from its
// slice of the configuration (`<stage>/config.ts` build) and keeps its own state; the engine only hands
// one stage's return values to the next (push), and runs the judge on the event-time clock (judgeAt).
// decode and order come before it (order/config.ts builds the Ingestor), act after it (act/config.ts).
import type { EngineConfig } from '../config/schema.js';
import type { CanonicalRecord, Millis } from '../core/records.js';
import { DAY } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import type { Observer } from '../observe/observer.js';
import { build as buildObserver } from '../observe/config.js';
import { build as buildLinker } from '../link/config.js';
import type { Linker } from '../link/linker.js';
import type { Judge, VerdictChange } from '../judge/judge.js';
import { build as buildJudge } from '../judge/config.js';
import type { EngineHooks } from '../judge/peer.js';
import type { StageTimes } from '../core/stage-times.js';
import type { DecisionInput } from '../judge/decisions.js';

export interface DailyCounts {
  exchanges: number;
  /** Exchanges from accounts already flagged `distillation` when they were served. */
  afterFlag: number;
  /** Exchanges of the day by account index: a campaign's day is the sum over the members it has at
   * output time, so exchanges sent before an account was linked count in its campaign's days. */
  accounts: Map<number, number>;
  /** Of those, exchanges served while the account was already flagged (only flagged accounts). */
  flaggedBy: Map<number, number>;
}

export type VerdictListener = (change: VerdictChange) => void;
/** After each judgement at `at`: the accounts judged for their own records since the last one, and the verdict changes. */
export type JudgementListener = (at: Millis, judged: readonly AccountState[], changes: readonly VerdictChange[]) => void;

export class Engine {
  readonly observer: Observer;
  readonly linker: Linker;
  readonly judge: Judge;
  readonly daily = new Map<number, DailyCounts>();
  private readonly dirty: AccountState[] = [];
  private nextTick: Millis | undefined;
  private clock: Millis = -Infinity;
  private readonly listeners: VerdictListener[] = [];
  private readonly judgementListeners: JudgementListener[] = [];
  judgements = 0;
  /** Accounts judged (one per dirty account per judgement) and group memberships moved: the per-account deltas a split by account would hand to the cross-account side (bench/split-seam.ts). */
  accountJudgements = 0;
  membershipMoves = 0;

  /** `times`: charge wall time per stage (bench:perf); absent, nothing is timed. */
  constructor(
    readonly cfg: EngineConfig,
    hooks: EngineHooks = {},
    private readonly times?: StageTimes,
  ) {
    this.observer = buildObserver(cfg, times);
    const peer = hooks.peer;
    this.linker = buildLinker(cfg, this.observer.list, {
      onTemplate: hooks.onTemplate,
      knownTemplate: peer && ((key) => peer.isKnownTemplate(key)),
    }, times);
    this.judge = buildJudge(cfg, this.observer, this.linker, peer, times);
  }

  onVerdict(l: VerdictListener): void {
    this.listeners.push(l);
  }

  /** Downstream stages that act on judgements (src/act/policy-stage.ts) subscribe here. */
  onJudgement(l: JudgementListener): void {
    this.judgementListeners.push(l);
  }

  /** Event time of the newest record observed. */
  get now(): Millis {
    return this.clock;
  }

  push(rec: CanonicalRecord): void {
    const t = rec.ts;
    if (t < this.clock) throw new Error(`engine: record at ${t} is older than the clock ${this.clock}; records must be ordered`);
    this.advanceTo(t);
    this.clock = t;
    const s = this.observer.account(rec.accountId);
    if (!s.dirty) this.dirty.push(s);
    if (rec.kind === 'exchange') {
      // By return values: link names what the exchange shares with others (templates, model), observe
      // folds it into its account, judge counts it into the sums of the account's groups and campaign.
      const keys = this.linker.keysOf(rec);
      const mask = this.observer.observeExchange(rec, keys, s);
      const t0 = this.times ? performance.now() : 0;
      this.judge.countExchange(s, mask, keys.item, t);
      this.count(s, t);
      this.times?.add('observe', t0);
      this.linker.observePipeline(s, rec);
    } else {
      const t0 = this.times ? performance.now() : 0;
      // A changed card, sign-up network or link changes the account's identity keys: link derives them again.
      if (this.observer.observeAccount(rec).identityChanged) this.linker.profileChanged(s.idx);
      this.times?.add('observe', t0);
    }
  }

  /**
   * An analyst's decision, in event-time order with the records: it applies from `d.at`, so a replay
   * of the same records and decisions gives the same verdicts. False when the account is unknown.
   * Live, `d.at` is the engine's clock when the analyst decided.
   */
  decide(d: DecisionInput): boolean {
    if (d.at < this.clock) throw new Error(`engine: decision at ${d.at} is older than the clock ${this.clock}; inputs must be ordered`);
    const s = this.observer.accounts.get(d.accountId);
    if (!s) return false;
    if (d.action === 'split' || d.action === 'merge') return this.regroup(d, s);
    this.advanceTo(d.at);
    this.clock = d.at;
    const change = this.judge.decide(s, d.action, d.at);
    if (change) for (const l of this.listeners) l(change);
    this.markDirty(s);
    // Judged at once (it has seen exactly the records up to d.at), so the decision's effect on the
    // account and its campaign shows without waiting for the next record — the same in scan and serve.
    this.judgeAt(d.at);
    return true;
  }

  /**
   * An analyst's split or merge (DecisionInput): the linked sets change at `d.at` and every member of
   * the sets involved is judged at once. False (nothing changes) when an account is unknown or the
   * accounts do not make a valid split (some, not all, of one campaign) or merge (two campaigns).
   */
  private regroup(d: DecisionInput, s: AccountState): boolean {
    // The sets as they stand at d.at: the judgements before it run first.
    this.advanceTo(d.at);
    this.clock = d.at;
    const valid = this.regroupable(d, s);
    if (!valid) return false;
    const { linker } = this;
    const { idxs, before } = valid;
    if (d.action === 'split') {
      this.judge.coverage.forget(before[0]);
      linker.split(idxs, d.at);
    } else linker.mergeSets(idxs[0], idxs[1], d.at, this.judge);
    for (const r of before) for (const m of linker.membersOf(linker.find(r))) this.markDirty(this.observer.list[m]);
    for (const i of idxs) this.markDirty(this.observer.list[i]);
    // Judged at once (it has seen exactly the records up to d.at), so the decision's effect on the
    // account and its campaign shows without waiting for the next record — the same in scan and serve.
    this.judgeAt(d.at);
    return true;
  }

  /**
   * Whether a split or merge at the engine's clock would be applied (changing nothing): serve asks
   * before it stores the decision, so a refused one is never stored and a stored one never refused.
   */
  canRegroup(d: DecisionInput): boolean {
    const s = this.observer.accounts.get(d.accountId);
    return d.at === this.clock && s !== undefined && this.regroupable(d, s) !== undefined;
  }

  /** The accounts and the linked sets a split (some, not all, of one campaign) or merge (two campaigns) takes; undefined when it is not one. */
  private regroupable(d: DecisionInput, s: AccountState): { idxs: number[]; before: number[] } | undefined {
    const others = (d.accounts ?? []).map((id) => this.observer.accounts.get(id));
    if (others.some((o) => o === undefined)) return undefined;
    const { linker } = this;
    const idxs = [...new Set([s.idx, ...others.map((o) => o!.idx)])];
    const before = [...new Set(idxs.map((i) => linker.find(i)))];
    const isSet = (r: number): boolean => linker.setOf(r) !== undefined;
    const valid =
      d.action === 'split'
        ? before.length === 1 && isSet(before[0]) && idxs.length < linker.membersOf(before[0]).length
        : idxs.length === 2 && before.length === 2 && before.every(isSet);
    return valid ? { idxs, before } : undefined;
  }

  private markDirty(s: AccountState): void {
    if (!s.dirty) {
      s.dirty = true;
      this.dirty.push(s);
    }
  }

  /**
   * A watermark: event time reached t without a record (a live source that went quiet says nothing
   * older will come). Runs the judgements a record at t would have run; a no-op at or before the clock.
   */
  advance(t: Millis): void {
    if (t <= this.clock) return;
    this.advanceTo(t);
    this.clock = t;
  }

  /** Runs every judgement whose time is before t: it sees exactly the records with ts <= its time. */
  private advanceTo(t: Millis): void {
    const step = this.cfg.judgeIntervalMs;
    if (this.nextTick === undefined) this.nextTick = Math.ceil(t / step) * step;
    while (t > this.nextTick) {
      if (this.dirty.length > 0) this.judgeAt(this.nextTick);
      // Nothing happened since: skip straight to the tick covering t.
      this.nextTick = this.dirty.length === 0 ? Math.max(this.nextTick + step, Math.ceil(t / step) * step) : this.nextTick + step;
    }
  }

  /**
   * End of a replay: the judgement at the tick boundary covering the newest record. It has seen every
   * record (all ts <= clock <= that boundary), and it is the same judgement a longer input would have
   * made there, so a prefix of an input flags what the whole input flagged by then.
   */
  finish(): void {
    if (this.dirty.length > 0 && this.nextTick !== undefined) this.judgeAt(this.nextTick);
  }

  /**
   * One judgement at event time `at`, composed from link's and judge's steps by return values: each
   * account touched is scored (judge) and moved between groups (link), the groups link marked dirty
   * are scored (judge), members of suspicious groups are linked (link: the pairwise rule, with the
   * judge's answers as LinkFeedback), the sets touched are scored and verdicts recorded (judge), and
   * the slots of groups dropped go back (link → judge).
   */
  private judgeAt(at: Millis): void {
    const dirty = this.dirty.splice(0);
    const { linker, judge } = this;
    judge.countPending();
    for (const s of dirty) {
      judge.judgeAccount(s, at);
      const moves = linker.update(s, judge);
      this.membershipMoves += moves.left.length + moves.joined.length;
      judge.membersMoved(s, moves);
    }
    this.accountJudgements += dirty.length;
    const groups = judge.scoreGroups(at, linker.takeDirty());
    linker.keepDirty(groups.deferred);
    const touched = linker.linkSuspicious(dirty, groups.crossed, at, judge);
    for (const root of linker.linkPipelines(dirty, at, judge)) touched.add(root);
    const changes = judge.judgeSets(at, touched);
    judge.forgetGroups(linker.releaseDropped());
    for (const s of dirty) s.dirty = false;
    this.judgements++;
    for (const c of changes) for (const l of this.listeners) l(c);
    for (const l of this.judgementListeners) l(at, dirty, changes);
  }

  private count(s: AccountState, t: Millis): void {
    const day = Math.floor(t / DAY);
    let d = this.daily.get(day);
    if (!d) {
      d = { exchanges: 0, afterFlag: 0, accounts: new Map(), flaggedBy: new Map() };
      this.daily.set(day, d);
    }
    d.exchanges++;
    d.accounts.set(s.idx, (d.accounts.get(s.idx) ?? 0) + 1);
    if (this.judge.verdicts.verdict(s.idx) === 'distillation') {
      d.afterFlag++;
      d.flaggedBy.set(s.idx, (d.flaggedBy.get(s.idx) ?? 0) + 1);
    }
  }
}
