// `distillguard demo`: simulate a scenario, scan it on the embedded default store, say where the report is,
// then serve the dashboard over a live engine fed the same traffic until Ctrl-C (--no-serve stops there).
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { parseNumber } from './main.js';
import { knownOnly, runScan } from './scan.js';
import { runSimulate, simulatedLine } from '../sim/index.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('simulate traffic with campaigns and hard negatives, scan it, and write the report')
    .option('--out <dir>', 'output folder', 'out/demo')
    .option('--scenario <name>', 'simulator scenario', 'default')
    .option('--scale <f>', 'simulator scale', parseNumber('float', 0.001, 100), 0.25)
    .option('--seed <n>', 'simulator seed', parseNumber('int', 0), 7)
    .option('--port <n>', 'dashboard port (0 picks a free one)', parseNumber('int', 0, 65535), 8080)
    .option('--fresh', 'discard the live store of an earlier demo, with its analyst decisions (kept by default)')
    .option('--no-serve', 'stop after the scan instead of serving the dashboard (tests, CI)')
    .action(async (o: { out: string; scenario: string; scale: number; seed: number; port: number; serve: boolean; fresh?: boolean }) => {
      const dir = resolve(o.out);
      const sim = await runSimulate({ scenario: o.scenario, scale: o.scale, seed: o.seed, out: join(dir, 'traffic') });
      process.stdout.write(`${simulatedLine(sim)} (${o.scenario}, scale ${o.scale})\n`);
      const scan = await runScan({ inputs: [sim.path], out: join(dir, 'scan') });
      const s = scan.summary;
      const briefed = scan.results.campaigns.find((c) => c.flagged_at !== null) ?? scan.results.campaigns[0];
      process.stdout.write(
        `scanned ${s.lines_read.toLocaleString('en')} lines at ${s.events_per_second.toLocaleString('en')} events/s: ` +
          `${s.accounts.toLocaleString('en')} accounts with exchanges${knownOnly(scan.knownAccounts, s.accounts)}, ${s.flagged_accounts} flagged distillation, ${s.suspicious_accounts} suspicious, ${s.campaigns} campaigns\n` +
          `report: ${join(dir, 'scan', 'report.html')}\nstore:  ${scan.db}\n` +
          (briefed ? `brief:  distillguard report --db ${scan.db} --campaign ${briefed.campaign_id} --format pdf --out brief.pdf\n` : ''),
      );
      if (o.serve) await (await import('./demo-serve.js')).serveDemo({ dir, input: sim.path, port: o.port, fresh: o.fresh, traffic: `${o.scenario}, scale ${o.scale}, seed ${o.seed}` });
    });
}
