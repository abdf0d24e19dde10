// `distillguard worker --nats URL --shards 0,2`: a cluster-mode decode worker (src/cluster/worker.ts).
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { runWorker } from '../cluster/worker.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('cluster mode: decode and sketch the batches of some partitions from NATS JetStream (until SIGINT/SIGTERM)')
    .requiredOption('--nats <url>', 'NATS server with JetStream (nats://host:port)')
    .requiredOption('--shards <list>', 'partitions to work on: comma-separated numbers, e.g. 0,2')
    .action(async (o: { nats: string; shards: string }) => {
      const partitions = parseShards(o.shards);
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
      const stats = await runWorker({ nats: o.nats, partitions, signal: stop.signal, log: (l) => process.stderr.write(`${l}\n`) }).catch((e: unknown) => {
        throw new InputError(`worker: ${(e as Error).message}`);
      });
      process.stderr.write(`distillguard: worker stopped after ${stats.parts} parts (${stats.lines} lines), ${stats.dropped} parts of ended or dead runs dropped\n`);
    });
}

export function parseShards(s: string): number[] {
  const parts = s.split(',').map((x) => x.trim());
  if (parts.some((x) => !/^\d+$/.test(x))) throw new InputError(`--shards takes comma-separated partition numbers, got ${JSON.stringify(s)}`);
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}
