// `distillguard backtest --policy FILE [--compare FILE] INPUT...|--db PATH|--nats URL [--truth truth.json]`:
// replays history (input files, a serve database's ingest log, or a cluster's record stream) through the engine once, with one act stage per policy, and reports what each policy would have done
// (by action, per hard-negative group with ground truth, served leakage, time to first action) and
// the account-by-account difference between the two.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runScan } from './scan.js';
import { loadDefaultPolicy, loadPolicyFile, type LoadedPolicy } from '../act/policy-load.js';
import { PolicyStage } from '../act/policy-stage.js';
import { actionLine, policyLabel, type ActionLine } from '../act/action-out.js';
import { backtestOutcome, type BacktestOutcome, type PolicyRun } from '../act/backtest.js';
import { readTruth, type Truth } from '../eval/truth.js';
import { ACTIONS } from '../act/policy-schema.js';
import { buildEngineConfig, type EngineConfigInput } from '../config/schema.js';
import { loadConfigFile } from '../config/load.js';
import { withEmailKey } from '../config/secret.js';
import { InputError } from '../core/errors.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { backtestHistory } from '../server/history.js';
import { backtestStream, DEFAULT_PARTITION_IDLE_S } from '../cluster/stream-history.js';
import { connectNats } from '../cluster/streams.js';
import { scanSecretPath } from '../config/secret.js';
import { readLogKey } from './serve.js';
import { parseNumber } from './main.js';

export type { BacktestOutcome };

export interface BacktestOptions {
  inputs: string[];
  /** A serve database: replay its ingest log (DB.ingest unless `logDir`) with its analyst decisions, instead of `inputs`. */
  db?: string;
  logDir?: string;
  logKeyFile?: string;
  /** A cluster's NATS server: replay its record stream (what the judge read) instead of `inputs`. */
  nats?: string;
  /** With `nats`: the e-mail key file the judge uses (its --secret-file); default: scan's. */
  secretFile?: string;
  /** With `nats`: the judge's --partition-idle (s). */
  partitionIdle?: number;
  /** Engine configuration (JSON) the service runs with. */
  config?: string;
  policy?: string;
  compare?: string;
  truth?: string;
  out: string;
  quiet?: boolean;
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('replay history through the engine under a policy (and a second one to compare): what each would have done')
    .argument('[input...]', 'input files (NDJSON, .gz); or --db, or --nats')
    .option('--db <path>', "a serve database: replay the service's history (its ingest log and analyst decisions) instead of input files")
    .option('--log-dir <dir>', 'with --db: the ingest log folder (default: DB.ingest)')
    .option('--log-key-file <file>', 'with --db: the key of an ingest log encrypted at rest')
    .option('--nats <url>', "a cluster's NATS server: replay its record stream (what distillguard judge read, with its analyst decisions) instead of input files")
    .option('--secret-file <file>', "with --nats: the e-mail key file the judge runs with (its --secret-file); default: scan's")
    .option('--partition-idle <s>', "with --nats: the judge's --partition-idle", parseNumber('float', 0.001), DEFAULT_PARTITION_IDLE_S)
    .option('--config <file>', 'engine configuration (JSON), as for scan and serve')
    .option('--policy <file>', 'policy to evaluate (default: the shipped policy)')
    .option('--compare <file>', 'a second policy, evaluated on the same replay; the difference is listed account by account')
    .option('--truth <file>', 'ground truth (truth.json from simulate): per hard-negative group figures, leakage')
    .option('--out <dir>', 'folder for the scan outputs, report.json and diff.ndjson', 'backtest-out')
    .option('--json', 'print the report as JSON')
    .action(async (inputs: string[], o: Omit<BacktestOptions, 'inputs'> & { json?: boolean }) => {
      const r = await runBacktest({ inputs, ...o, quiet: o.json });
      process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatBacktest(r));
    });
}

