// `distillguard serve --db PATH --port N`: the live service. Records in over HTTP (NDJSON, OTLP,
// LiteLLM), a durable ingest log, the online engine, results in the store, a read API, webhooks.
import type { Command } from 'commander';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { buildEngineConfig, type EngineConfigInput } from '../config/schema.js';
import { withEmailKey } from '../config/secret.js';
import { loadConfigFile } from '../config/load.js';
import { InputError } from '../core/errors.js';
import { WebhookDispatcher } from '../act/webhooks.js';
import { webhookSecret } from './webhook-flags.js';
import { buildServer } from '../server/app.js';
import { loadKeys } from '../server/keys.js';
import { DEFAULT_LIMITS } from '../server/limits.js';
import { DEFAULT_STORE_EVERY_MS, LiveService } from '../server/live.js';
import { routeGrpcLogs, startOtlpGrpc, type OtlpGrpcServer } from '../server/otlp-grpc.js';
import { liveOtlpSink } from '../server/otlp-export.js';
import { openStore } from '../store/open.js';
import { isPostgresUrl, redactUrl } from '../store/pg.js';
import { parseNumber } from './main.js';
import { mountTaxii } from '../intel/taxii/mount.js';
import { loadDefaultPolicy, loadPolicyFile } from '../act/policy-load.js';
import { Gateway } from '../server/gateway.js';
import { DEFAULT_CHECKPOINTS } from '../server/checkpoints.js';
import { registerDecisionRoutes } from '../server/routes/decision.js';
import { GatewayListener } from '../server/gateway-listener.js';
import { DecodePool, serveDecodeWorkers } from '../engine/decode-pool.js';
import { runClusterServe } from './serve-cluster.js';

