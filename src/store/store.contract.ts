// The contract every Store implementation passes (DuckDB now, PostgreSQL later).
// Call `storeContract(name, open)` from the implementation's test file.
import { describe, expect, it } from 'vitest';
import type { AccountOut } from '../core/output.js';
import { sampleScan } from '../report/sample.js';
import type { ScanResult, Store } from './store.js';

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const scan = sampleScan({ accounts: 600, campaigns: 3, days: 14, seed: 7 });

    it('is empty before the first scan', async () => {
      const s = await open();
      try {
        expect(await s.summary()).toBeNull();
        expect(await s.accounts()).toEqual([]);
        expect(await s.campaigns()).toEqual([]);
        expect(await s.account('nobody')).toBeNull();
        expect(await s.campaign('nothing')).toBeNull();
        expect(await s.daily()).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('reads back what it wrote', async () => {
      const s = await open();
      try {
        await s.writeScan(scan);
        await expectStored(s, scan);
      } finally {
        await s.close();
      }
    });

    it('filters and pages accounts', async () => {
      const s = await open();
      try {
        await s.writeScan(scan);
        const flagged = await s.accounts({ verdict: 'distillation' });
        expect(flagged.length).toBe(scan.summary.flagged_accounts);
        expect(flagged.every((a) => a.verdict === 'distillation')).toBe(true);

        const c = scan.campaigns[1];
        const members = await s.accounts({ campaignId: c.campaign_id });
        expect(members.map((a) => a.account_id).sort()).toEqual([...c.accounts].sort());

        const high = await s.accounts({ minScore: 0.9 });
        expect(high.length).toBe(scan.accounts.filter((a) => a.score >= 0.9).length);

        const all = await s.accounts();
        const page = await s.accounts({ limit: 10, offset: 5 });
        expect(page).toEqual(all.slice(5, 15));
        expect(await s.accounts({ verdict: 'distillation', campaignId: c.campaign_id, limit: 2 })).toHaveLength(2);
      } finally {
        await s.close();
      }
    });

    it('replaces the previous scan', async () => {
      const s = await open();
      try {
        await s.writeScan(scan);
        const next = sampleScan({ accounts: 50, campaigns: 1, days: 5, seed: 8 });
        await s.writeScan(next);
        await expectStored(s, next);
      } finally {
        await s.close();
      }
    });

    it('keeps the previous scan when a write fails', async () => {
      const s = await open();
      try {
        await s.writeScan(scan);
        const bad: ScanResult = {
          ...sampleScan({ accounts: 80, campaigns: 1, days: 5, seed: 9 }),
          daily: [{ day: 'not a day', exchanges: 1, flagged_exchanges: 0, active_accounts: 1 }],
        };
        await expect(s.writeScan(bad)).rejects.toThrow(/daily\.day/);
        const dup: ScanResult = { ...scan, accounts: [...scan.accounts, scan.accounts[0]] };
        await expect(s.writeScan(dup)).rejects.toThrow();
        await expectStored(s, scan);
      } finally {
        await s.close();
      }
    });

    it('keeps fields it has no column for, and explicit nulls', async () => {
      const s = await open();
      try {
        const a = { ...scan.accounts[0], suspicious_at: null, novel: { x: [1, 2] } } as AccountOut;
        const b: AccountOut = { ...scan.accounts[1] };
        delete b.first_seen;
        delete b.capabilities;
        await s.writeScan({ ...scan, accounts: [a, b] });
        expect(await s.account(a.account_id)).toMatchObject(a);
        const got = await s.account(b.account_id);
        expect(got).not.toHaveProperty('first_seen');
        expect(got).not.toHaveProperty('capabilities');
        expect(got).toMatchObject(b);
      } finally {
        await s.close();
      }
    });

    it('upserts a live delta on top of a scan and keeps the rest', async () => {
      const s = await open();
      try {
        await s.writeScan(scan);
        const [c0, c1] = scan.campaigns;
        const changed = scan.accounts.filter((a) => a.verdict !== 'benign').slice(0, 3).map((a) => ({ ...a, score: 0.99, exchanges: a.exchanges + 5 }));
        const evidence = changed.map((a) => ({ account_id: a.account_id, code: 'live_code', weight: 0.5, detail: '{}', at: a.last_seen ?? '2025-03-01T00:00:00.000Z' }));
        const grown = { ...c0, accounts: [...c0.accounts, 'newcomer'].sort(), exchanges: c0.exchanges + 1 };
        const summary = { ...scan.summary, accepted: scan.summary.accepted + 5 };
        await s.writeLive({ accounts: changed, evidence, campaigns: [grown], removedCampaigns: [c1.campaign_id], links: [], daily: scan.daily.slice(0, 2), summary });
        for (const a of changed) expect(await s.account(a.account_id)).toStrictEqual({ ...a, evidence: evidence.filter((e) => e.account_id === a.account_id) });
        expect(await s.campaign(grown.campaign_id)).toStrictEqual(grown);
        expect(await s.campaign(c1.campaign_id)).toBeNull();
        expect((await s.accounts({ campaignId: grown.campaign_id })).length).toBe(c0.accounts.length); // 'newcomer' has no account row
        expect((await s.accounts()).length).toBe(scan.accounts.length);
        expect(await s.summary()).toStrictEqual(summary);
      } finally {
        await s.close();
      }
    });

    it('reads a snapshot with the refresh it reflects; replaces only the daily rows of the days given', async () => {
      const s = await open();
      try {
        await s.writeScan(scan);
        expect((await s.snapshot(async () => (await s.accounts()).length)).refresh).toBeNull();
        const refresh = { refresh: 7, judged_through: '2025-03-01T00:10:00.000Z', engine_clock: '2025-03-01T00:12:00.000Z', consumed: 42, derived_at: '2025-03-02T10:00:00.000Z' };
        const day = scan.daily[0].day;
        const kept = scan.daily.filter((d) => d.day !== day);
        const moved = scan.daily.filter((d) => d.day === day).map((d) => ({ ...d, exchanges: d.exchanges + 1 }));
        await s.writeLive({ accounts: [], evidence: [], campaigns: [], removedCampaigns: [], links: [], daily: moved, days: [day], summary: scan.summary, refresh });
        const snap = await s.snapshot(async () => ({ summary: await s.summary(), daily: await s.daily() }));
        expect(snap.refresh).toStrictEqual(refresh);
        expect(snap.value.summary).toStrictEqual(scan.summary);
        expect(snap.value.daily).toStrictEqual([...moved, ...kept].filter((d) => d.campaign_id === undefined).sort((a, b) => (a.day < b.day ? -1 : 1)));
        await s.writeScan(scan); // a scan's tables reflect no live refresh
        expect((await s.snapshot(async () => null)).refresh).toBeNull();
      } finally {
        await s.close();
      }
    });

    it('appends audit entries once, newest first, and logs deliveries', async () => {
      const s = await open();
      try {
        const e = (id: string, account: string) => ({
          id,
          kind: 'verdict_change' as const,
          at: '2025-03-01T00:15:00.000Z',
          recorded_at: '2025-03-02T10:00:00.000Z',
          actor: 'engine',
          account_id: account,
          campaign_id: null,
          body: { from: 'benign', to: 'suspicious' },
        });
        expect((await s.appendAudit([e('a', 'x'), e('b', 'y')])).map((x) => x.id)).toEqual(['a', 'b']);
        expect((await s.appendAudit([e('b', 'y'), e('c', 'x'), e('c', 'x')])).map((x) => x.id)).toEqual(['c']);
        expect((await s.audit()).map((x) => x.id)).toEqual(['c', 'b', 'a']);
        expect(await s.audit({ accountId: 'x', limit: 1 })).toStrictEqual([e('c', 'x')]);
        // As of a snapshot's engine clock: the engine's entries up to it (inclusive), analysts' all.
        const later = { ...e('d', 'x'), at: '2025-03-01T00:20:00.000Z' };
        const decision = { ...e('f', 'x'), kind: 'decision' as const, actor: 'alice', at: '2025-03-03T00:00:00.000Z' };
        await s.appendAudit([later, decision]);
        expect((await s.audit({ accountId: 'x', engineThrough: '2025-03-01T00:15:00.000Z' })).map((x) => x.id)).toEqual(['f', 'c', 'a']);
        expect((await s.audit({ accountId: 'x', engineThrough: '2025-03-01T00:20:00.000Z' })).map((x) => x.id)).toEqual(['f', 'd', 'c', 'a']);
        expect((await s.audit({ accountId: 'x', engineThrough: '2025-03-01T00:14:59.999Z' })).map((x) => x.id)).toEqual(['f']);
        await s.writeScan(scan); // scans never touch the audit log
        expect(await s.audit()).toHaveLength(5);
        const d = { event_id: 'a', url: 'http://127.0.0.1:9/h', attempt: 1, status: 500, error: null, at: '2025-03-02T10:00:00.000Z', delivered: false };
        await s.appendDelivery(d);
        await s.appendDelivery({ ...d, attempt: 2, status: 200, at: '2025-03-02T10:00:01.000Z', delivered: true });
        expect((await s.deliveries('a')).map((x) => [x.attempt, x.delivered])).toEqual([[1, false], [2, true]]);
        expect(await s.deliveries('zzz')).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('keeps hostile strings intact', async () => {
      const s = await open();
      try {
        const id = `x'; DROP TABLE accounts; -- <script>"ü"</script>`;
        const a: AccountOut = { ...scan.accounts[0], account_id: id };
        await s.writeScan({ ...scan, accounts: [a], evidence: [] });
        expect((await s.account(id))?.account_id).toBe(id);
        expect(await s.accounts()).toHaveLength(1);
      } finally {
        await s.close();
      }
    });
  });
}

/** Everything `scan` holds reads back equal. */
export async function expectStored(s: Store, scan: ScanResult): Promise<void> {
  const byScore = <T extends { score: number }>(xs: T[], id: (x: T) => string): T[] =>
    [...xs].sort((x, y) => y.score - x.score || (id(x) < id(y) ? -1 : id(x) > id(y) ? 1 : 0));

  expect(await s.summary()).toStrictEqual(scan.summary);
  expect(await s.accounts()).toStrictEqual(byScore(scan.accounts, (a) => a.account_id));
  expect(await s.campaigns()).toStrictEqual(byScore(scan.campaigns, (c) => c.campaign_id));
  for (const c of scan.campaigns) {
    expect(await s.campaign(c.campaign_id)).toStrictEqual(c);
    expect(await s.daily(c.campaign_id)).toStrictEqual(scan.daily.filter((d) => d.campaign_id === c.campaign_id));
  }
  expect(await s.daily()).toStrictEqual(scan.daily.filter((d) => d.campaign_id === undefined));
  for (const a of scan.accounts.filter((x) => x.verdict !== 'benign').slice(0, 40)) {
    expect(await s.account(a.account_id)).toStrictEqual({
      ...a,
      evidence: scan.evidence.filter((e) => e.account_id === a.account_id),
    });
  }
}
