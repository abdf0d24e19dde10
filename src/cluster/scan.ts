// `distillguard cluster scan`: a scan whose decoding runs in worker processes behind NATS JetStream and
// whose results go to PostgreSQL. This process reads the inputs, hands batches of lines to the
// partitions, and runs the order stage and the one engine on the records in input order (runScan with
// a RemoteDecoder), so every output is the one `scan` writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { decisionInputs } from '../act/decisions.js';
import { buildEngineConfig, type EngineConfigInput } from '../config/schema.js';
import { scanSecretPath, withEmailKey } from '../config/secret.js';
import { loadConfigFile } from '../config/load.js';
import { runScan, type ScanOutcome } from '../cli/scan.js';
import { openPgStore } from '../store/pg.js';
import { RemoteDecoder, type RemoteDecoderStats } from './remote-decoder.js';
import { connectNats, ensureStreams, ensureWorkConsumer } from './streams.js';

export interface ClusterScanOptions {
  inputs: string[];
  out: string;
  nats: string;
  pg: string;
  /** Worker processes to start here (0: workers run elsewhere). */
  workers: number;
  /** Partitions the work is spread over (default: the workers, at least 1). */
  partitions?: number;
  config?: string;
  quiet?: boolean;
  /** The distillguard bin the workers run (default: this process's). */
  bin?: string;
  stallMs?: number;
}

export interface ClusterScanOutcome extends ScanOutcome {
  transport: RemoteDecoderStats;
}

export async function clusterScan(o: ClusterScanOptions): Promise<ClusterScanOutcome> {
  const partitions = o.partitions ?? Math.max(1, o.workers);
  const fileCfg: EngineConfigInput = o.config ? await loadConfigFile(o.config) : {};
  // The configuration runScan builds, with the key it uses: workers decode (and hash e-mails) with it.
  const cfg = await withEmailKey(buildEngineConfig(fileCfg), scanSecretPath());
  const nc = await connectNats(o.nats);
  const store = await openPgStore(o.pg);
  const children: ChildProcess[] = [];
  // Workers started here end with this process, even when it dies of an error.
  const killChildren = (): void => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
  process.once('exit', killChildren);
  try {
    const jsm = await ensureStreams(nc);
    for (let p = 0; p < partitions; p++) await ensureWorkConsumer(jsm, p);
    for (let w = 0; w < o.workers; w++) {
      const shards = Array.from({ length: partitions }, (_, p) => p).filter((p) => p % o.workers === w);
      if (shards.length === 0) continue;
      const child = spawn(process.execPath, [o.bin ?? process.argv[1], 'worker', '--nats', o.nats, '--shards', shards.join(',')], { stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
    }
    const decoder = await RemoteDecoder.open(nc, cfg, partitions, { stallMs: o.stallMs });
    try {
      const outcome = await runScan({
        inputs: o.inputs,
        out: o.out,
        config: o.config,
        quiet: o.quiet,
        decoder,
        store,
        decisions: decisionInputs(await store.decisions.list()),
      });
      return { ...outcome, db: '', transport: decoder.stats };
    } finally {
      await decoder.close();
    }
  } finally {
    await Promise.all(
      children.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        c.kill('SIGTERM');
        await once(c, 'exit');
      }),
    );
    process.removeListener('exit', killChildren);
    await store.close();
    await nc.drain().catch(() => undefined);
  }
}