export interface ServeOptions {
  db: string;
  /** postgres:// URL of the store the results are kept in (default: the DuckDB file --db). */
  store?: string;
  port: number;
  host: string;
  keys?: string;
  auth: boolean;
  logDir?: string;
  config?: string;
  maxLateness?: number;
  highWater: number;
  highWaterMib: number;
  maxBehind: number;
  bodyLimit: number;
  maxBatchRecords: number;
  maxDepth: number;
  bodyTimeout: number;
  headersTimeout: number;
  maxConcurrentIngest: number;
  logKeyFile?: string;
  sourceIdle: number;
  logRetentionDays?: number;
  /** Seconds between checkpoints of the state beside the ingest log (0: none). */
  checkpointEvery: number;
  checkpointKeep: number;
  webhookUrl: string[];
  webhookSecretFile?: string;
  flushMs: number;
  storeEvery: number;
  logLevel: string;
  /** TAXII 2.1 configuration: serves /taxii2/ beside the API (src/intel). */
  taxii?: string;
  taxiiDb?: string;
  /** Also serve OTLP/gRPC (TraceService, LogsService) on this port. */
  otlpGrpcPort?: number;
  policy?: string;
  /** Also answer decisions, nginx auth_request, the decision stream and /healthz on this port, from a dedicated thread. */
  gatewayPort?: number;
  /** Decode workers for NDJSON ingest (0: decode on the main thread); default one per spare core, up to 4. */
  decodeWorkers?: number;
  /** Cluster mode: records to JetStream (--nats), results read from the judge's PostgreSQL store (--store). */
  cluster?: boolean;
  nats?: string;
  partitions: number;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the live service: ingest HTTP/OTLP/LiteLLM traffic, judge it online, serve results')
    .requiredOption('--db <path>', 'DuckDB store the results are kept in; beside it, the ingest log and e-mail key')
    .option('--store <url>', 'keep the results in PostgreSQL at this postgres:// URL instead of the DuckDB file (the ingest log and key stay beside --db)')
    .option('--port <n>', 'TCP port (0 picks a free one)', parseNumber('int', 0, 65535), 8080)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--keys <file>', 'API keys file (JSON: {"keys":[{"id","key","roles":["ingest"|"read"|"analyst"]}]})')
    .option('--no-auth', 'accept requests without keys (local demos only)')
    .option('--log-dir <dir>', 'ingest log folder (default: DB.ingest)')
    .option('--config <file>', 'engine configuration (JSON), as for scan')
    .option('--max-lateness <minutes>', 'accept records this much older than the newest seen', parseNumber('float', 0))
    .option('--high-water <records>', 'answer 429 while the engine is this many records behind', parseNumber('int', 1), 100_000)
    .option('--high-water-mib <MiB>', 'answer 429 while the records waiting for the engine hold this much', parseNumber('float', 1), 256)
    .option('--max-behind <seconds>', 'answer 429 while the engine needs more than this many seconds of processing to catch up', parseNumber('float', 0.001), 5)
    .option('--body-limit <MiB>', 'largest request body as sent', parseNumber('float', 0.001), 16)
    .option('--max-batch-records <n>', 'most records (lines, spans, payloads) in one request', parseNumber('int', 1), DEFAULT_LIMITS.maxBatchRecords)
    .option('--max-depth <n>', 'deepest nesting of objects and arrays in a record or JSON body', parseNumber('int', 8, 10_000), DEFAULT_LIMITS.maxDepth)
    .option('--body-timeout <s>', 'seconds a request body may take to arrive (then 408)', parseNumber('float', 0.05), DEFAULT_LIMITS.bodyTimeoutMs / 1000)
    .option('--headers-timeout <s>', 'seconds a connection may take to send its request headers', parseNumber('float', 0.05), DEFAULT_LIMITS.headersTimeoutMs / 1000)
    .option('--decode-workers <n>', 'decode and sketch NDJSON batches on this many worker threads, as scan does, a large batch cut into one piece per worker (0: on the main thread; default: one per spare core, at least 2 on 2 cores or more, up to 4)', parseNumber('int', 0, 64))
    .option('--max-concurrent-ingest <n>', 'ingest requests read and decoded at once (more: 429)', parseNumber('int', 1), DEFAULT_LIMITS.maxConcurrentIngest)
    .option('--source-idle <s>', 'seconds after which a silent source stops holding the engine back (per-source event time)', parseNumber('float', 0.001), 300)
    .option('--log-key-file <file>', 'encrypt the ingest log at rest (AES-256-GCM) with the 32-byte key in this file (64 hex digits or 44 base64 characters)')
    .option('--log-retention-days <days>', 'delete ingest log segments last written longer ago than this', parseNumber('float', 0.001))
    .option('--checkpoint-every <s>', 'checkpoint the state beside the ingest log this often (and at a clean stop), then compact the log; 0: never (every start replays the whole log)', parseNumber('float', 0), DEFAULT_CHECKPOINTS.everyMs / 1000)
    .option('--checkpoint-keep <n>', 'checkpoints kept; the ingest log is compacted up to the oldest of them', parseNumber('int', 1, 100), DEFAULT_CHECKPOINTS.keep)
    .option('--webhook-url <url>', 'POST signed verdict-change events here (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--webhook-secret-file <file>', 'file holding the webhook signing secret')
    .option('--flush-ms <ms>', 'how often the read view (API, dashboard) is refreshed', parseNumber('int', 10), 1000)
    .option('--store-every <s>', 'least seconds between two writes of the store behind the read view', parseNumber('float', 0), DEFAULT_STORE_EVERY_MS / 1000)
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .option('--taxii <file>', 'also serve TAXII 2.1 at /taxii2/ with this configuration (see docs/intel.md)')
    .option('--otlp-grpc-port <n>', 'also serve OTLP/gRPC (trace and logs Export) on this port, same keys (0 picks a free one)', parseNumber('int', 0, 65535))
    .option('--policy <file>', 'gateway policy (YAML or JSON; default: the shipped policies/default.yaml); SIGHUP re-reads it')
    .option('--gateway-port <n>', 'also answer decisions, nginx auth_request, the decision stream and /healthz on this port, from a thread of their own (0 picks a free one)', parseNumber('int', 0, 65535))
    .option('--taxii-db <path>', 'DuckDB file for TAXII objects (default: DB.taxii.duckdb)')
    .option('--cluster', 'cluster mode: publish accepted records to JetStream (--nats) for `distillguard judge`, read results from its PostgreSQL store (--store); docs/cluster.md')
    .option('--nats <url>', 'with --cluster: the NATS server with JetStream (nats://host:port)')
    .option('--partitions <n>', 'with --cluster: account partitions of the record stream', parseNumber('int', 1, 1024), 4)
    .action(async (o: ServeOptions) => {
      await runServe(o);
    });
}

