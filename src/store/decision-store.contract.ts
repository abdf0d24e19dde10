// The contract every DecisionStore implementation passes (DuckDB now, PostgreSQL later). Call
// `decisionStoreContract(name, open)` from the implementation's test file; `open` gives a new, empty store.
import { describe, expect, it } from 'vitest';
import { sampleScan } from '../report/sample.js';
import type { NewDecision } from './decision-store.js';
import type { Store } from './store.js';

const T = Date.parse('2026-04-02T12:00:00.000Z');

const decision = (account_id: string, over: Partial<NewDecision> = {}): NewDecision => ({ account_id, action: 'dismiss', note: '', at: T, actor: 'alice', decidedAt: T + 5, ...over });

export function decisionStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`DecisionStore contract: ${name}`, () => {
    it('stores what it was given and reads it back in the order recorded', async () => {
      const s = await open();
      try {
        expect(await s.decisions.list()).toEqual([]);
        const a = await s.decisions.record(decision('acct_a', { note: `known evaluator "'<x>'" ✓`, actor: 'alice' }));
        const b = await s.decisions.record(decision('acct_b', { action: 'confirm', at: T + 60_000, decidedAt: T + 7, position: 1234 }));
        const c = await s.decisions.record(decision('acct_a', { action: 'escalate', at: T - 1 }));
        expect(a).toEqual({ id: a.id, account_id: 'acct_a', action: 'dismiss', note: `known evaluator "'<x>'" ✓`, at: '2026-04-02T12:00:00.000Z', decided_at: '2026-04-02T12:00:00.005Z', actor: 'alice', position: null });
        expect(b).toMatchObject({ action: 'confirm', at: '2026-04-02T12:01:00.000Z', position: 1234 });
        expect(b.id).toBeGreaterThan(a.id);
        expect(c.id).toBeGreaterThan(b.id);
        // Recording order, not event-time order: the engine sorts them (decisionInputs).
        expect(await s.decisions.list()).toEqual([a, b, c]);
        expect(await s.decisions.list('acct_a')).toEqual([a, c]);
        expect(await s.decisions.list('nobody')).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('gives concurrent decisions distinct ids and loses none', async () => {
      const s = await open();
      try {
        const made = await Promise.all(Array.from({ length: 20 }, (_, i) => s.decisions.record(decision(`acct_${i}`))));
        expect(new Set(made.map((d) => d.id)).size).toBe(20);
        expect((await s.decisions.list()).map((d) => d.account_id).sort()).toEqual(made.map((d) => d.account_id).sort());
      } finally {
        await s.close();
      }
    });

    it('refuses an unknown action or time and stores nothing', async () => {
      const s = await open();
      try {
        await expect(s.decisions.record(decision('acct_a', { action: 'ban' as NewDecision['action'] }))).rejects.toThrow(RangeError);
        await expect(s.decisions.record(decision('acct_a', { at: Number.NaN }))).rejects.toThrow(RangeError);
        expect(await s.decisions.list()).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('keeps decisions across scans', async () => {
      const s = await open();
      try {
        const d = await s.decisions.record(decision('acct_a'));
        await s.writeScan(sampleScan({ accounts: 50, campaigns: 1, days: 2, seed: 1 }));
        await s.writeScan(sampleScan({ accounts: 60, campaigns: 1, days: 2, seed: 2 }));
        expect(await s.decisions.list()).toEqual([d]);
      } finally {
        await s.close();
      }
    });
  });
}
