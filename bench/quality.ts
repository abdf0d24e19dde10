// bench:quality — every simulator scenario through `scan`, beside the naive per-account rate rule.
// Prints precision/recall/F1, PR-AUC, organic FPR overall and per hard-negative group, exchange recall,
// leakage, time to first/50%/90% flagged, campaign completeness and purity; writes them as JSON.
//
//   npm run bench:quality -- [--scale 1] [--seed 1] [--scenarios farm,hydra] [--json bench/results/quality.json]
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runScan } from '../src/cli/scan.js';
import { runSimulate } from '../src/sim/index.js';
import { runEvaluate } from '../src/cli/evaluate.js';
import { details, HEADER, row } from '../src/eval/table.js';
import { SCENARIO_LIST } from '../src/sim/scenarios.js';

/** Every scenario at its full size (tiny is default at a small size). */
const ALL = SCENARIO_LIST.map((s) => s.name).filter((n) => n !== 'tiny');

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    scenarios: { type: 'string', default: ALL.join(',') },
    json: { type: 'string' },
    cache: { type: 'string', default: '.cache/bench-quality' },
    'no-prompts': { type: 'boolean', default: false },
    /** An engine configuration file for every scan (e.g. a signal switched off, for an ablation). */
    config: { type: 'string' },
  },
});
const scale = Number(values.scale);
const seed = Number(values.seed);
const promptsDir = resolve('../shared/data/prompts');
const prompts = !values['no-prompts'] && existsSync(promptsDir) ? promptsDir : undefined;
const jsonPath = values.json ?? `bench/results/quality-scale${scale}.json`;

const results: Record<string, unknown> = {};
console.log(`bench:quality scale ${scale} seed ${seed}; prompt text: ${prompts ? prompts : 'built-in generators (../shared/data/prompts absent)'}`);
for (const scenario of values.scenarios!.split(',')) {
  const dir = join(values.cache!, `${scenario}-s${scale}-seed${seed}-${prompts ? 'corpus' : 'builtin'}`);
  const input = join(dir, 'input.ndjson');
  const t0 = performance.now();
  if (!existsSync(join(dir, 'truth.json'))) await runSimulate({ scenario, scale, seed, out: dir, prompts });
  const simMs = performance.now() - t0;
  const scan = await runScan({ inputs: [input], out: join(dir, 'scan'), quiet: true, config: values.config });
  const { ours, baseline } = await runEvaluate({ truth: join(dir, 'truth.json'), scan: join(dir, 'scan'), input });
  const base = baseline!;
  results[scenario] = { lines: scan.summary.lines_read, scan_events_per_second: scan.summary.events_per_second, simulate_ms: Math.round(simMs), distillguard: ours, rate_rule: base };
  console.log(`\n## ${scenario}: ${scan.summary.lines_read.toLocaleString('en')} lines, ${ours.accounts} accounts (${ours.distillation_accounts} distillation), scan ${scan.summary.events_per_second.toLocaleString('en')} events/s`);
  console.log([HEADER, row('ours', ours), row('rate-rule', base), ...details(ours)].join('\n'));
}
await mkdir(dirname(jsonPath), { recursive: true });
await writeFile(jsonPath, `${JSON.stringify({ scale, seed, prompts: prompts ? 'shared/data/prompts' : 'builtin', results }, null, 2)}\n`);
console.log(`\nfigures written to ${jsonPath}`);
