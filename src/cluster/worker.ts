// `distillguard worker`: takes the batch parts of its partitions from JetStream, decodes them (JSON,
// body adapters, e-mail hashing, capability tags, template sketches: LineDecoder, the same code as a
// scan's decode threads) and publishes the compact records back. It holds no state a restart needs:
// a part is acknowledged only once its result is stored, and the result's message id makes a second
// publish of it a no-op.
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JsMsg, type StoredMsg } from '@nats-io/jetstream';
import type { EngineConfig } from '../config/schema.js';
import { LineDecoder } from '../engine/line-decoder.js';
import { intelScanHooks } from '../intel/scan-hooks.js';
import { connectNats, publishOnce, doneSubject, ensureStreams, ensureWorkConsumer, H_ERROR, H_PART, H_RUN, RUN_STALE_MS, RUN_STREAM, runSubject, WORK_STREAM, workerDurable } from './streams.js';
import { packDecoded, unpackLines } from './wire.js';

export interface WorkerOptions {
  nats: string;
  partitions: number[];
  /** Stops the worker (it finishes the part in hand). */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** A run whose configuration was not refreshed for this long is dead: its parts are dropped (default RUN_STALE_MS). */
  staleRunMs?: number;
}

export interface WorkerStats {
  parts: number;
  lines: number;
  /** Parts of runs that had ended or died, dropped undecoded. */
  dropped: number;
}

/** Runs until `signal` aborts; resolves with what it did. */
export async function runWorker(o: WorkerOptions): Promise<WorkerStats> {
  const nc = await connectNats(o.nats);
  const stats: WorkerStats = { parts: 0, lines: 0, dropped: 0 };
  try {
    const jsm = await ensureStreams(nc);
    const js = jetstream(nc);
    const decoders = new RunDecoders(nc, o.staleRunMs ?? RUN_STALE_MS);
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
        // The run ended, or its judge died (configuration no longer refreshed): nobody waits for this part.
        stats.dropped++;
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

/**
 * One LineDecoder per run, built from the configuration the run published (a few runs kept). A run is
 * live while its configuration is refreshed (RUN_HEARTBEAT_MS); one gone (ended) or older than
 * `staleMs` (its judge died) gets null, so its parts are dropped. Checked at most every 2 s per run.
 */
class RunDecoders {
  private readonly byRun = new Map<string, { decoder: Promise<LineDecoder> | undefined; checked: number; config: Promise<StoredMsg | null> }>();
  constructor(
    private readonly nc: NatsConnection,
    private readonly staleMs: number,
  ) {}

  async of(run: string): Promise<LineDecoder | null> {
    let r = this.byRun.get(run);
    const now = Date.now();
    if (!r) {
      r = { decoder: undefined, checked: now, config: this.lastConfig(run) };
      this.byRun.set(run, r);
      if (this.byRun.size > 8) this.byRun.delete(this.byRun.keys().next().value as string);
    } else if (now - r.checked > 2_000) {
      r.checked = now;
      r.config = this.lastConfig(run);
    }
    const m = await r.config;
    if (m === null || Date.now() - m.time.getTime() > this.staleMs) return null;
    // Built once, from the first configuration seen live (a run's configuration does not change).
    r.decoder ??= this.build(m.json<EngineConfig>());
    return r.decoder;
  }

  private async lastConfig(run: string): Promise<StoredMsg | null> {
    const jsm = await ensureStreams(this.nc);
    return jsm.streams.getMessage(RUN_STREAM, { last_by_subj: runSubject(run) }).catch(() => null);
  }

  private async build(cfg: EngineConfig): Promise<LineDecoder> {
    return new LineDecoder(cfg, (await intelScanHooks(cfg)).shareEmail);
  }
}
