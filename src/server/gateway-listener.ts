// `serve --gateway-port N`: a dedicated listener for gateways on its own worker thread
// (gateway-worker.ts). It answers decisions, nginx auth_request, the decision stream and /healthz
// from its own copy of the decision table, which this side keeps in step: every enforced change the
// policy stage makes, and each policy label, is posted to it in order (batched per turn of the main
// loop). Health crosses through shared memory: the main thread's heartbeat, backlog and state, so a
// probe is answered even while the main thread is busy, and says `stalled` when it has not run for
// `stalledAfterMs`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Gauge, type Registry } from 'prom-client';
import type { ActionLine } from '../act/action-out.js';
import { CHANGES_KEPT } from './gateway.js';
import type { DecisionSource, ServiceHealth } from './decision-source.js';
import { HEALTH, type GatewayInit, type GatewayMessage, type WorkerReport } from './gateway-protocol.js';
import type { KeyRing } from './keys.js';

export interface GatewayListenerOptions {
  /** Single-node serve's gateway, or serve --cluster's follower of dg.decisions. */
  gateway: DecisionSource;
  live: ServiceHealth;
  keys: KeyRing | null;
  host: string;
  /** 0 picks a free port. */
  port: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  stalledAfterMs?: number;
  /** Where to report the listener's event-loop delay (`distillguard_gateway_eventloop_lag_max_seconds`). */
  registry?: Registry;
  /** Told about a request that failed inside the listener (a bug: it answered 500). */
  onError?: (message: string) => void;
  /** The compiled worker script (tests under a TypeScript runner pass dist/'s). */
  script?: URL;
}

const HEARTBEAT_MS = 100;
const LOOP_METRIC = 'distillguard_gateway_eventloop_lag_max_seconds';

/** The compiled worker script beside this module, or undefined under a TypeScript runner (node cannot start a .ts worker). */
export function gatewayWorkerScript(): URL | undefined {
  const url = new URL('./gateway-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

export class GatewayListener {
  private constructor(
    readonly url: string,
    private readonly worker: Worker,
    private readonly stopFeeding: () => void,
  ) {}

  static async start(o: GatewayListenerOptions): Promise<GatewayListener> {
    const script = o.script ?? gatewayWorkerScript();
    if (!script) throw new Error('the gateway listener needs the compiled build (npm run build)');
    const shared = new SharedArrayBuffer(HEALTH.size * Float64Array.BYTES_PER_ELEMENT);
    const health = new Float64Array(shared);
    const beat = (): void => {
      health[HEALTH.heartbeat] = Date.now();
      health[HEALTH.backlog] = o.live.backlog;
      health[HEALTH.overloaded] = o.live.overloaded ? 1 : 0;
      health[HEALTH.failed] = o.live.failure === undefined ? 0 : 1;
    };
    beat();

    // The table as of now and every change after it, taken in one synchronous step (nothing between).
    const queue: ({ seq: number; line: ActionLine } | { policy: string })[] = [];
    const recent: { seq: number; line: ActionLine }[] = [];
    let started = false;
    /** Set once the thread exists: what is queued before goes with the first turn after. */
    const sink: { worker?: Worker } = {};
    const post = (): void => {
      if (queue.length === 0 || !sink.worker) return;
      sink.worker.postMessage({ type: 'changes', changes: queue.splice(0) } satisfies GatewayMessage);
    };
    const enqueue = (c: { seq: number; line: ActionLine } | { policy: string }): void => {
      if (queue.length === 0) queueMicrotask(post);
      queue.push(c);
    };
    const unsubscribe = o.gateway.subscribe(0, (seq, line) => (started ? enqueue({ seq, line }) : recent.push({ seq, line })));
    const unwatch = o.gateway.onPolicy((policy) => enqueue({ policy }));
    started = true;
    const init: GatewayInit = {
      host: o.host,
      port: o.port,
      keys: o.keys?.digests() ?? null,
      decisions: o.gateway.snapshot(),
      policy: o.gateway.label,
      recent,
      changesKept: CHANGES_KEPT,
      health: shared,
      stalledAfterMs: o.stalledAfterMs ?? 10_000,
      headersTimeoutMs: o.headersTimeoutMs,
      keepAliveTimeoutMs: o.keepAliveTimeoutMs,
    };
    const worker = new Worker(script, { workerData: init, name: 'distillguard-gateway' });
    sink.worker = worker;

    let loopMax = 0;
    const gauge = o.registry
      ? new Gauge({
          name: LOOP_METRIC,
          help: "Longest event-loop stall of the gateway listener's thread since the last scrape",
          registers: [o.registry],
          collect() {
            this.set(loopMax / 1000);
            loopMax = 0;
          },
        })
      : undefined;
    const timer = setInterval(beat, HEARTBEAT_MS);
    timer.unref();
    const unfatal = onFailure(o.live, (message) => worker.postMessage({ type: 'failure', message } satisfies GatewayMessage));
    const stopFeeding = (): void => {
      clearInterval(timer);
      unsubscribe();
      unwatch();
      unfatal();
      if (gauge) o.registry!.removeSingleMetric(LOOP_METRIC);
    };

    const url = await new Promise<string>((resolve, reject) => {
      worker.on('message', (m: WorkerReport) => {
        if (m.type === 'listening') resolve(m.url);
        else if (m.type === 'listen-failed') reject(new Error(m.message));
        else if (m.type === 'loop') loopMax = Math.max(loopMax, m.maxMs);
        else o.onError?.(m.message);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the gateway listener exited (${code}) before listening`)));
    }).catch(async (e: unknown) => {
      stopFeeding();
      await worker.terminate();
      throw e;
    });
    return new GatewayListener(url, worker, stopFeeding);
  }

  /** Stops feeding the listener, closes its server (open streams end) and waits for its thread to exit. */
  async close(): Promise<void> {
    this.stopFeeding();
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage({ type: 'close' } satisfies GatewayMessage);
    const timeout = setTimeout(() => void this.worker.terminate(), 2000);
    await exited;
    clearTimeout(timeout);
  }
}

/** Calls `l` once when the live service fails (it does not say so twice). Returns the unsubscribe. */
function onFailure(live: ServiceHealth, l: (message: string) => void): () => void {
  let on = true;
  live.onFatal((e) => {
    if (on) l(e.message);
  });
  return () => (on = false);
}
