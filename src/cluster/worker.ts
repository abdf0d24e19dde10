// `distillguard worker`: takes the batch parts of its partitions from JetStream, decodes them (JSON,
// body adapters, e-mail hashing, capability tags, template sketches: LineDecoder, the same code as a
// scan's decode threads) and publishes the compact records back. It holds no state a restart needs:
// a part is acknowledged only once its result is stored, and the result's message id makes a second
// publish of it a no-op.
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JsMsg } from '@nats-io/jetstream';
import type { EngineConfig } from '../config/schema.js';
import { LineDecoder } from '../engine/line-decoder.js';
import { intelScanHooks } from '../intel/scan-hooks.js';
import { connectNats, publishOnce, doneSubject, ensureStreams, ensureWorkConsumer, H_ERROR, H_PART, H_RUN, RUN_STREAM, runSubject, WORK_STREAM, workerDurable } from './streams.js';
import { packDecoded, unpackLines } from './wire.js';

export interface WorkerOptions {
  nats: string;
  partitions: number[];
  /** Stops the worker (it finishes the part in hand). */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface WorkerStats {
  parts: number;
  lines: number;
}

/** Runs until `signal` aborts; resolves with what it did. */
export async function runWorker(o: WorkerOptions): Promise<WorkerStats> {
  const nc = await connectNats(o.nats);
  const stats: WorkerStats = { parts: 0, lines: 0 };
  try {
    const jsm = await ensureStreams(nc);
    const js = jetstream(nc);
    const decoders = new RunDecoders(nc);
    const loops = o.partitions.map(async (p) => {
      await ensureWorkConsumer(jsm, p);
      const consumer = await js.consumers.get(WORK_STREAM, workerDurable(p));
      const messages = await consumer.consume({ max_messages: 4 });
      o.signal?.addEventListener('abort', () => void messages.stop(), { once: true });
      for await (const m of messages) {
        await handle(m);
        if (o.signal?.aborted) break;
      }
    });
    const handle = async (m: JsMsg): Promise<void> => {
      const run = m.headers?.get(H_RUN) ?? '';
      const part = m.headers?.get(H_PART) ?? '';
      const decoder = await decoders.of(run);
      if (!decoder) {
        // The run's configuration is gone (the run ended or expired): nobody waits for this part.
        m.term();
        return;
      }
      const h = headers();
      h.set(H_RUN, run);
      h.set(H_PART, part);
      let result: Uint8Array;
      let count = 0;
      try {
        const lines = unpackLines(m.data);
        result = packDecoded(decoder.decode(lines));
        count = lines.count;
      } catch (e) {
        // A part this worker cannot read fails its run with the reason, and never this worker.
        h.set(H_ERROR, (e as Error).message.slice(0, 500));
        result = new Uint8Array(0);
        o.log?.(`distillguard: worker: part ${part} of run ${run} is unreadable: ${(e as Error).message}`);
      }
      await publishOnce(js, doneSubject(run), result, { headers: h, msgID: `${run}.${part}` });
      m.ack();
      stats.parts++;
      stats.lines += count;
    };
    o.log?.(`distillguard: worker on ${nc.getServer()}, partitions ${o.partitions.join(',')}`);
    await Promise.all(loops);
  } finally {
    await nc.drain().catch(() => undefined);
  }
  return stats;
}

/** One LineDecoder per run, built from the configuration the run published (a few runs kept). */
class RunDecoders {
  private readonly byRun = new Map<string, Promise<LineDecoder | null>>();
  constructor(private readonly nc: NatsConnection) {}

  of(run: string): Promise<LineDecoder | null> {
    let d = this.byRun.get(run);
    if (!d) {
      d = this.load(run);
      this.byRun.set(run, d);
      if (this.byRun.size > 8) this.byRun.delete(this.byRun.keys().next().value as string);
    }
    return d;
  }

  private async load(run: string): Promise<LineDecoder | null> {
    const jsm = await ensureStreams(this.nc);
    const msg = await jsm.streams.getMessage(RUN_STREAM, { last_by_subj: runSubject(run) }).catch(() => null);
    if (!msg) return null;
    const cfg = msg.json<EngineConfig>();
    return new LineDecoder(cfg, (await intelScanHooks(cfg)).shareEmail);
  }
}
