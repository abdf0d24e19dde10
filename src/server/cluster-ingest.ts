// `serve --cluster`'s ingest: the checks serve makes on a batch (decode, lateness, duplicate ids), then
// the accepted records go to the JetStream record stream, partitioned by account
// (src/cluster/record-stream.ts). A batch is answered only once JetStream has acknowledged every one
// of its messages: its durability is the stream's (its replicas, its fsync policy), and serve keeps
// no ingest log of its own.
//
// The checks are serve's single-stream ones: a record older than the newest ts seen − max lateness is
// `late`; an exchange whose id an accepted one had within that window is a duplicate. They live in
// memory: after a restart a retried batch passes them again, and then the stream's duplicate window
// (the message id is a digest of the message) and, past it, the judge's dedupe table keep it from
// counting twice. The judge's order stage is the authority on what is counted; serve's receipt says
// what it published.
//
// Messages of one batch are published in arrival order and at once (the client sends them in call
// order on one connection), so a partition's messages keep serve's arrival order; batches are
// admitted one at a time (synchronously) for the same reason.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { CanonicalRecord, Millis } from '../core/records.js';
import type { RejectCode, Rejection } from '../core/rejections.js';
import { toIso } from '../core/time.js';
import { rejectLine } from '../decode/reject.js';
import { Deduper } from '../order/dedupe.js';
import { byPartition, recordsMessages, recordSubject, watermarkMessage } from '../cluster/record-stream.js';
import { publishOnce } from '../cluster/streams.js';
import type { BatchItem, BatchReceipt } from './live.js';

const RECEIPT_REJECTIONS = 20;

export interface ClusterIngestCounts {
  batches: number;
  received: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Messages JetStream acknowledged. */
  published: number;
}

export class ClusterIngest {
  private newest = Number.NEGATIVE_INFINITY;
  private readonly deduper = new Deduper();
  private seq = 0;
  private ordinal = 0;
  readonly counts: ClusterIngestCounts = { batches: 0, received: 0, accepted: 0, duplicates: 0, rejected: 0, published: 0 };
  /** Set once a publish failed: the front takes nothing more (its duplicate table already holds the batch's ids). */
  failure: string | undefined;

  constructor(
    private readonly js: JetStreamClient,
    readonly partitions: number,
    private readonly maxLatenessMs: number,
    /** Largest message body: the server's max_payload less room for headers. */
    private readonly maxMessageBytes: number,
  ) {
    if (!(Number.isInteger(partitions) && partitions >= 1)) throw new Error(`partitions: expected a positive integer, got ${partitions}`);
  }

  /** Records before this are late. */
  private get bound(): Millis {
    return this.newest - this.maxLatenessMs;
  }

  /** Checks a batch and publishes what it accepts; resolves once JetStream has stored it all. */
  async submit(items: BatchItem[]): Promise<BatchReceipt> {
    if (this.failure !== undefined) throw new Error(`the record stream failed earlier (${this.failure}); restart serve`);
    const seq = ++this.seq;
    const accepted: CanonicalRecord[] = [];
    const rejections: Rejection[] = [];
    let dup = 0;
    for (const it of items) {
      it.raw.file = `batch-${seq}`;
      const rec = it.rec;
      if ('reason' in rec) {
        rec.file = it.raw.file;
        rejections.push(rec);
      } else if (rec.ts < this.bound) {
        const behind = Math.round((this.newest - rec.ts) / 1000);
        rejections.push(rejectLine(it.raw, 'order', 'late', `ts: ${toIso(rec.ts)} is ${behind}s older than the newest ts seen (${toIso(this.newest)}); max lateness ${Math.round(this.maxLatenessMs / 1000)}s`));
      } else if (rec.kind === 'exchange' && this.deduper.seen(rec.id, rec.ts, this.bound)) dup++;
      else {
        accepted.push(rec);
        if (rec.ts > this.newest) this.newest = rec.ts;
      }
    }
    // Issued in order before any is awaited: each partition gets this batch's records after the last batch's.
    const first = this.nextOrdinal();
    this.ordinal = first + accepted.length;
    const sent = [...byPartition(accepted, first, this.partitions)].flatMap(([p, part]) =>
      recordsMessages(part.recs, part.order, p, this.partitions, this.maxMessageBytes).map((m) => publishOnce(this.js, recordSubject(p), m.data, { msgID: m.msgID, headers: m.headers })),
    );
    await this.settle(sent);
    const c = this.counts;
    c.batches++;
    c.received += items.length;
    c.accepted += accepted.length;
    c.duplicates += dup;
    c.rejected += rejections.length;
    const byReason: Partial<Record<RejectCode, number>> = {};
    for (const r of rejections) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    return {
      batch: seq,
      received: items.length,
      accepted: accepted.length,
      duplicates: dup,
      rejected: rejections.length,
      rejected_by_reason: byReason,
      rejections: rejections.slice(0, RECEIPT_REJECTIONS).map((r) => ({ line: r.line, reason: r.reason, detail: r.detail })),
    };
  }

  /** A watermark (nothing older will come) on every partition, so the judge can release what precedes it. */
  async watermark(ts: Millis): Promise<{ watermark: Millis }> {
    if (this.failure !== undefined) throw new Error(`the record stream failed earlier (${this.failure}); restart serve`);
    if (ts + this.maxLatenessMs > this.newest) this.newest = ts + this.maxLatenessMs;
    const sent = Array.from({ length: this.partitions }, (_, p) => {
      const m = watermarkMessage(ts, p, this.partitions);
      return publishOnce(this.js, recordSubject(p), m.data, { msgID: m.msgID, headers: m.headers });
    });
    await this.settle(sent);
    return { watermark: ts };
  }

  /**
   * The next arrival ordinal: counted on from the last, and never below the wall clock in µs, so a
   * serve restarted goes on above the ordinals it gave before (at under a million records a second).
   */
  private nextOrdinal(): number {
    return Math.max(this.ordinal, Date.now() * 1000);
  }

  private async settle(sent: Promise<void>[]): Promise<void> {
    const results = await Promise.allSettled(sent);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      this.failure ??= (failed.reason as Error).message;
      throw failed.reason as Error;
    }
    this.counts.published += sent.length;
  }
}