export async function runBacktest(o: BacktestOptions): Promise<BacktestOutcome> {
  const sources = [o.inputs.length > 0, o.db !== undefined, o.nats !== undefined].filter(Boolean).length;
  if (sources > 1) throw new InputError('backtest: give one history: input files, --db or --nats');
  if (sources === 0) throw new InputError('backtest: give input files to replay, --db PATH for a serve database, or --nats URL for a cluster');
  if (o.db === undefined && (o.logDir !== undefined || o.logKeyFile !== undefined)) throw new InputError('backtest: --log-dir and --log-key-file go with --db');
  if (o.nats === undefined && o.secretFile !== undefined) throw new InputError('backtest: --secret-file goes with --nats');
  const primary = o.policy ? await loadPolicyFile(o.policy) : await loadDefaultPolicy();
  const second = o.compare ? await loadPolicyFile(o.compare) : undefined;
  const truth: Truth | undefined = o.truth ? await readTruth(o.truth) : undefined;
  const out = resolve(o.out);
  const policies = second ? [primary, second] : [primary];
  const outcome = o.db !== undefined ? await fromDatabase(o, o.db, policies, truth) : o.nats !== undefined ? await fromStream(o, o.nats, policies, truth) : await fromInputs(o, out, policies, truth);
  await mkdir(out, { recursive: true });
  if (outcome.diff) await writeFile(join(out, 'diff.ndjson'), outcome.diff.map((d) => JSON.stringify(d)).join('\n') + (outcome.diff.length ? '\n' : ''));
  await writeFile(join(out, 'report.json'), `${JSON.stringify({ reports: outcome.reports, diff_accounts: outcome.diff?.length }, null, 2)}\n`);
  return outcome;
}

