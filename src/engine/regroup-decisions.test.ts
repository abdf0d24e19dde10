// An analyst's split and merge (src/judge/decisions.ts) on real engine runs of the tiny world: a split
// is not undone by the evidence that had joined the two sides, and a merge holds and says why.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignOut, LinkOut } from '../core/output.js';
import { runScan } from '../cli/scan.js';
import { runSimulate } from '../sim/index.js';

describe('analyst split and merge', () => {
  let tmp: string;
  let input: string;
  let before: CampaignOut[];
  let links: LinkOut[];
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-regroup-'));
    input = (await runSimulate({ scenario: 'tiny', scale: 1, seed: 1, out: join(tmp, 'sim'), days: 4 })).path;
    ({ campaigns: before, links } = (await runScan({ inputs: [input], out: join(tmp, 'before'), quiet: true, workers: 0, decisions: [] })).results);
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('splits accounts out of a campaign into their own, and the evidence that joined them does not join them again', async () => {
    const big = before.reduce((a, b) => (b.accounts.length > a.accounts.length ? b : a));
    expect(big.flagged_at).not.toBeNull();
    // The campaign's accounts linked 12 hours after its flag: the largest part its links (each with the
    // event time of the judgement that made it; a decision at T follows the judgements before T) connect by then.
    const at = Date.parse(big.flagged_at!) + 12 * 3_600_000;
    const part = new Map<string, Set<string>>();
    for (const l of links) {
      if (l.campaign_id !== big.campaign_id || Date.parse(l.at) >= at) continue;
      const pa = part.get(l.a) ?? new Set([l.a]);
      const pb = part.get(l.b) ?? new Set([l.b]);
      if (pa === pb) continue;
      for (const m of pb) pa.add(m);
      for (const m of pa) part.set(m, pa);
    }
    const early = [...[...part.values()].reduce((x, y) => (y.size > x.size ? y : x))].sort();
    expect(early.length).toBeGreaterThanOrEqual(5);
    const out = early.slice(0, 3);
    const { results } = await runScan({
      inputs: [input],
      out: join(tmp, 'split'),
      quiet: true,
      workers: 0,
      decisions: [{ accountId: out[0], action: 'split', accounts: out.slice(1), at }],
    });
    const campaignOf = new Map(results.accounts.map((a) => [a.account_id, a.campaign_id]));
    const theirs = campaignOf.get(out[0]);
    expect(theirs).not.toBeNull();
    for (const a of out) expect(campaignOf.get(a)).toBe(theirs);
    const rest = results.campaigns.find((c) => c.campaign_id === big.campaign_id)!;
    expect(rest.accounts.length).toBeGreaterThan(3);
    for (const a of out) expect(rest.accounts).not.toContain(a);
    // Days of traffic after the split, the accounts still share the things that linked them: still apart.
    expect(theirs).not.toBe(big.campaign_id);
  });

  it('merges two campaigns into one that keeps the older id and says it was an analyst join', async () => {
    const [x, y] = [...before].sort((a, b) => a.accounts.length - b.accounts.length).slice(0, 2);
    const at = Math.max(...before.map((c) => Date.parse(c.last_seen))) + 60_000;
    const { results } = await runScan({
      inputs: [input],
      out: join(tmp, 'merge'),
      quiet: true,
      workers: 0,
      decisions: [{ accountId: x.accounts[0], action: 'merge', accounts: [y.accounts[0]], at }],
    });
    const merged = results.campaigns.find((c) => c.accounts.includes(x.accounts[0]))!;
    expect(merged.accounts).toEqual([...x.accounts, ...y.accounts].sort());
    expect(results.campaigns).toHaveLength(before.length - 1);
    expect(merged.joins!.map((j) => j.rule)).toContain('analyst');
    const j = merged.joins!.find((k) => k.rule === 'analyst')!;
    expect(j.parts.map((p) => p.accounts).sort((a, b) => a - b)).toEqual([x.accounts.length, y.accounts.length].sort((a, b) => a - b));
    expect(j.at).toBe(new Date(at).toISOString());
  });

  it('applies nothing for a merge of a campaign with itself or a split naming an unknown account', async () => {
    const c = before[0];
    const at = Date.parse(c.last_seen) + 60_000;
    const { results } = await runScan({
      inputs: [input],
      out: join(tmp, 'bad'),
      quiet: true,
      workers: 0,
      decisions: [
        { accountId: c.accounts[0], action: 'merge', accounts: [c.accounts[1]], at },
        { accountId: c.accounts[0], action: 'split', accounts: ['no-such-account'], at },
      ],
    });
    expect(results.campaigns.map((k) => k.accounts)).toEqual(before.map((k) => k.accounts));
  });
});
