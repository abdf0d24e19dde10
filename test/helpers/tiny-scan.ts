// A scanned store of the simulator's `tiny` scenario (two days, seed 7: ~16k lines, two campaigns,
// a handful of suspicious accounts), for the brief, server and dashboard suites.
import { join } from 'node:path';
import { runScan, type ScanOutcome } from '../../src/cli/scan.js';
import { runSimulate } from '../../src/sim/index.js';

export interface TinyScan extends ScanOutcome {
  input: string;
  out: string;
}

export async function scanTiny(dir: string, days = 2): Promise<TinyScan> {
  const sim = await runSimulate({ scenario: 'tiny', scale: 1, seed: 7, days, out: join(dir, 'traffic') });
  const out = join(dir, 'scan');
  const scan = await runScan({ inputs: [sim.path], out, quiet: true });
  return { ...scan, input: sim.path, out };
}
