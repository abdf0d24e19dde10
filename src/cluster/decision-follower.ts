// A gateway's side of `dg.decisions`: follows the judge's verdict changes (an ordered consumer from the
// stream's first message, then live) and keeps each account's latest. `serve --cluster` answers its
// decision endpoint from it; a gateway elsewhere can do the same with any NATS client.
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { readDecisionEvent } from './decision-events.js';
import { DECISION_STREAM, ensureRecordStreams } from './record-stream.js';

export interface AccountDecision {
  account_id: string;
  verdict: string;
  score: number;
  reasons: string[];
  campaign_id: string | null;
  /** Event time of the change, and the audit entry's id. */
  since: string;
  event_id: string;
}

export class DecisionFollower {
  private readonly byAccount = new Map<string, AccountDecision>();
  /** Stream sequence of the last change applied, and messages that were not verdict changes. */
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
      const cur = this.byAccount.get(e.account_id);
      // Event time orders a judge's changes; a copy re-published after its restart changes nothing.
      if (cur !== undefined && cur.since > e.at) continue;
      this.byAccount.set(e.account_id, { account_id: e.account_id, verdict: e.body.to, score: e.body.score, reasons: e.body.reasons, campaign_id: e.campaign_id, since: e.at, event_id: e.id });
    }
  }

  /** The account's latest verdict change, or undefined when the judge never changed its verdict. */
  get(accountId: string): AccountDecision | undefined {
    return this.byAccount.get(accountId);
  }

  get size(): number {
    return this.byAccount.size;
  }

  async close(): Promise<void> {
    await this.messages.close();
    await this.done.catch(() => undefined);
  }
}
