// What the judge concluded about each account, in columns keyed by account index: content (harvest)
// score, score, verdict, reasons, the flags it last contributed to its groups' member sums, and the flag
// times of the few accounts ever suspicious. The judge writes them; outputs, act and intel read them
// (AccountJudgement). An account the judge has not seen reads as benign with no evidence.
import { F64Column, U8Column } from '../core/columns.js';
import type { Reason } from '../core/reasons.js';
import type { Millis } from '../core/records.js';
import type { VerdictLevel } from '../core/output.js';

/** The reasons of an account that has none, shared by all of them (frozen: a write is a bug). */
export const NO_REASONS: readonly Reason[] = Object.freeze([]);

/** Reasons kept as the parts they are made of, built on first read (./member-reasons.ts). */
export interface PendingReasons {
  get(): readonly Reason[];
}

const VERDICTS: readonly VerdictLevel[] = ['benign', 'suspicious', 'distillation'];

/** When the account was first suspicious and flagged: kept for the few accounts that ever are. */
interface FlagTimes {
  flaggedAt: Millis | null;
  suspiciousAt: Millis | null;
  exchangesAtFlag: number | null;
}

/** The judge's conclusions about accounts, read-only. */
export interface AccountJudgement {
  /** Content (harvest) score of the latest judgement, in [0, 1]. */
  harvest(idx: number): number;
  score(idx: number): number;
  verdict(idx: number): VerdictLevel;
  reasons(idx: number): readonly Reason[];
  flaggedAt(idx: number): Millis | null;
  suspiciousAt(idx: number): Millis | null;
  exchangesAtFlag(idx: number): number | null;
}

export class AccountVerdicts implements AccountJudgement {
  private readonly harvests = new F64Column();
  private readonly scores = new F64Column();
  private readonly verdicts = new U8Column();
  /** The flags each account last contributed to its groups' member sums (./group-aggregates.ts). */
  private readonly flags = new U8Column();
  private readonly reasonsOf: (readonly Reason[] | PendingReasons | undefined)[] = [];
  private readonly times = new Map<number, FlagTimes>();

  harvest(idx: number): number {
    return this.harvests.get(idx);
  }
  setHarvest(idx: number, v: number): void {
    this.harvests.set(idx, v);
  }
  score(idx: number): number {
    return this.scores.get(idx);
  }
  setScore(idx: number, v: number): void {
    this.scores.set(idx, v);
  }
  verdict(idx: number): VerdictLevel {
    return VERDICTS[this.verdicts.get(idx)];
  }
  setVerdict(idx: number, v: VerdictLevel): void {
    this.verdicts.set(idx, VERDICTS.indexOf(v));
  }
  groupFlags(idx: number): number {
    return this.flags.get(idx);
  }
  setGroupFlags(idx: number, f: number): void {
    if ((f & ~0xff) !== 0) throw new Error(`AccountVerdicts: group flags ${f} do not fit in 8 bits`);
    this.flags.set(idx, f);
  }
  reasons(idx: number): readonly Reason[] {
    const r = this.reasonsOf[idx];
    if (r === undefined) return NO_REASONS;
    return isPending(r) ? r.get() : r;
  }
  /**
   * What changes whenever the account's reasons are set again, without building pending ones: a reader
   * that compares it with the last one it saw knows whether the reasons may differ.
   */
  reasonsVersion(idx: number): unknown {
    return this.reasonsOf[idx] ?? NO_REASONS;
  }
  /** Whether the reasons hold an analyst's dismissal (pending reasons never do: ./member-reasons.ts). */
  dismissed(idx: number): boolean {
    const r = this.reasonsOf[idx];
    return r !== undefined && !isPending(r) && r.some((x) => x.code === 'analyst_dismissed');
  }
  setReasons(idx: number, r: readonly Reason[] | PendingReasons): void {
    // Filled up to idx (a far write would turn the array into a dictionary).
    while (this.reasonsOf.length < idx) this.reasonsOf.push(undefined);
    this.reasonsOf[idx] = r;
  }

  flaggedAt(idx: number): Millis | null {
    return this.times.get(idx)?.flaggedAt ?? null;
  }
  suspiciousAt(idx: number): Millis | null {
    return this.times.get(idx)?.suspiciousAt ?? null;
  }
  exchangesAtFlag(idx: number): number | null {
    return this.times.get(idx)?.exchangesAtFlag ?? null;
  }
  /** Marks the account suspicious at `at` unless it already was. */
  markSuspicious(idx: number, at: Millis): void {
    const t = this.timesOf(idx);
    t.suspiciousAt ??= at;
  }
  /** Marks the account flagged at `at` with `exchanges` seen, unless it already was. */
  markFlagged(idx: number, at: Millis, exchanges: number): void {
    const t = this.timesOf(idx);
    if (t.flaggedAt !== null) return;
    t.flaggedAt = at;
    t.exchangesAtFlag = exchanges;
  }
  /** An analyst's dismissal: the flag times go (new evidence can flag again, at a new time). */
  clearFlags(idx: number): void {
    this.times.delete(idx);
  }

  private timesOf(idx: number): FlagTimes {
    let t = this.times.get(idx);
    if (t === undefined) this.times.set(idx, (t = { flaggedAt: null, suspiciousAt: null, exchangesAtFlag: null }));
    return t;
  }
}

function isPending(r: readonly Reason[] | PendingReasons): r is PendingReasons {
  return !Array.isArray(r);
}
