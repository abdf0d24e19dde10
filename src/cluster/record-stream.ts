// The live record stream of cluster mode: `serve --cluster` publishes the records it accepts to
// JetStream, partitioned by account, and `distillguard judge` consumes them (src/cluster/judge.ts).
//
//   stream DG_RECORDS, subjects dg.rec.<p>   one message = the records of one account partition in one
//                                              ingest batch, or a watermark (header dg-wm, no body)
//
// A records message is JSON `{"o": [arrival ordinals], "recs": [canonical records]}`: the ordinal is
// the record's place in serve's arrival order, which breaks ties of equal ts when the judge merges the
// partitions (so records leave its order stage as they leave a scan's). Every message names the
// number of partitions (header dg-partitions): the judge holds event time back for each of them from
// the first message on, not only for those it has heard from.
//   stream DG_DECISIONS, subject dg.decisions the judge's verdict and action changes, for gateways
//
// A message's id is a digest of its content, so a batch re-sent (a client retrying after a lost
// answer, a serve restarted mid-publish) is stored once within the duplicate window; the judge's own
// dedupe table catches copies older than that. The stream keeps messages by age (limits retention):
// a judge restarted from a checkpoint reads on from the checkpoint's sequence, so the stream must
// keep at least two checkpoint intervals of traffic (default 7 days).
import { createHash } from 'node:crypto';
import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { RetentionPolicy, StorageType, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { CanonicalRecord, Millis } from '../core/records.js';
import { murmur3 } from '../sketches/hash.js';

export const RECORD_STREAM = 'DG_RECORDS';
export const DECISION_STREAM = 'DG_DECISIONS';
export const DECISION_SUBJECT = 'dg.decisions';
export const recordSubject = (partition: number): string => `dg.rec.${partition}`;
/** The judge's durable consumer of the record stream. */
export const JUDGE_DURABLE = 'dg-judge';
/** Header: a watermark message (epoch ms): nothing older will come on this partition. */
export const H_WM = 'dg-wm';
/** Header: the number of partitions serve publishes over. */
export const H_PARTITIONS = 'dg-partitions';

const SECOND_NS = 1_000_000_000;
const DAY_NS = 86_400 * SECOND_NS;

export interface RecordStreamOptions {
  /** Wall ms the stream keeps a message (default 7 days). */
  maxAgeMs?: number;
  /** Wall ms within which a second copy of a message id is dropped (default 10 minutes). */
  duplicateWindowMs?: number;
}

/** Creates the record and decision streams when missing (an existing stream is kept as it is). */
export async function ensureRecordStreams(nc: NatsConnection, o: RecordStreamOptions = {}): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc).catch((e: unknown) => {
    throw new Error(`NATS at ${nc.getServer()} has no JetStream (start nats-server with -js): ${(e as Error).message}`);
  });
  const maxAge = o.maxAgeMs === undefined ? 7 * DAY_NS : o.maxAgeMs * 1e6;
  const want = [
    { name: RECORD_STREAM, subjects: ['dg.rec.*'], max_age: maxAge },
    { name: DECISION_STREAM, subjects: [DECISION_SUBJECT], max_age: maxAge },
  ];
  for (const s of want) {
    try {
      await jsm.streams.info(s.name);
    } catch {
      await jsm.streams.add({ ...s, retention: RetentionPolicy.Limits, storage: StorageType.File, duplicate_window: (o.duplicateWindowMs ?? 600_000) * 1e6 });
    }
  }
  return jsm;
}

/** The largest records message body the server takes: its max_payload, less room for the headers. */
export function maxMessageBytes(nc: NatsConnection): number {
  return Math.max(64 << 10, (nc.info?.max_payload ?? 1 << 20) - 4096);
}

/** The partition of an account: a fixed hash of its id, so an account's records stay in one partition's order. */
export function partitionOf(accountId: string, partitions: number): number {
  return (murmur3(accountId, 0x5eed) >>> 0) % partitions;
}

