// Analyst decisions fed back into the engine: stored in the scan's store, replayed at their event
// times by the next scan of the same traffic, with the same verdicts every time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScan } from '../src/cli/scan.js';
import type { AccountOut, CampaignOut } from '../src/core/output.js';
import { openDuckDbStore } from '../src/store/duckdb.js';
import { scanTiny, type TinyScan } from './helpers/tiny-scan.js';

let tmp: string;
let base: TinyScan;
let dismissed: AccountOut;
let confirmed: AccountOut;
/** A campaign with room to grow (the lowest-scored), and the member an analyst confirms in it. */
let weakest: CampaignOut;
let confirmedMember: string;
let at: number;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dg-decisions-'));
  base = await scanTiny(tmp, 1);
  const campaigns = [...base.results.campaigns].sort((a, b) => a.score - b.score);
  weakest = campaigns[0];
  confirmedMember = weakest.accounts[0];
  const strongest = campaigns[campaigns.length - 1];
  dismissed = base.results.accounts.find((a) => a.verdict === 'distillation' && a.campaign_id === strongest.campaign_id)!;
  confirmed = base.results.accounts.find((a) => a.verdict === 'suspicious' && a.campaign_id === null)!;
  at = Date.parse(base.summary.last_event!);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const byId = (accounts: AccountOut[]): Map<string, AccountOut> => new Map(accounts.map((a) => [a.account_id, a]));

describe('decisions replayed by scan', () => {
  it('stored decisions are applied by the next scan into the same store, identically on a second run', async () => {
    expect(base.results.campaigns.length, 'two campaigns').toBeGreaterThanOrEqual(2);
    expect(dismissed, 'a flagged member of the strongest campaign').toBeDefined();
    expect(confirmed, 'a suspicious account outside any campaign').toBeDefined();
    expect(weakest.score, 'the weakest campaign can be strengthened').toBeLessThan(0.99);
    const store = await openDuckDbStore(base.db);
    try {
      const log = store.decisions;
      await log.record({ account_id: dismissed.account_id, action: 'dismiss', note: 'known evaluator', at, actor: 'test' });
      await log.record({ account_id: confirmed.account_id, action: 'confirm', note: '', at, actor: 'test' });
      await log.record({ account_id: confirmedMember, action: 'confirm', note: 'same payment card as a known farm', at, actor: 'test' });
      await log.record({ account_id: 'acct_never_seen', action: 'escalate', note: '', at, actor: 'test' });
    } finally {
      await store.close();
    }
    const first = await runScan({ inputs: [base.input], out: join(tmp, 'replay-1'), db: base.db, quiet: true });
    const second = await runScan({ inputs: [base.input], out: join(tmp, 'replay-2'), db: base.db, quiet: true });
    expect(second.results.accounts).toEqual(first.results.accounts);
    expect(second.results.campaigns).toEqual(first.results.campaigns);

    const after = byId(first.results.accounts);
    // Dismissed: the evidence seen up to the decision no longer flags it.
    const d = after.get(dismissed.account_id)!;
    expect(d.verdict).toBe('benign');
    expect(d.flagged_at).toBeNull();
    expect(d.reasons.map((r) => r.code)).toContain('analyst_dismissed');
    // Confirmed alone: distillation from the decision on.
    const c = after.get(confirmed.account_id)!;
    expect(c.verdict).toBe('distillation');
    expect(c.flagged_at).toBe(base.summary.last_event);
    expect(c.reasons.map((r) => r.code)).toContain('analyst_confirmed');
    // Confirmed in a campaign: the campaign carries the confirmation and every member is strengthened.
    const strengthened = first.results.campaigns.find((x) => x.campaign_id === weakest.campaign_id)!;
    expect(strengthened.reasons.find((r) => r.code === 'analyst_confirmed')?.detail).toEqual({ accounts: 1 });
    expect(strengthened.score).toBeGreaterThan(weakest.score);
    for (const id of weakest.accounts) {
      const was = base.results.accounts.find((a) => a.account_id === id)!;
      const now = after.get(id)!;
      expect(now.score, id).toBeGreaterThanOrEqual(was.score);
      expect(now.reasons.map((r) => r.code), id).toContain('analyst_confirmed');
    }
    // Nobody else changed: the decisions apply after every record, at the end of the data.
    for (const a of base.results.accounts) {
      if (a.account_id === dismissed.account_id || a.account_id === confirmed.account_id || a.campaign_id === weakest.campaign_id) continue;
      expect(after.get(a.account_id)?.verdict, a.account_id).toBe(a.verdict);
    }
  });
});
