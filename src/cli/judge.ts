// `distillguard judge --nats URL --pg URL --dir DIR`: cluster mode's engine (src/cluster/judge.ts),
// until SIGINT/SIGTERM (then it checkpoints and writes the store one last time, exit 0).
import { resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { buildEngineConfig, type EngineConfigInput } from '../config/schema.js';
import { loadConfigFile } from '../config/load.js';
import { scanSecretPath, withEmailKey } from '../config/secret.js';
import { ClusterJudge } from '../cluster/judge.js';
import { loadDefaultPolicy, loadPolicyFile } from '../act/policy-load.js';
import { WebhookDispatcher } from '../act/webhooks.js';
import { webhookSecret } from './webhook-flags.js';
import { jetstream } from '@nats-io/jetstream';
import { connectNats, publishOnce } from '../cluster/streams.js';
import { POLICY_SUBJECT, policyMessage } from '../cluster/policy-messages.js';
import { DEFAULT_PARTITION_IDLE_S } from '../cluster/stream-history.js';
import { openPgStore } from '../store/pg.js';
import { parseNumber } from './main.js';

interface JudgeCliOptions {
  nats: string;
  pg: string;
  dir: string;
  config?: string;
  secretFile?: string;
  maxLateness?: number;
  checkpointEvery: number;
  checkpointKeep: number;
  flushMs: number;
  partitionIdle: number;
  policy?: string;
  webhookUrl: string[];
  webhookSecretFile?: string;
}

export function registerJudge(program: Command): void {
  program
    .command('judge')
    .description('cluster mode: run the engine and the policy stage on the record stream serve --cluster publishes, results to PostgreSQL, verdict and action changes on dg.decisions (until SIGINT/SIGTERM)')
    .requiredOption('--nats <url>', 'NATS server with JetStream (nats://host:port)')
    .requiredOption('--pg <url>', 'PostgreSQL store (postgres://…)')
    .requiredOption('--dir <dir>', 'folder of the judge\'s checkpoints (a restart resumes from the newest)')
    .option('--config <file>', 'engine configuration (JSON), as for serve')
    .option('--secret-file <file>', 'the e-mail key file serve uses (serve --db DB keeps it in DB.secret); default: scan\'s')
    .option('--max-lateness <minutes>', 'as serve --max-lateness', parseNumber('float', 0))
    .option('--checkpoint-every <s>', 'checkpoint this often (and at a clean stop); 0: only at a clean stop', parseNumber('float', 0), 60)
    .option('--checkpoint-keep <n>', 'checkpoints kept', parseNumber('int', 1, 100), 2)
    .option('--flush-ms <ms>', 'how often the store is refreshed', parseNumber('int', 10), 1000)
    .option('--policy <file>', 'gateway policy (YAML or JSON; default: the shipped policies/default.yaml), as serve --policy; SIGHUP re-reads it (and a changed file takes effect at the next start)')
    .option('--webhook-url <url>', 'POST signed verdict- and action-change events here (repeatable), as serve does', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--webhook-secret-file <file>', 'file holding the webhook signing secret')
    .option('--partition-idle <s>', 'seconds of publish time after which a silent partition stops holding the others back', parseNumber('float', 0.001), DEFAULT_PARTITION_IDLE_S)
    .action(async (o: JudgeCliOptions) => {
      await runJudgeCli(o);
    });
}

async function runJudgeCli(o: JudgeCliOptions): Promise<void> {
  const fileCfg: EngineConfigInput = o.config ? await loadConfigFile(o.config) : {};
  if (o.maxLateness !== undefined) fileCfg.maxLatenessMs = Math.round(o.maxLateness * 60_000);
  const cfg = await withEmailKey(buildEngineConfig(fileCfg), o.secretFile ?? scanSecretPath());
  // Validated before anything starts: a bad file is one line and exit status 2, as for serve and scan.
  const policy = o.policy ? await loadPolicyFile(o.policy) : await loadDefaultPolicy();
  const secret = await webhookSecret(o.webhookUrl, o.webhookSecretFile);
  const dir = resolve(o.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((e: unknown) => {
    throw new InputError(`cannot create ${dir}: ${(e as Error).message}`);
  });
  const nc = await connectNats(o.nats).catch((e: unknown) => {
    throw new InputError(`judge: ${(e as Error).message}`);
  });
  const store = await openPgStore(o.pg).catch(async (e: unknown) => {
    await nc.close();
    throw new InputError(`judge: cannot open the PostgreSQL store: ${(e as Error).message}`);
  });
  const warn = { warn: (obj: object, msg: string): void => void process.stderr.write(`distillguard: judge: ${msg} ${JSON.stringify(obj)}\n`) };
  const hooks = secret === undefined ? undefined : new WebhookDispatcher({ store, urls: o.webhookUrl, secret, log: warn });
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
  const log = (l: string): void => void process.stderr.write(`${l}\n`);
  // SIGHUP re-reads the policy file and publishes it on the record stream, as PUT /v1/policy on serve
  // --cluster does: the judge reloads at that place in the stream (so a replay reloads there too) and
  // audits it with actor "sighup". A bad file is logged and the policy in force stays.
  const onHup = (): void => {
    void (async () => {
      try {
        const loaded = o.policy ? await loadPolicyFile(o.policy) : await loadDefaultPolicy();
        const m = policyMessage('sighup', loaded.text);
        await publishOnce(jetstream(nc), POLICY_SUBJECT, JSON.stringify(m), { msgID: m.id });
        log(`distillguard: judge: SIGHUP: policy ${loaded.policy.name}@${loaded.policy.revision} published on the record stream (${m.id})`);
      } catch (e) {
        log(`distillguard: judge: SIGHUP: policy reload refused: ${(e as Error).message}; the policy in force stays`);
      }
    })();
  };
  process.on('SIGHUP', onHup);
  try {
    const judge = await ClusterJudge.open({ nc, store, cfg, policy, onAudit: hooks && ((fresh) => hooks.enqueue(fresh)), dir, checkpointEveryMs: Math.round(o.checkpointEvery * 1000), checkpointKeep: o.checkpointKeep, flushMs: o.flushMs, idleMs: Math.round(o.partitionIdle * 1000), signal: stop.signal, log });
    const from = judge.restoredSeq === null ? 'from the start of the stream' : `from the checkpoint at stream sequence ${judge.restoredSeq}`;
    const v = judge.gateway.current.version;
    log(`distillguard: judge on ${nc.getServer()}, ${from}, policy ${v.name}@${v.revision} (started in ${Math.round(judge.startMs)} ms)`);
    await judge.run();
    const c = judge.state.counts;
    log(`distillguard: judge stopped at stream sequence ${judge.state.streamSeq}: ${c.messages} messages, ${c.accepted} records accepted, ${c.duplicates} duplicates, ${c.late} late; ${judge.gaps} re-reads after messages the client dropped`);
  } finally {
    process.off('SIGHUP', onHup);
    await hooks?.close();
    await store.close();
    await nc.drain().catch(() => undefined);
  }
}
