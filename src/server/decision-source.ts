// What a gateway-facing answer needs from whoever holds the decisions: single-node serve's policy stage
// (./gateway.ts) or, on a cluster, the follower of the judge's `dg.decisions` (src/cluster/decision-follower.ts).
// The main API's gateway routes (./routes/gateway-answers.ts) and the gateway listener's thread
// (./gateway-listener.ts) answer from either alike.
import type { ActionLine } from '../act/action-out.js';
import type { Cached, Decision } from './decision-answer.js';

export interface DecisionSource {
  /** The account's decision (allow under the policy in force when it has none). */
  decision(accountId: string): Cached;
  /** Decisions other than allow, for gateways that load a full cache before streaming changes. */
  snapshot(): Decision[];
  /** `name@revision` of the policy in force. */
  readonly label: string;
  /** Enforced changes after `lastSeq` first (when given), then each new one. Returns the unsubscribe. */
  subscribe(lastSeq: number | undefined, send: (seq: number, line: ActionLine) => void): () => void;
  /** Told each policy label that takes effect, before the changes it makes. Returns the unsubscribe. */
  onPolicy(l: (label: string) => void): () => void;
}

/** What the gateway listener's /healthz reports about the service behind it. */
export interface ServiceHealth {
  readonly backlog: number;
  readonly overloaded: boolean;
  readonly failure: string | undefined;
  onFatal(l: (e: Error) => void): void;
}
