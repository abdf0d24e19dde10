// `distillguard serve --cluster --nats URL --store postgres://…`: the HTTP service in front of a cluster
// (src/server/cluster-serve.ts). Accepted records go to the JetStream record stream; `distillguard
// judge` runs the engine and writes the store this service reads.
import { jetstream } from '@nats-io/jetstream';
import { InputError } from '../core/errors.js';
import type { EngineConfig } from '../config/schema.js';
import { DecisionFollower } from '../cluster/decision-follower.js';
import { maxMessageBytes, ensureRecordStreams } from '../cluster/record-stream.js';
import { connectNats, publishOnce } from '../cluster/streams.js';
import { ANALYST_SUBJECT } from '../cluster/analyst-decisions.js';
import { POLICY_SUBJECT } from '../cluster/policy-messages.js';
import { backtestStream, DEFAULT_PARTITION_IDLE_S } from '../cluster/stream-history.js';
import { build as buildDecode } from '../decode/config.js';
import { emailKeyOf } from '../config/secret.js';
import { ClusterIngest } from '../server/cluster-ingest.js';
import { buildClusterServer, clusterSink, type ClusterServerOptions } from '../server/cluster-serve.js';
import { routeGrpcLogs, startOtlpGrpc, type OtlpGrpcServer } from '../server/otlp-grpc.js';
import type { KeyRing } from '../server/keys.js';
import { DEFAULT_LIMITS } from '../server/limits.js';
import { GatewayListener } from '../server/gateway-listener.js';
import type { ServiceHealth } from '../server/decision-source.js';
import { openPgStore, redactUrl } from '../store/pg.js';

export interface ClusterServeOptions {
  nats?: string;
  store?: string;
  partitions: number;
  port: number;
  host: string;
  bodyLimit: number;
  maxBatchRecords: number;
  maxDepth: number;
  logLevel: string;
  /** serve's options that cluster mode does not run (refused rather than ignored). */
  otlpGrpcPort?: number;
  gatewayPort?: number;
  webhookUrl?: string[];
  taxii?: string;
  policy?: string;
  logKeyFile?: string;
  logDir?: string;
  logRetentionDays?: number;
  decodeWorkers?: number;
}

/** The flags of single-node serve that serve --cluster does not run yet (docs/cluster.md). */
const NOT_IN_CLUSTER: [keyof ClusterServeOptions, string][] = [
  ['taxii', '--taxii'],
  ['logKeyFile', '--log-key-file'],
  ['logDir', '--log-dir'],
  ['logRetentionDays', '--log-retention-days'],
  ['decodeWorkers', '--decode-workers'],
];

