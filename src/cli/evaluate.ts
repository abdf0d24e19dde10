// `distillguard evaluate`: score a scan's output against ground truth (the simulator's truth.json),
// beside the naive per-account rate rule replayed over the same input. How a user tests thresholds.
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { AccountOut, CampaignOut } from '../core/output.js';
import { Ingestor, ingestStream } from '../order/pipeline.js';
import { RateRuleBaseline } from '../eval/baseline.js';
import { evaluate, type Prediction, type QualityReport } from '../eval/quality.js';
import { details, HEADER, row } from '../eval/table.js';
import { readTruth } from '../eval/truth.js';
import { parseNumber } from './main.js';

export async function readNdjson<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

/** Replays the input through the rate rule (limit exchanges per trailing 24 h). */
export async function rateRule(input: string, limitPerDay = 200): Promise<Prediction[]> {
  const rule = new RateRuleBaseline(limitPerDay);
  const ingestor = new Ingestor({ emailKey: Buffer.from('rate-rule') });
  for await (const batch of ingestStream([input], ingestor)) for (const r of batch.records) if (r.kind === 'exchange') rule.observe(r);
  return rule.predictions();
}

export interface EvaluateOutcome {
  ours: QualityReport;
  baseline?: QualityReport;
}

export async function runEvaluate(o: { truth: string; scan: string; input?: string; rateLimit?: number }): Promise<EvaluateOutcome> {
  const truth = await readTruth(o.truth);
  const accounts = await readNdjson<AccountOut>(join(o.scan, 'accounts.ndjson'));
  const campaigns = await readNdjson<CampaignOut>(join(o.scan, 'campaigns.ndjson'));
  const ours = evaluate(truth, accounts, campaigns);
  const baseline = o.input ? evaluate(truth, await rateRule(o.input, o.rateLimit), []) : undefined;
  return { ours, baseline };
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('score a scan against ground truth (truth.json), optionally beside the per-account rate rule')
    .requiredOption('--truth <file>', 'truth.json written by `simulate`')
    .requiredOption('--scan <dir>', 'the --out folder of a scan')
    .option('--input <file>', 'the scanned input, to replay the rate-rule baseline over it')
    .option('--rate-limit <n>', 'rate rule: exchanges per trailing 24 h', parseNumber('int', 1), 200)
    .option('--json', 'print the report as JSON')
    .action(async (o: { truth: string; scan: string; input?: string; rateLimit: number; json?: boolean }) => {
      const r = await runEvaluate(o);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      const lines = [HEADER, row('ours', r.ours)];
      if (r.baseline) lines.push(row('rate-rule', r.baseline));
      lines.push(...details(r.ours));
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
