// `distillguard cluster …`: cluster mode on NATS JetStream and PostgreSQL (src/cluster).
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { clusterDown, clusterUp } from '../cluster/local.js';
import { clusterScan } from '../cluster/scan.js';
import { parseNumber } from './main.js';

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('cluster mode: the engine on NATS JetStream and PostgreSQL');
  cluster
    .command('up')
    .description('start a local nats-server (JetStream) and PostgreSQL in DIR on loopback ports; print their URLs')
    .requiredOption('--dir <dir>', 'folder holding both servers\' data, logs and pid files')
    .action(async (o: { dir: string }) => {
      const urls = await clusterUp(o.dir).catch((e: unknown) => {
        throw new InputError(`cluster up: ${(e as Error).message}`);
      });
      process.stdout.write(`${urls.nats}\n${urls.postgres}\n`);
    });
  cluster
    .command('down')
    .description('stop the servers `cluster up --dir DIR` started')
    .requiredOption('--dir <dir>', 'the folder given to cluster up')
    .action(async (o: { dir: string }) => {
      const was = await clusterDown(o.dir);
      process.stderr.write(`distillguard: nats-server ${was.nats ? 'stopped' : 'was not running'}; PostgreSQL ${was.postgres ? 'stopped' : 'was not running'}\n`);
    });
  cluster
    .command('scan')
    .description('scan files through the cluster: decoding in worker processes over NATS JetStream, results in PostgreSQL and --out (the same outputs as scan)')
    .argument('<input...>', 'input files (NDJSON, .gz too)')
    .requiredOption('--nats <url>', 'NATS server with JetStream (nats://host:port)')
    .requiredOption('--pg <url>', 'PostgreSQL store (postgres://…)')
    .requiredOption('--out <dir>', 'output folder (accounts.ndjson, campaigns.ndjson, summary.json, report.html)')
    .option('--workers <n>', 'worker processes to start here (0: they run elsewhere: distillguard worker)', parseNumber('int', 0, 64), 2)
    .option('--partitions <n>', 'partitions the work is spread over (default: the workers)', parseNumber('int', 1, 1024))
    .option('--config <file>', 'engine configuration (JSON), as for scan')
    .action(async (inputs: string[], o: { nats: string; pg: string; out: string; workers: number; partitions?: number; config?: string }) => {
      if (o.workers === 0 && o.partitions === undefined) throw new InputError('cluster scan --workers 0 needs --partitions N (the partitions the workers started elsewhere hold)');
      const r = await clusterScan({ inputs, ...o }).catch((e: unknown) => {
        if (e instanceof InputError) throw e;
        throw new InputError(`cluster scan: ${(e as Error).message}`);
      });
      const t = r.transport;
      process.stderr.write(`distillguard: cluster: ${t.parts} parts over ${o.partitions ?? Math.max(1, o.workers)} partitions, ${t.lines} lines; ${(t.sentBytes / 1048576).toFixed(1)} MiB of lines out, ${(t.receivedBytes / 1048576).toFixed(1)} MiB of records back\n`);
    });
  for (const c of cluster.commands) c.exitOverride().showSuggestionAfterError(false);
}
