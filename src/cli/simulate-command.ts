// `distillguard simulate`: realistic traffic with ground truth (see src/sim/README.md).
import type { Command } from 'commander';
import { parseNumber } from './main.js';
import { runSimulate, simulatedLine, SCENARIOS } from '../sim/index.js';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('write a simulated traffic scenario (input.ndjson) and its ground truth (truth.json)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--scenario <name>', `one of: ${SCENARIOS.map((s) => s.name).join(', ')}`, 'default')
    .option('--scale <f>', 'account-count multiplier (1.0 ≈ 500k exchanges over 21 days)', parseNumber('float', 0.001, 100), 1)
    .option('--seed <n>', 'random seed (same seed, same bytes)', parseNumber('int', 0), 1)
    .option('--prompts <dir>', 'draw prompt text from corpus files (organic-*.jsonl, distill-*.jsonl)')
    .option('--days <n>', 'length of the simulated window in days', parseNumber('int', 1, 365))
    .option('--start <time>', 'RFC 3339 start of the window')
    .option('--operation-seed <n>', 'one operation across providers: same value, different --seed ⇒ same farm infrastructure and scaffolds, different accounts', parseNumber('int', 0))
    .action(async (o: { out: string; scenario: string; scale: number; seed: number; prompts?: string; days?: number; start?: string; operationSeed?: number }) => {
      const t0 = Date.now();
      const r = await runSimulate(o);
      process.stdout.write(`${simulatedLine(r)} in ${((Date.now() - t0) / 1000).toFixed(1)} s → ${r.path}\n`);
    });
}
