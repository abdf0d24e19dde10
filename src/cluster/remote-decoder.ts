// The judge's side of cluster decoding: a BatchDecoder (src/engine/decode-pool.ts) whose decoders are
// worker processes behind JetStream. Each batch of lines is cut into parts that fit a NATS message,
// parts go round-robin over the partitions, and results are handed back in the order asked, so the
// order stage and the engine see exactly what a single-process scan sees.
import { headers, nuid, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import type { EngineConfig } from '../config/schema.js';
import type { BatchDecoder, Decoded } from '../engine/decode-pool.js';
import { decodeBatch } from '../engine/record-codec.js';
import type { CanonicalRecord } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';
import type { LineBytes } from '../sources/line-bytes.js';
import { DONE_STREAM, doneSubject, ensureStreams, publishOnce, H_ERROR, H_PART, H_RUN, RUN_HEARTBEAT_MS, RUN_STREAM, runSubject, workSubject } from './streams.js';
import { packLines, splitLines, unpackDecoded } from './wire.js';

export interface RemoteDecoderStats {
  parts: number;
  lines: number;
  /** Bytes of line text sent and of compact records received. */
  sentBytes: number;
  receivedBytes: number;
}

type Waiter = { resolve: (r: (CanonicalRecord | Rejection)[]) => void; reject: (e: Error) => void; partition: number; since: number };

export class RemoteDecoder implements BatchDecoder {
  readonly stats: RemoteDecoderStats = { parts: 0, lines: 0, sentBytes: 0, receivedBytes: 0 };
  private seq = 0;
  private nextPartition = 0;
  private readonly waiting = new Map<string, Waiter>();
  private failure: Error | undefined;
  private readonly watchdog: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly run: string,
    private readonly partitions: number,
    private readonly maxPartBytes: number,
    private readonly results: ConsumerMessages,
    stallMs: number,
    config: string,
  ) {
    void this.collect();
    // The configuration published again says the run is alive (workers drop the parts of dead runs).
    let beat = 0;
    this.heartbeat = setInterval(() => {
      publishOnce(js, runSubject(run), config, { msgID: `cfg.${run}.${++beat}` }).catch((e: unknown) => this.fail(e as Error));
    }, RUN_HEARTBEAT_MS);
    this.heartbeat.unref();
    // A partition nobody works on would stall the scan for ever: fail with what to start instead.
    this.watchdog = setInterval(() => {
      const now = Date.now();
      for (const w of this.waiting.values()) {
        if (now - w.since > stallMs) this.fail(new Error(`no worker answered partition ${w.partition} within ${Math.round(stallMs / 1000)} s: start \`distillguard worker --nats ${nc.getServer()} --shards ${w.partition}\``));
      }
    }, Math.min(1000, stallMs));
  }

  /** Publishes the run's configuration and starts collecting its results. */
  static async open(nc: NatsConnection, cfg: EngineConfig, partitions: number, opts: { stallMs?: number } = {}): Promise<RemoteDecoder> {
    if (!(Number.isInteger(partitions) && partitions >= 1)) throw new Error(`partitions: expected a positive integer, got ${partitions}`);
    await ensureStreams(nc);
    const js = jetstream(nc);
    const run = nuid.next();
    const config = JSON.stringify(cfg);
    await publishOnce(js, runSubject(run), config, { msgID: `cfg.${run}` });
    // Ordered consumer: every result of this run, from the first.
    const consumer = await js.consumers.get(DONE_STREAM, { filter_subjects: doneSubject(run) });
    const results = await consumer.consume();
    // Half the server's payload limit for line text leaves room for the frame's header.
    const maxPartBytes = Math.max(64 * 1024, Math.floor(nc.info!.max_payload / 2));
    return new RemoteDecoder(nc, js, run, partitions, maxPartBytes, results, opts.stallMs ?? 60_000, config);
  }

  get size(): number {
    return this.partitions;
  }

  decode(lines: LineBytes): Promise<Decoded> {
    const seq = this.seq++;
    const decoded = this.failure
      ? Promise.reject(this.failure)
      : Promise.all(splitLines(lines, this.maxPartBytes).map((part, k) => this.send(`${seq}.${k}`, part))).then((r) => ({ recs: r.flat(), lines }));
    // Batches are awaited in order: one that fails while an earlier one is awaited must not count as unhandled.
    decoded.catch(() => undefined);
    return decoded;
  }

  private send(key: string, part: LineBytes): Promise<(CanonicalRecord | Rejection)[]> {
    const partition = this.nextPartition++ % this.partitions;
    const data = packLines(part);
    this.stats.parts++;
    this.stats.lines += part.count;
    this.stats.sentBytes += data.byteLength;
    const done = new Promise<(CanonicalRecord | Rejection)[]>((resolve, reject) => this.waiting.set(key, { resolve, reject, partition, since: Date.now() }));
    const h = headers();
    h.set(H_RUN, this.run);
    h.set(H_PART, key);
    publishOnce(this.js, workSubject(partition), data, { headers: h, msgID: `${this.run}.${key}` }).catch((e: unknown) => this.fail(e as Error));
    return done;
  }

  private async collect(): Promise<void> {
    try {
      for await (const m of this.results) {
        if (m.headers?.get(H_RUN) !== this.run) continue;
        const w = this.waiting.get(m.headers.get(H_PART));
        if (!w) continue; // a result already taken (a worker that restarted before acknowledging)
        this.waiting.delete(m.headers.get(H_PART));
        if (m.headers.has(H_ERROR)) throw new Error(`a worker could not decode part ${m.headers.get(H_PART)}: ${m.headers.get(H_ERROR)}`);
        this.stats.receivedBytes += m.data.byteLength;
        w.resolve(decodeBatch(unpackDecoded(m.data)));
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }

  /** Stops collecting and removes the run's results and configuration from the streams. */
  async close(): Promise<void> {
    clearInterval(this.watchdog);
    clearInterval(this.heartbeat);
    await this.results.close();
    const jsm = await ensureStreams(this.nc);
    await jsm.streams.purge(DONE_STREAM, { filter: doneSubject(this.run) }).catch(() => undefined);
    await jsm.streams.purge(RUN_STREAM, { filter: runSubject(this.run) }).catch(() => undefined);
  }
}
