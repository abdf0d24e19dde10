// Analyst decisions as engine inputs. A decision applies from an event time, like a record: replaying
// the same records and decisions gives the same verdicts (scan and serve alike).
//  - dismiss: the evidence seen up to the decision stops counting; evidence that grows after it (a
//    code's weight rising above what was dismissed, a new code) still counts and can flag again.
//  - confirm: the account is distillation from the decision on, and its campaign carries the
//    confirmation as shared evidence, which strengthens every member.
//  - escalate: routing only (a second opinion); it changes no score.
//  - split: the accounts named leave their campaign (a campaign of their own when two or more); the
//    evidence that had tied the two sides never joins them again (Linker.split).
//  - merge: the campaigns of the two accounts named become one, and stay one (Linker.mergeSets).
import type { CampaignEvidenceParams } from '../config/scoring.js';
import type { Reason } from '../core/reasons.js';
import type { Millis } from '../core/records.js';

export type DecisionAction = 'confirm' | 'dismiss' | 'escalate' | 'split' | 'merge';
export const DECISION_ACTIONS: readonly DecisionAction[] = ['confirm', 'dismiss', 'escalate', 'split', 'merge'];
/** Decisions about a campaign's membership (they name more accounts than one). */
export const GROUPING_ACTIONS: readonly DecisionAction[] = ['split', 'merge'];

export interface DecisionInput {
  accountId: string;
  action: DecisionAction;
  /** split: the other accounts taken out with `accountId`; merge: one account of the other campaign. */
  accounts?: readonly string[];
  /** Event time the decision applies from. */
  at: Millis;
}

/** Weight a campaign's confirmation adds, growing with the confirmed members (scoring.campaign.confirmed*). */
export function confirmationWeight(confirmed: number, p: Pick<CampaignEvidenceParams, 'confirmedBase' | 'confirmedStep' | 'confirmedMaxSteps'>): number {
  return confirmed <= 0 ? 0 : p.confirmedBase + p.confirmedStep * Math.min(p.confirmedMaxSteps, confirmed - 1);
}

export class DecisionBook {
  /** Dismissed evidence weight by reason code, by account index. */
  private readonly dismissed = new Map<number, { at: Millis; weights: Map<string, number> }>();
  private readonly confirmed = new Map<number, Millis>();

  /** Records a dismissal of the evidence in `reasons` (the account's reasons as last judged). */
  dismiss(idx: number, reasons: readonly Reason[], at: Millis): void {
    const prev = this.dismissed.get(idx)?.weights;
    const weights = new Map(prev);
    // Reasons as last judged are already net of an earlier dismissal: add them back to it.
    for (const r of reasons) if (r.code !== 'analyst_dismissed') weights.set(r.code, (prev?.get(r.code) ?? 0) + r.weight);
    this.dismissed.set(idx, { at, weights });
    this.confirmed.delete(idx);
  }

  confirm(idx: number, at: Millis): void {
    this.confirmed.set(idx, at);
    this.dismissed.delete(idx);
  }

  /** Whether a decision is in force for the account (adjust changes its reasons). */
  touches(idx: number): boolean {
    return this.confirmed.has(idx) || this.dismissed.has(idx);
  }

  isConfirmed(idx: number): boolean {
    return this.confirmed.has(idx);
  }

  /** The reasons net of dismissed evidence, with the analyst's own reason added. */
  adjust(idx: number, reasons: Reason[]): Reason[] {
    const confirmedAt = this.confirmed.get(idx);
    if (confirmedAt !== undefined) return [...reasons, { code: 'analyst_confirmed', weight: 1, detail: { at: new Date(confirmedAt).toISOString() } }];
    const d = this.dismissed.get(idx);
    if (!d) return reasons;
    const out: Reason[] = [];
    for (const r of reasons) {
      const w = r.weight - (d.weights.get(r.code) ?? 0);
      if (w > 1e-6) out.push({ ...r, weight: w });
    }
    out.push({ code: 'analyst_dismissed', weight: 0, detail: { at: new Date(d.at).toISOString() } });
    return out;
  }

  /** Members an analyst confirmed. */
  confirmedAmong(members: readonly { idx: number }[]): number {
    let n = 0;
    for (const m of members) if (this.confirmed.has(m.idx)) n++;
    return n;
  }
}
