// The interface every per-account signal satisfies. A signal reads bounded account state and
// appends reasons (stable code + weight + parameters); it never sees other accounts.
import type { ScoringParams } from '../config/scoring.js';
import type { Reason, ReasonCode } from '../core/reasons.js';
import type { Millis } from '../core/records.js';
import type { AccountState } from '../observe/account-state.js';

export type SignalFamily = 'content' | 'behaviour' | 'identity';

export interface SignalContext {
  /** Event time of the judgement. */
  now: Millis;
  /** The scoring numbers (thresholds and weights of the content signals among them). */
  scoring: ScoringParams;
}

export interface Signal {
  readonly name: string;
  readonly family: SignalFamily;
  readonly codes: readonly ReasonCode[];
  evaluate(s: AccountState, ctx: SignalContext, out: Reason[]): void;
}
