import { describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../store/duckdb.js';
import type { AuditEntry } from '../store/store.js';
import { newestAudit } from './audit-as-of.js';

function change(to: string, at: string): AuditEntry {
  return { id: `verdict:acct_a:${to}:${at}`, kind: 'verdict_change', at, recorded_at: '2026-03-02T00:00:00.000Z', actor: 'engine', account_id: 'acct_a', campaign_id: null, body: { from: '', to } };
}

describe('newestAudit', () => {
  const first = change('suspicious', '2026-03-01T01:00:00.000Z');
  const flagged = change('distillation', '2026-03-01T02:00:00.000Z');
  const back = change('suspicious', '2026-03-01T03:00:00.000Z');

  it('shows a write that committed while the service still lists its entries once, newest first', async () => {
    const store = await openDuckDbStore(':memory:');
    try {
      await store.appendAudit([first]);
      // One write held both changes of the account; it committed, the service has not seen it return.
      await store.appendAudit([flagged, back]);
      const read = (n: number): Promise<AuditEntry[]> => store.audit({ accountId: 'acct_a', limit: n });
      expect((await newestAudit([flagged, back], read, 1)).map((e) => e.id)).toStrictEqual([back.id]);
      expect((await newestAudit([flagged, back], read, 5)).map((e) => e.id)).toStrictEqual([back.id, flagged.id, first.id]);
    } finally {
      await store.close();
    }
  });

  it('puts what the log does not hold yet before what it holds', async () => {
    const store = await openDuckDbStore(':memory:');
    try {
      await store.appendAudit([first]);
      const read = (n: number): Promise<AuditEntry[]> => store.audit({ accountId: 'acct_a', limit: n });
      expect((await newestAudit([flagged, back], read, 2)).map((e) => e.id)).toStrictEqual([back.id, flagged.id]);
      expect((await newestAudit([], read, 2)).map((e) => e.id)).toStrictEqual([first.id]);
    } finally {
      await store.close();
    }
  });
});
