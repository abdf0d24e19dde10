// The JetStream layout of cluster mode. Work is partitioned: batch parts for partition p go to
// `dg.work.p` (a work-queue stream: each part is taken by the one worker holding p, and removed once
// acknowledged); decoded parts come back on `dg.done.<run>`; each run's engine configuration is the last
// message on `dg.run.<run>`. Every publish carries a message id, so a part re-sent after a crash is
// stored once (JetStream's duplicate window), and a worker acknowledges a part only after its result
// is stored: a worker killed at any point loses nothing and counts nothing twice.
import { connect } from '@nats-io/transport-node';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

export const WORK_STREAM = 'DG_WORK';
export const DONE_STREAM = 'DG_DONE';
export const RUN_STREAM = 'DG_RUNS';

export const workSubject = (partition: number): string => `dg.work.${partition}`;
export const doneSubject = (run: string): string => `dg.done.${run}`;
export const runSubject = (run: string): string => `dg.run.${run}`;
export const workerDurable = (partition: number): string => `dg-worker-${partition}`;

/** Headers: which run and which part a message is. */
export const H_RUN = 'dg-run';
export const H_PART = 'dg-part';
/** On a result: the part could not be decoded (the message says why); the judge fails with it. */
export const H_ERROR = 'dg-error';

const SECOND_NS = 1_000_000_000;

/**
 * A live run publishes its configuration again every RUN_HEARTBEAT_MS; a run whose configuration is
 * older than RUN_STALE_MS died without ending (its judge was killed), and workers drop its parts
 * rather than decode work nobody waits for (which stalled the next run: docs/cluster.md). Assumes the
 * clocks of the server and the workers agree within seconds (NTP).
 */
export const RUN_HEARTBEAT_MS = 5_000;
export const RUN_STALE_MS = 30_000;

export async function connectNats(url: string): Promise<NatsConnection> {
  if (!/^nats:\/\//.test(url)) throw new Error(`--nats takes a nats:// URL, got ${JSON.stringify(url)}`);
  try {
    return await connect({ servers: url, name: 'distillguard', maxReconnectAttempts: 10 });
  } catch (e) {
    throw new Error(`cannot connect to NATS at ${url}: ${(e as Error).message}`);
  }
}

/**
 * Publishes and waits for JetStream's acknowledgement, publishing again when it times out (a loaded
 * server can be slow to answer): the message id makes a second copy a no-op.
 */
export async function publishOnce(js: JetStreamClient, subject: string, data: Uint8Array | string, opts: { msgID: string; headers?: MsgHdrs }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await js.publish(subject, data, { ...opts, timeout: 30_000 });
      return;
    } catch (e) {
      if (attempt >= 5 || !(e instanceof Error && /timeout/i.test(`${e.name} ${e.message}`))) throw e;
    }
  }
}

/** Creates the streams (idempotent: an existing stream is kept as it is). */
export async function ensureStreams(nc: NatsConnection): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc).catch((e: unknown) => {
    throw new Error(`NATS at ${nc.getServer()} has no JetStream (start nats-server with -js): ${(e as Error).message}`);
  });
  const want = [
    { name: WORK_STREAM, subjects: ['dg.work.*'], retention: RetentionPolicy.Workqueue, max_age: 24 * 3600 * SECOND_NS },
    { name: DONE_STREAM, subjects: ['dg.done.*'], retention: RetentionPolicy.Limits, max_age: 3600 * SECOND_NS },
    { name: RUN_STREAM, subjects: ['dg.run.*'], retention: RetentionPolicy.Limits, max_age: 24 * 3600 * SECOND_NS, max_msgs_per_subject: 1 },
  ];
  for (const s of want) {
    try {
      await jsm.streams.info(s.name);
    } catch {
      await jsm.streams.add({ ...s, storage: StorageType.File, duplicate_window: 120 * SECOND_NS });
    }
  }
  return jsm;
}

/** The durable consumer of one partition's work (explicit acks; a part not acknowledged in 10 s goes out again: a killed worker's parts reach another). */
export async function ensureWorkConsumer(jsm: JetStreamManager, partition: number): Promise<void> {
  const name = workerDurable(partition);
  try {
    await jsm.consumers.info(WORK_STREAM, name);
  } catch {
    await jsm.consumers.add(WORK_STREAM, { durable_name: name, filter_subject: workSubject(partition), ack_policy: AckPolicy.Explicit, ack_wait: 10 * SECOND_NS, max_ack_pending: 64 });
  }
}