/** Runs until SIGINT/SIGTERM (exit 0) or a publish JetStream refused (exit 1: the batch's ids are already marked seen). */
export async function runClusterServe(o: ClusterServeOptions, cfg: EngineConfig, keys: KeyRing | null): Promise<void> {
  if (o.nats === undefined) throw new InputError('serve --cluster needs --nats nats://HOST:PORT (the JetStream the judge reads)');
  if (o.store === undefined) throw new InputError('serve --cluster needs --store postgres://… (the store the judge writes)');
  if (o.policy !== undefined) throw new InputError('serve --cluster takes no --policy: the judge runs the policy stage (distillguard judge --policy FILE)');
  const unsupported = NOT_IN_CLUSTER.filter(([k]) => o[k] !== undefined).map(([, flag]) => flag);
  if ((o.webhookUrl ?? []).length > 0) throw new InputError('serve --cluster sends no webhooks: the judge does (distillguard judge --webhook-url URL --webhook-secret-file F)');
  if (unsupported.length > 0) throw new InputError(`serve --cluster does not run ${unsupported.join(', ')} yet (the judge holds the engine; docs/cluster.md): leave ${unsupported.length > 1 ? 'them' : 'it'} out`);
  const nc = await connectNats(o.nats).catch((e: unknown) => {
    throw new InputError(`serve --cluster: ${(e as Error).message}`);
  });
  const store = await openPgStore(o.store, { pinSnapshots: true }).catch(async (e: unknown) => {
    await nc.close();
    throw new InputError(`serve --cluster: cannot open the PostgreSQL store: ${(e as Error).message}`);
  });
  await ensureRecordStreams(nc);
  const ingest = new ClusterIngest(jetstream(nc), o.partitions, cfg.maxLatenessMs, maxMessageBytes(nc));
  const decisions = await DecisionFollower.start(nc);
  const serverOptions: ClusterServerOptions = {
    ingest,
    store,
    decisions,
    decode: { ...buildDecode({ emailKey: emailKeyOf(cfg) }), maxDepth: o.maxDepth },
    keys,
    maxLineBytes: cfg.maxLineBytes,
    maxBatchRecords: o.maxBatchRecords,
    bodyLimit: Math.round(o.bodyLimit * (1 << 20)),
    maxDecodedBytes: DEFAULT_LIMITS.maxDecodedBytes,
    publishDecision: (m) => publishOnce(jetstream(nc), ANALYST_SUBJECT, JSON.stringify(m), { msgID: m.id }),
    publishPolicy: (m) => publishOnce(jetstream(nc), POLICY_SUBJECT, JSON.stringify(m), { msgID: m.id }),
    // The record stream replayed on this process (yielding between slices), as the judge read it with its default --partition-idle.
    backtest: (policies) => backtestStream({ nc, cfg, idleMs: DEFAULT_PARTITION_IDLE_S * 1000 }, policies),
    logger: { level: o.logLevel },
  };
  const app = buildClusterServer(serverOptions);
  // The gateway listener's /healthz: serve --cluster holds no backlog of its own; a refused publish is fatal.
  const fatal: ((e: Error) => void)[] = [];
  const health: ServiceHealth = { backlog: 0, overloaded: false, get failure() { return ingest.failure; }, onFatal: (l) => void fatal.push(l) };
  let listener: GatewayListener | undefined;
  let grpc: OtlpGrpcServer | undefined;
  /** A publish JetStream refused ends serve (exit 1), after the request that met it (HTTP or gRPC). */
  let stopIfStreamFailed = (): void => undefined;
  let exitCode = 0;
  let stopping: Promise<void> | undefined;
  const stop = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      exitCode = code;
      if (ingest.failure !== undefined) for (const l of fatal) l(new Error(ingest.failure));
      await listener?.close();
      await grpc?.close();
      await app.close();
      await decisions.close();
      await store.close();
      await nc.drain().catch(() => undefined);
    })());
  const done = new Promise<void>((res) => {
    const onSignal = (): void => void stop(0).then(res);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    stopIfStreamFailed = (): void => {
      if (ingest.failure !== undefined) void stop(1).then(res);
    };
    app.addHook('onResponse', async () => stopIfStreamFailed());
  });
  const address = await app.listen({ port: o.port, host: o.host });
  if (o.gatewayPort !== undefined) {
    try {
      listener = await GatewayListener.start({ gateway: decisions, live: health, keys, host: o.host, port: o.gatewayPort, headersTimeoutMs: DEFAULT_LIMITS.headersTimeoutMs, keepAliveTimeoutMs: DEFAULT_LIMITS.keepAliveTimeoutMs, onError: (message) => app.log.error({ err: message }, 'gateway listener request failed') });
    } catch (e) {
      await stop(2);
      throw new InputError(`--gateway-port ${o.gatewayPort}: cannot listen on ${o.host}: ${(e as Error).message}`);
    }
    process.stderr.write(`distillguard: gateway listener on ${listener.url}\n`);
  }
  if (o.otlpGrpcPort !== undefined) {
    routeGrpcLogs(app.log);
    const sink = clusterSink(serverOptions);
    try {
      grpc = await startOtlpGrpc({ ...sink, submit: (...a) => sink.submit(...a).finally(() => stopIfStreamFailed()) }, app.log, { host: o.host, port: o.otlpGrpcPort, keys, maxMessageBytes: serverOptions.bodyLimit });
    } catch (e) {
      await stop(2);
      throw new InputError(`--otlp-grpc-port ${o.otlpGrpcPort}: cannot listen on ${o.host}: ${(e as Error).message}`);
    }
    process.stderr.write(`distillguard: OTLP/gRPC on ${o.host}:${grpc.port}\n`);
  }
  process.stderr.write(`distillguard: listening on ${address} (cluster: records to ${nc.getServer()} over ${o.partitions} partitions; store ${redactUrl(o.store)})\n`);
  await done;
  if (exitCode !== 0) process.exitCode = exitCode;
}
