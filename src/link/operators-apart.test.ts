// Distinct operations of one world stay distinct campaigns. The tiny world's farm, pivot, hydra and
// evasive operations harvest the same public benchmark items through the same public agent scaffold
// and popular SDKs; before pipelines were told apart (./pipelines.ts), newcomers linked on those alone
// fused two of them into one campaign in the first hours.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScan } from '../cli/scan.js';
import { runSimulate } from '../sim/index.js';

describe('operators kept apart', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-apart-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('puts the accounts of one campaign in one operation, and each operation in one campaign', async () => {
    const sim = await runSimulate({ scenario: 'tiny', scale: 1, seed: 1, out: join(tmp, 'sim'), days: 4 });
    const truth = JSON.parse(await readFile(join(tmp, 'sim', 'truth.json'), 'utf8')) as { accounts: Record<string, { campaign: string | null }> };
    const { results } = await runScan({ inputs: [sim.path], out: join(tmp, 'scan'), quiet: true, workers: 0 });
    const campaignsOf = new Map<string, Set<string>>();
    for (const c of results.campaigns) {
      const ops = new Set(c.accounts.map((a) => truth.accounts[a]?.campaign ?? 'organic'));
      expect([...ops], `${c.campaign_id} holds one operation`).toHaveLength(1);
      const op = [...ops][0];
      campaignsOf.set(op, (campaignsOf.get(op) ?? new Set()).add(c.campaign_id));
    }
    expect(campaignsOf.size).toBeGreaterThanOrEqual(3);
    for (const [op, ids] of campaignsOf) expect([...ids], `${op} is one campaign`).toHaveLength(1);
  });
});
