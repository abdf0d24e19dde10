// The fan-out of a gateway's decision changes: the recent enforced changes (for a stream resumed with
// Last-Event-ID), their subscribers and the listeners of policy labels. Single-node serve's policy
// stage (./gateway.ts) and serve --cluster's follower of `dg.decisions` (src/cluster/decision-follower.ts)
// feed one each; the gateway routes and the gateway listener subscribe to it through a DecisionSource.
import type { ActionLine } from '../act/action-out.js';
import type { StateKinds } from '../core/state-graph.js';

/** Enforced changes kept for a stream resumed with Last-Event-ID. */
export const CHANGES_KEPT = 10_000;

export class DecisionFeed {
  private readonly recent: { seq: number; line: ActionLine }[] = [];
  private readonly subscribers = new Set<(seq: number, line: ActionLine) => void>();
  private readonly policyListeners = new Set<(label: string) => void>();

  /** Subscribes to enforced decision changes; replays those after `lastSeq` first. Returns the unsubscribe. */
  subscribe(lastSeq: number | undefined, send: (seq: number, line: ActionLine) => void): () => void {
    if (lastSeq !== undefined) for (const r of this.recent) if (r.seq > lastSeq) send(r.seq, r.line);
    this.subscribers.add(send);
    return () => this.subscribers.delete(send);
  }

  /**
   * Calls `l` with the policy's `name@revision` whenever another policy takes effect, before the
   * decision changes it makes are sent to subscribers. Returns the unsubscribe.
   */
  onPolicy(l: (label: string) => void): () => void {
    this.policyListeners.add(l);
    return () => this.policyListeners.delete(l);
  }

  /** Forgets the recent changes (a gateway starting over); subscribers and listeners stay. */
  clear(): void {
    this.recent.length = 0;
  }

  /** Another policy takes effect (told before the changes it makes). */
  policy(label: string): void {
    for (const l of this.policyListeners) l(label);
  }

  /** An enforced change, numbered `seq` (increasing), to every subscriber. */
  change(seq: number, line: ActionLine): void {
    this.recent.push({ seq, line });
    if (this.recent.length > CHANGES_KEPT) this.recent.splice(0, this.recent.length - CHANGES_KEPT);
    for (const s of this.subscribers) s(seq, line);
  }
}

/** In a checkpoint: the recent changes; the listeners are wiring. */
export const DECISION_FEED_KINDS: StateKinds = { classes: [DecisionFeed], constants: [], transient: [[DecisionFeed, ['subscribers', 'policyListeners']]] };
