import { describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../store/duckdb.js';
import type { Store } from '../store/store.js';
import { analystMessage } from './analyst-decisions.js';
import { recordAnalystOutcome } from './analyst-record.js';
import type { AnalystOutcome } from './judge-state.js';

const T = Date.parse('2026-04-02T12:00:00Z');

/** The store, whose `n`th write (audit entry or decision row, counted together) fails once, as a judge dying there would. */
function failingAt(store: Store, n: number): Store {
  let writes = 0;
  const fail = (): void => {
    if (++writes === n) throw new Error('the judge died here');
  };
  const appendAudit = store.appendAudit.bind(store);
  const record = store.decisions.record.bind(store.decisions);
  store.appendAudit = async (e) => (fail(), appendAudit(e));
  store.decisions.record = async (d) => (fail(), record(d));
  return store;
}

describe('recordAnalystOutcome', () => {
  const applied: AnalystOutcome = {
    message: analystMessage('alice', { account_id: 'acct_a', decision: 'false_positive', note: 'a lab under contract' }, T + 5),
    seq: 41,
    applied: { accountId: 'acct_a', action: 'dismiss', at: T },
    refused: null,
  };

  for (const n of [1, 2]) {
    it(`a judge that dies at write ${n} and replays the decision leaves one row and one audit entry`, async () => {
      const store = failingAt(await openDuckDbStore(':memory:'), n);
      try {
        await expect(recordAnalystOutcome(store, applied)).rejects.toThrow('the judge died here');
        await recordAnalystOutcome(store, applied); // the replay after the restart
        await recordAnalystOutcome(store, applied); // and a second one, from the start of the stream
        expect((await store.decisions.list('acct_a')).map((d) => [d.action, d.position, d.actor])).toStrictEqual([['dismiss', 41, 'alice']]);
        const audit = await store.audit({ kind: 'decision' });
        expect(audit.map((e) => e.id)).toStrictEqual([applied.message.id]);
        expect(audit[0].body).toMatchObject({ decision: 'false_positive', stream_seq: 41, applied: { action: 'dismiss', at: '2026-04-02T12:00:00.000Z' } });
      } finally {
        await store.close();
      }
    });
  }

  it('a refused decision is audited with its reason and writes no row', async () => {
    const store = await openDuckDbStore(':memory:');
    try {
      const refused: AnalystOutcome = { ...applied, seq: 42, message: analystMessage('bob', { account_id: 'acct_zz', decision: 'confirmed' }, T), applied: null, refused: 'the judge has not seen account acct_zz' };
      expect(await recordAnalystOutcome(store, refused)).toHaveLength(1);
      expect(await store.decisions.list()).toStrictEqual([]);
      expect((await store.audit({ kind: 'decision' }))[0].body).toMatchObject({ applied: null, refused: 'the judge has not seen account acct_zz' });
    } finally {
      await store.close();
    }
  });
});