/** Replays input files through `scan` (its outputs under OUT/scan, actions.ndjson under the first policy). */
async function fromInputs(o: BacktestOptions, out: string, [primary, second]: LoadedPolicy[], truth: Truth | undefined): Promise<BacktestOutcome> {
  await mkdir(out, { recursive: true });
  let other: PolicyRun | undefined;
  const scan = await runScan({
    inputs: o.inputs,
    out: join(out, 'scan'),
    policy: primary,
    quiet: o.quiet,
    config: o.config,
    attach: second && ((engine) => {
      const stage = new PolicyStage(engine, second.policy);
      const lines: ActionLine[] = [];
      stage.onAction((c) => lines.push(actionLine(c, second.policy)));
      other = { label: policyLabel(second.policy), engine, stage, lines };
      return (r) => stage.push(r);
    }),
  });
  const lines = (await readFile(join(out, 'scan', 'actions.ndjson'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as ActionLine);
  const runs: PolicyRun[] = [{ label: policyLabel(primary.policy), engine: scan.engine, stage: scan.actions, lines }];
  if (other) runs.push(other);
  return backtestOutcome(runs, truth);
}

/** Replays a serve database's history: its ingest log, read without touching it, and its analyst decisions. */
async function fromDatabase(o: BacktestOptions, path: string, policies: LoadedPolicy[], truth: Truth | undefined): Promise<BacktestOutcome> {
  const db = resolve(path);
  if (!existsSync(db)) throw new InputError(`--db ${db}: no such database`);
  const logDir = resolve(o.logDir ?? `${db}.ingest`);
  if (!existsSync(logDir)) throw new InputError(`--db ${db}: no ingest log at ${logDir} (give --log-dir if serve ran with one)`);
  const fileCfg: EngineConfigInput = o.config ? await loadConfigFile(o.config) : {};
  const cfg = await withEmailKey(buildEngineConfig(fileCfg), `${db}.secret`);
  let decisions;
  try {
    const store = await openDuckDbStore(db);
    try {
      decisions = await store.decisions.list();
    } finally {
      await store.close();
    }
  } catch (e) {
    throw new InputError(`--db ${db}: cannot read its analyst decisions (${(e as Error).message.split('\n')[0]}); while serve runs, backtest from its dashboard's policy page or POST /v1/policy/backtest`);
  }
  const logKey = o.logKeyFile === undefined ? undefined : await readLogKey(o.logKeyFile);
  const r = await backtestHistory({ cfg, logDir, logKey, decisions }, policies, truth);
  if (!o.quiet) process.stderr.write(`distillguard: replayed ${r.batches.toLocaleString('en')} batches, ${r.records.toLocaleString('en')} records from ${logDir}\n`);
  return { reports: r.reports, ...(r.diff ? { diff: r.diff } : {}) };
}

/** Replays a cluster's record stream (read, never consumed for the judge) with its analyst decisions. */
async function fromStream(o: BacktestOptions, url: string, policies: LoadedPolicy[], truth: Truth | undefined): Promise<BacktestOutcome> {
  const fileCfg: EngineConfigInput = o.config ? await loadConfigFile(o.config) : {};
  const cfg = await withEmailKey(buildEngineConfig(fileCfg), o.secretFile ?? scanSecretPath());
  const nc = await connectNats(url).catch((e: unknown) => {
    throw new InputError(`backtest: ${(e as Error).message}`);
  });
  try {
    const r = await backtestStream({ nc, cfg, idleMs: Math.round((o.partitionIdle ?? DEFAULT_PARTITION_IDLE_S) * 1000) }, policies, truth).catch((e: unknown) => {
      throw new InputError(`backtest --nats ${url}: ${(e as Error).message}`);
    });
    if (!o.quiet) process.stderr.write(`distillguard: replayed ${r.messages.toLocaleString('en')} stream messages (through sequence ${r.lastSeq}), ${r.records.toLocaleString('en')} records, ${r.decisions} analyst decisions (${r.refusedDecisions} refused) from ${url}\n`);
    return { reports: r.reports, ...(r.diff ? { diff: r.diff } : {}) };
  } finally {
    await nc.close();
  }
}

const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(100 * x).toFixed(2)}%`);

export function formatBacktest(r: BacktestOutcome): string {
  const lines: string[] = [];
  for (const p of r.reports) {
    lines.push(`## policy ${p.policy}: ${p.accounts} accounts, ${p.exchanges} exchanges; ${p.shadow_changes} shadow changes`);
    lines.push(`  accounts by strictest action: ${ACTIONS.map((a) => `${a} ${p.accounts_by_strictest[a]}`).join(', ')}`);
    lines.push(`  exchanges by action in force: ${ACTIONS.map((a) => `${a} ${p.exchanges_by_action[a]}`).join(', ')}`);
    if (p.served_leakage !== undefined) {
      lines.push(`  served leakage ${pct(p.served_leakage)}; accounts created after a campaign's first action: ${p.created_after_action}, acted on before their first exchange ${pct(p.acted_before_first_exchange_share)} (degrade or stricter ${pct(p.protected_before_first_exchange_share)})`);
    }
    for (const c of p.campaigns ?? []) {
      const h = (x: number | null): string => (x === null ? 'never' : `${x.toFixed(1)} h`);
      lines.push(`  campaign ${c.campaign} (${c.kind}, ${c.accounts} accounts): leakage ${pct(c.leakage)}, first action ${h(c.first_action_h)}, first degrade+ ${h(c.first_protect_h)}, created after: ${c.created_after_action}, acted before first exchange ${c.acted_before_first_exchange}`);
    }
    for (const [g, x] of Object.entries(p.groups ?? {})) {
      const acted = ACTIONS.filter((a) => a !== 'allow' && x.by_strictest[a] > 0).map((a) => `${a} ${x.by_strictest[a]}`);
      lines.push(`  ${g.startsWith('plan:') ? g.replace(':', ' ') : `organic ${g}`} (${x.accounts}): ${acted.length ? acted.join(', ') : 'all allowed'}`);
    }
  }
  if (r.diff) lines.push(`## ${r.diff.length} accounts differ between the two policies (diff.ndjson)`);
  return `${lines.join('\n')}\n`;
}
