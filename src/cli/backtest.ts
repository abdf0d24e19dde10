// `distillguard backtest --policy FILE [--compare FILE] INPUT... [--truth truth.json]`: replays history
// through the engine once, with one act stage per policy, and reports what each policy would have done
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
import { readLogKey } from './serve.js';

export type { BacktestOutcome };

export interface BacktestOptions {
  inputs: string[];
  /** A serve database: replay its ingest log (DB.ingest unless `logDir`) with its analyst decisions, instead of `inputs`. */
  db?: string;
  logDir?: string;
  logKeyFile?: string;
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
    .argument('[input...]', 'input files (NDJSON, .gz); or --db')
    .option('--db <path>', "a serve database: replay the service's history (its ingest log and analyst decisions) instead of input files")
    .option('--log-dir <dir>', 'with --db: the ingest log folder (default: DB.ingest)')
    .option('--log-key-file <file>', 'with --db: the key of an ingest log encrypted at rest')
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
  if (o.db !== undefined && o.inputs.length > 0) throw new InputError('backtest: give input files or --db, not both');
  if (o.db === undefined && o.inputs.length === 0) throw new InputError('backtest: give input files to replay, or --db PATH for a serve database');
  if (o.db === undefined && (o.logDir !== undefined || o.logKeyFile !== undefined)) throw new InputError('backtest: --log-dir and --log-key-file go with --db');
  const primary = o.policy ? await loadPolicyFile(o.policy) : await loadDefaultPolicy();
  const second = o.compare ? await loadPolicyFile(o.compare) : undefined;
  const truth: Truth | undefined = o.truth ? await readTruth(o.truth) : undefined;
  const out = resolve(o.out);
  const policies = second ? [primary, second] : [primary];
  const outcome = o.db !== undefined ? await fromDatabase(o, o.db, policies, truth) : await fromInputs(o, out, policies, truth);
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