/** Runs until SIGINT/SIGTERM (exit 0) or an ingest log failure (exit 1). */
export async function runServe(o: ServeOptions): Promise<void> {
  if (o.keys === undefined && o.auth) throw new InputError('serve needs --keys FILE (or --no-auth for a local demo)');
  if (o.keys !== undefined && !o.auth) throw new InputError('--keys and --no-auth exclude each other');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(o.logLevel)) throw new InputError(`--log-level: unknown level ${JSON.stringify(o.logLevel)}`);
  const keys = o.keys === undefined ? null : await loadKeys(o.keys);
  const fileCfg: EngineConfigInput = o.config ? await loadConfigFile(o.config) : {};
  if (o.maxLateness !== undefined) fileCfg.maxLatenessMs = Math.round(o.maxLateness * 60_000);
  const cfg0 = buildEngineConfig(fileCfg);
  const secret = await webhookSecret(o.webhookUrl, o.webhookSecretFile);
  const db = resolve(o.db);
  try {
    await mkdir(dirname(db), { recursive: true });
  } catch (e) {
    throw new InputError(`cannot create the folder of ${db}: ${(e as Error).message}`);
  }
  const cfg = await withEmailKey(cfg0, `${db}.secret`); // hashes in the log and the store are under it
  if (o.cluster === true) return runClusterServe(o, cfg, keys);
  if (o.store !== undefined && !isPostgresUrl(o.store)) throw new InputError(`--store takes a postgres:// URL, got ${redactUrl(o.store)}`);
  const store = await openStore(o.store ?? db);
  const logKey = o.logKeyFile === undefined ? undefined : await readLogKey(o.logKeyFile);
  const policy = o.policy ? await loadPolicyFile(o.policy) : await loadDefaultPolicy();
  const gateway = await Gateway.open(store, policy);
  const logDir = resolve(o.logDir ?? `${db}.ingest`);
  const live = await LiveService.open({
    cfg,
    store,
    logDir,
    highWater: o.highWater,
    maxBehindSeconds: o.maxBehind,
    highWaterBytes: Math.round(o.highWaterMib * (1 << 20)),
    flushMs: o.flushMs,
    storeEveryMs: Math.round(o.storeEvery * 1000),
    sourceIdleMs: Math.round(o.sourceIdle * 1000),
    logKey,
    attach: (e) => gateway.attach(e),
    attachedState: gateway.checkpointPart,
    checkpoints: o.checkpointEvery > 0 ? { everyMs: Math.round(o.checkpointEvery * 1000), keep: o.checkpointKeep } : undefined,
    logRetentionMs: o.logRetentionDays === undefined ? undefined : Math.round(o.logRetentionDays * 86_400_000),
  });
  const limits = {
    maxBatchRecords: o.maxBatchRecords,
    maxDepth: o.maxDepth,
    bodyTimeoutMs: Math.round(o.bodyTimeout * 1000),
    headersTimeoutMs: Math.round(o.headersTimeout * 1000),
    maxConcurrentIngest: o.maxConcurrentIngest,
  };
  // serve's decode has no community e-mail hashes (decode/config.ts build), so neither have its workers.
  const workers = o.decodeWorkers ?? serveDecodeWorkers();
  const decoder = workers > 0 ? new DecodePool(cfg, workers, undefined, { intel: false, maxDepth: o.maxDepth }) : undefined;
  const app = buildServer({ live, store, keys, logger: { level: o.logLevel }, bodyLimit: Math.round(o.bodyLimit * (1 << 20)), limits, decoder });
  const taxii = o.taxii ? await mountTaxii(app, o.taxii, resolve(o.taxiiDb ?? `${db}.taxii.duckdb`)) : undefined;
  app.distillguard.intel = taxii?.intel;
  const hooks = new WebhookDispatcher({ store, urls: o.webhookUrl, secret: secret ?? '', log: app.log });
  if (o.webhookUrl.length > 0) live.onAudit((fresh) => hooks.enqueue(fresh));
  registerDecisionRoutes(app, gateway, { logDir, logKey, sourceIdleMs: Math.round(o.sourceIdle * 1000) });
  await gateway.start((fresh) => {
    if (o.webhookUrl.length > 0) hooks.enqueue(fresh);
  });
  // SIGHUP re-reads the policy file: a bad file is logged and the policy in force stays.
  const onHup = (): void => {
    void (async () => {
      try {
        const loaded = o.policy ? await loadPolicyFile(o.policy) : await loadDefaultPolicy();
        const v = await live.whileStill(() => gateway.reload(loaded, 'sighup'));
        app.log.info({ policy: v }, 'policy reloaded');
      } catch (e) {
        app.log.error({ err: (e as Error).message }, 'policy reload refused');
      }
    })();
  };
  process.on('SIGHUP', onHup);
  app.log.info({ batches: live.replayedBatches, ms: Math.round(live.replayMs), records: live.counts.accepted }, 'ingest log replayed');
  live.onCheckpoint((w, error) => {
    if (w !== undefined) app.log.info({ batch: w.seq, bytes: w.bytes, encode_ms: Math.round(w.encodeMs), held_ms: Math.round(w.heldMs), serialize_ms: Math.round(w.serializeMs), write_ms: Math.round(w.writeMs), segments_compacted: w.compacted }, 'checkpoint written');
    else app.log.error({ error }, 'checkpoint failed; the ingest log is not compacted until one succeeds');
  });

  let exitCode = 0;
  let stopping: Promise<void> | undefined;
  let grpc: OtlpGrpcServer | undefined;
  let listener: GatewayListener | undefined;
  const stop = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      exitCode = code;
      await grpc?.close();
      await listener?.close();
      process.off('SIGHUP', onHup);
      await app.close();
      await decoder?.close();
      await live.close().catch((e: unknown) => app.log.error({ err: e }, 'closing the live service failed'));
      await gateway.close().catch((e: unknown) => app.log.error({ err: e }, 'writing the last action changes failed'));
      await hooks.close();
      await store.close();
      await taxii?.close();
    })());
  const done = new Promise<void>((res) => {
    const onSignal = (): void => void stop(0).then(res);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    live.onFatal((e) => {
      app.log.fatal({ err: e }, 'the ingest log failed; stopping');
      void stop(1).then(res);
    });
  });
  const address = await app.listen({ port: o.port, host: o.host });
  if (o.otlpGrpcPort !== undefined) {
    routeGrpcLogs(app.log);
    try {
      grpc = await startOtlpGrpc(liveOtlpSink(app.distillguard), app.log, { host: o.host, port: o.otlpGrpcPort, keys });
    } catch (e) {
      await stop(2);
      throw new InputError(`--otlp-grpc-port ${o.otlpGrpcPort}: cannot listen on ${o.host}: ${(e as Error).message}`);
    }
    process.stderr.write(`distillguard: OTLP/gRPC on ${o.host}:${grpc.port}\n`);
  }
  if (o.gatewayPort !== undefined) {
    try {
      listener = await GatewayListener.start({
        gateway,
        live,
        keys,
        host: o.host,
        port: o.gatewayPort,
        headersTimeoutMs: app.distillguard.limits.headersTimeoutMs,
        keepAliveTimeoutMs: app.distillguard.limits.keepAliveTimeoutMs,
        registry: app.distillguard.metrics.registry,
        onError: (message) => app.log.error({ err: message }, 'gateway listener request failed'),
      });
    } catch (e) {
      await stop(2);
      throw new InputError(`--gateway-port ${o.gatewayPort}: cannot listen on ${o.host}: ${(e as Error).message}`);
    }
    process.stderr.write(`distillguard: gateway listener on ${listener.url}\n`);
  }
  for (const note of live.checkpointNotes) process.stderr.write(`distillguard: checkpoint skipped: ${note}\n`);
  const from = live.restoredFrom;
  const rebuilt = from === undefined ? `replayed ${live.replayedBatches} batches` : `restored the checkpoint of batch ${from.seq} and replayed ${live.replayedBatches - from.seq} batches`;
  process.stderr.write(`distillguard: listening on ${address} (store ${o.store === undefined ? db : redactUrl(o.store)}; ${rebuilt} in ${Math.round(live.replayMs)} ms, results published in ${Math.round(live.publishMs)} ms)\n`);
  await done;
  if (exitCode !== 0) process.exitCode = exitCode;
}

/** The ingest log's 32-byte key: 64 hex digits or base64 of 32 bytes, in a file. */
export async function readLogKey(path: string): Promise<Buffer> {
  let s: string;
  try {
    s = (await readFile(path, 'utf8')).trim();
  } catch (e) {
    throw new InputError(`cannot read the ingest log key ${path}: ${(e as Error).message}`);
  }
  const key = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (key.length !== 32) throw new InputError(`the ingest log key in ${path} must be 32 bytes: 64 hex digits or 44 base64 characters (e.g. openssl rand -hex 32)`);
  return key;
}
