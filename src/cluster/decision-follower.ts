// A gateway's side of `dg.decisions`: follows the judge's changes (an ordered consumer from the
// stream's first message, then live) and keeps what single-node serve's policy stage keeps for its
// gateway routes: each account's enforced action (precomputed answers), the policy label in force and
// the recent changes for a stream resumed with Last-Event-ID. `serve --cluster` answers its gateway
// routes and its gateway listener from it (a DecisionSource); a gateway elsewhere can do the same
// with any NATS client.
//
// Sequence numbers of the decision stream are JetStream's own: the same for every serve --cluster
// following the stream, and across their restarts. Delivery is at least once past JetStream's duplicate
// window (a judge restarted from an older checkpoint publishes its changes again under the same ids):
// a copy (decision-copies.ts) is dropped, so it changes nothing and is not streamed twice.
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ActionLine } from '../act/action-out.js';
import { allowFor, cachedDecision, decisionOf, type Cached, type Decision } from '../server/decision-answer.js';
import type { DecisionSource } from '../server/decision-source.js';
import type { PolicyVersion } from '../server/gateway.js';
import { DecisionFeed } from '../server/decision-feed.js';
import { DecisionCopies } from './decision-copies.js';
import { readDecisionEvent, type DecisionEvent } from './decision-events.js';
import { DECISION_STREAM, ensureRecordStreams } from './record-stream.js';

export class DecisionFollower implements DecisionSource {
  private readonly decisions = new Map<string, Cached>();
  private readonly copies = new DecisionCopies();
  private readonly feed = new DecisionFeed();
  /** The policy in force as the judge last said; undefined before its first policy_change. */
  version: PolicyVersion | undefined;
  /** Stream sequence of the last message applied, and messages that were not decision events. */
  lastSeq = 0;
  unreadable = 0;
  private readonly done: Promise<void>;

  private constructor(private readonly messages: ConsumerMessages) {
    this.done = this.follow();
  }

  static async start(nc: NatsConnection): Promise<DecisionFollower> {
    await ensureRecordStreams(nc);
    const consumer = await jetstream(nc).consumers.get(DECISION_STREAM, { deliver_policy: DeliverPolicy.All });
    return new DecisionFollower(await consumer.consume());
  }

  private async follow(): Promise<void> {
    for await (const m of this.messages) {
      this.lastSeq = m.seq;
      let e;
      try {
        e = readDecisionEvent(m.data);
      } catch {
        this.unreadable++;
        continue;
      }
      this.apply(m.seq, e);
    }
  }

  /** One event of the stream at sequence `seq`: verdict changes are the read API's, not the gateway's. */
  private apply(seq: number, e: DecisionEvent): void {
    if (e.kind === 'verdict_change' || !this.copies.take(e)) return;
    if (e.kind === 'policy_change') {
      this.version = e.body;
      this.feed.policy(this.label);
      return;
    }
    const line = e.body;
    if (line.mode !== 'enforce') return;
    if (line.action === 'allow') this.decisions.delete(line.account_id);
    else this.decisions.set(line.account_id, cachedDecision(decisionOf(line)));
    this.feed.change(seq, line);
  }

  get label(): string {
    return this.version === undefined ? 'none' : `${this.version.name}@${this.version.revision}`;
  }

  decision(accountId: string): Cached {
    return this.decisions.get(accountId) ?? allowFor(accountId, this.label);
  }

  snapshot(): Decision[] {
    return [...this.decisions.values()].map((c) => c.decision);
  }

  subscribe(lastSeq: number | undefined, send: (seq: number, line: ActionLine) => void): () => void {
    return this.feed.subscribe(lastSeq, send);
  }

  onPolicy(l: (label: string) => void): () => void {
    return this.feed.onPolicy(l);
  }

  /** Accounts under an action other than allow. */
  get size(): number {
    return this.decisions.size;
  }

  async close(): Promise<void> {
    await this.messages.close();
    await this.done.catch(() => undefined);
  }
}
