// `distillguard backtest --policy FILE [--compare FILE] INPUT... [--truth truth.json]`: replays history
// through the engine once, with one act stage per policy, and reports what each policy would have done
// (by action, per hard-negative group with ground truth, served leakage, time to first action) and
// the account-by-account difference between the two.
import type { Command } from 'commander';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runScan } from './scan.js';
import { loadDefaultPolicy, loadPolicyFile } from '../act/policy-load.js';
import { PolicyStage } from '../act/policy-stage.js';
import { actionLine, policyLabel, type ActionLine } from '../act/action-out.js';
import { accountActions, backtestReport, comparePolicies, type AccountDiff, type BacktestReport } from '../act/backtest.js';
import { readTruth, type Truth } from '../eval/truth.js';
import { ACTIONS } from '../act/policy-schema.js';
import type { Engine } from '../engine/engine.js';

export interface BacktestOptions {
  inputs: string[];
  policy?: string;
  compare?: string;
  truth?: string;
  out: string;
  quiet?: boolean;
}

export interface BacktestOutcome {
  reports: BacktestReport[];
  diff?: AccountDiff[];
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('replay history through the engine under a policy (and a second one to compare): what each would have done')
    .argument('<input...>', 'input files (NDJSON, .gz)')
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
  const primary = o.policy ? await loadPolicyFile(o.policy) : await loadDefaultPolicy();
  const second = o.compare ? await loadPolicyFile(o.compare) : undefined;
  const truth: Truth | undefined = o.truth ? await readTruth(o.truth) : undefined;
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  let other: { stage: PolicyStage; lines: ActionLine[]; engine: Engine } | undefined;
  const scan = await runScan({
    inputs: o.inputs,
    out: join(out, 'scan'),
    policy: primary,
    quiet: o.quiet,
    attach: second && ((engine) => {
      const stage = new PolicyStage(engine, second.policy);
      const lines: ActionLine[] = [];
      stage.onAction((c) => lines.push(actionLine(c, second.policy)));
      other = { stage, lines, engine };
      return (r) => stage.push(r);
    }),
  });
  const primaryLines = (await readFile(join(out, 'scan', 'actions.ndjson'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as ActionLine);
  const rowsA = accountActions(scan.engine, scan.actions, primaryLines);
  const reports = [backtestReport(policyLabel(primary.policy), rowsA, primaryLines, truth)];
  let diff: AccountDiff[] | undefined;
  if (other && second) {
    const rowsB = accountActions(other.engine, other.stage, other.lines);
    reports.push(backtestReport(policyLabel(second.policy), rowsB, other.lines, truth));
    diff = comparePolicies(rowsA, rowsB, truth);
    await writeFile(join(out, 'diff.ndjson'), diff.map((d) => JSON.stringify(d)).join('\n') + (diff.length ? '\n' : ''));
  }
  const outcome: BacktestOutcome = { reports, ...(diff ? { diff } : {}) };
  await writeFile(join(out, 'report.json'), `${JSON.stringify({ reports, diff_accounts: diff?.length }, null, 2)}\n`);
  return outcome;
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
      lines.push(`  organic ${g} (${x.accounts}): ${acted.length ? acted.join(', ') : 'all allowed'}`);
    }
  }
  if (r.diff) lines.push(`## ${r.diff.length} accounts differ between the two policies (diff.ndjson)`);
  return `${lines.join('\n')}\n`;
}
