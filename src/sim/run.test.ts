// A simulation's account count reconciles with a scan of it: the scan scores the accounts that sent
// exchanges and counts the others (signed up, sent nothing) apart, and both commands say so.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { knownOnly, runScan } from '../cli/scan.js';
import { runSimulate, simulatedLine } from './run.js';

let tmp: string | undefined;
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('simulate and scan: accounts reconciled', () => {
  it('simulate counts every account and its senders; scan scores the senders and names the rest', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-sim-reconcile-'));
    const sim = await runSimulate({ scenario: 'tiny', scale: 1, seed: 3, days: 1, out: join(tmp, 'traffic') });
    const scan = await runScan({ inputs: [sim.path], out: join(tmp, 'scan'), quiet: true });
    const idle = sim.accounts - sim.senders;
    // The tiny world has accounts that sign up and never send: the case that looked like lost accounts.
    expect(idle).toBeGreaterThan(0);
    expect(scan.summary.accounts).toBe(sim.senders);
    expect(scan.knownAccounts).toBe(sim.accounts);
    // Both lines carry the figures that make them add up.
    expect(simulatedLine(sim)).toContain(`from ${sim.accounts.toLocaleString('en')} accounts (${sim.senders.toLocaleString('en')} sent exchanges; ${idle.toLocaleString('en')} signed up and sent nothing)`);
    expect(knownOnly(scan.knownAccounts, scan.summary.accounts)).toContain(`${idle.toLocaleString('en')} more known only from account records`);
  });
});
