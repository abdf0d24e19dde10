// The hook through which indicators shared by peers reach the online engine (src/intel implements it).
// Kept small on purpose: the judge asks two questions and never sees where the indicators came from.
import type { Reason } from '../core/reasons.js';
import type { Millis } from '../core/records.js';
import type { AccountState } from '../observe/account-state.js';

export interface PeerEvidence {
  /** A template group key (`template:<id>`) a peer reported: accounts join it from first use, like a hot template. */
  isKnownTemplate(key: string): boolean;
  /** Adds a `peer_indicator` reason when the account matches indicators known at event time `now`; `harvesting`: its content score is at least scoring.harvestMin. */
  evaluate(s: AccountState, harvesting: boolean, now: Millis, out: Reason[]): void;
  /**
   * Whether the account matched corroborated peer evidence at its latest evaluation: the peer has already
   * seen this operation at length, so the account's shares count from `minExchanges` exchanges instead of
   * the local minimum (never more than the local minimum).
   */
  vouches(s: AccountState): boolean;
  readonly minExchanges: number;
}

/** Optional extensions of the engine: each sees only what it needs. */
export interface EngineHooks {
  /** Sees each new template cluster's first scaffold window (salt: head or tail, as link/templates.ts). */
  onTemplate?: (id: number, window: string, salt: number) => void;
  peer?: PeerEvidence;
}