/** Splits accepted records (arrival order, the i-th with ordinal first + i) by partition, each keeping arrival order. */
export function byPartition(recs: readonly CanonicalRecord[], first: number, partitions: number): Map<number, { recs: CanonicalRecord[]; order: number[] }> {
  const out = new Map<number, { recs: CanonicalRecord[]; order: number[] }>();
  for (let i = 0; i < recs.length; i++) {
    const p = partitionOf(recs[i].accountId, partitions);
    let a = out.get(p);
    if (!a) out.set(p, (a = { recs: [], order: [] }));
    a.recs.push(recs[i]);
    a.order.push(first + i);
  }
  return out;
}

export interface OutMessage {
  data: Uint8Array;
  headers: MsgHdrs;
  /** A digest of the records (not of the ordinals: a batch re-sent after serve restarted is the same message). */
  msgID: string;
}

/** One partition's records of a batch, with their arrival ordinals, as a message. */
export function recordsMessage(recs: readonly CanonicalRecord[], order: readonly number[], partition: number, partitions: number): OutMessage {
  const body = JSON.stringify(recs);
  const h = headers();
  h.set(H_PARTITIONS, String(partitions));
  return { data: Buffer.from(`{"o":${JSON.stringify(order)},"recs":${body}}`), headers: h, msgID: `r.${partition}.${createHash('sha256').update(body).digest('base64url').slice(0, 32)}` };
}

/**
 * One partition's records of a batch as messages of at most `maxBytes` each (a record larger than that
 * alone in one: the server refuses it, and the batch with it). In order: the records stay in arrival order.
 */
export function recordsMessages(recs: readonly CanonicalRecord[], order: readonly number[], partition: number, partitions: number, maxBytes: number): OutMessage[] {
  const out: OutMessage[] = [];
  let from = 0;
  let size = 0;
  for (let i = 0; i < recs.length; i++) {
    // JSON length in UTF-16 units: at most the bytes for ASCII, and a cut a little early for the rest is harmless.
    const n = JSON.stringify(recs[i]).length * 1.1 + 24;
    if (i > from && size + n > maxBytes) {
      out.push(recordsMessage(recs.slice(from, i), order.slice(from, i), partition, partitions));
      from = i;
      size = 0;
    }
    size += n;
  }
  if (from < recs.length) out.push(recordsMessage(recs.slice(from), order.slice(from), partition, partitions));
  return out;
}

/** A watermark message for a partition (the same watermark twice is one message). */
export function watermarkMessage(ts: Millis, partition: number, partitions: number): OutMessage {
  const h = headers();
  h.set(H_WM, String(ts));
  h.set(H_PARTITIONS, String(partitions));
  return { data: new Uint8Array(0), headers: h, msgID: `w.${partition}.${ts}` };
}

/** What a record-stream message carries, and how many partitions there are. */
export type StreamItem = ({ kind: 'records'; recs: CanonicalRecord[]; order: number[] } | { kind: 'watermark'; ts: Millis }) & { partitions: number };

/** Reads a record-stream message; throws with the reason when it is not one. */
export function readStreamItem(data: Uint8Array, hdrs: MsgHdrs | undefined): StreamItem {
  const partitions = Number(hdrs?.get(H_PARTITIONS));
  if (!(Number.isInteger(partitions) && partitions >= 1)) throw new Error(`header ${H_PARTITIONS} must name the number of partitions`);
  const wm = hdrs?.get(H_WM);
  if (wm !== undefined && wm !== '') {
    const ts = Number(wm);
    if (!Number.isFinite(ts)) throw new Error(`watermark header ${JSON.stringify(wm)} is not a number`);
    return { kind: 'watermark', ts, partitions };
  }
  const m = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as { o?: unknown; recs?: unknown };
  if (!Array.isArray(m.recs) || !Array.isArray(m.o) || m.o.length !== m.recs.length) throw new Error('a record message must be {"o": [ordinals], "recs": [records]} of equal lengths');
  return { kind: 'records', recs: m.recs as CanonicalRecord[], order: m.o as number[], partitions };
}

/** The partition a subject names (dg.rec.<p>), or throws. */
export function partitionOfSubject(subject: string): number {
  const m = /^dg\.rec\.(\d+)$/.exec(subject);
  if (!m) throw new Error(`${subject} is not a record-stream subject`);
  return Number(m[1]);
}
