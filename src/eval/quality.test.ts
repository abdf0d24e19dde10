import { describe, expect, it } from 'vitest';
import { evaluate } from './quality.js';
import type { Prediction } from './quality.js';
import { operations } from './table.js';
import type { Truth } from './truth.js';

const T0 = Date.parse('2026-04-01T00:00:00.000Z');
const iso = (h: number): string => new Date(T0 + h * 3_600_000).toISOString();

/** Two operations (a1-a4, b1-b4) and four organic accounts. */
function truth(): Truth {
  const accounts: Truth['accounts'] = {};
  for (const id of ['a1', 'a2', 'a3', 'a4']) accounts[id] = { label: 'distillation', group: 'hidden', campaign: 'op-a' };
  for (const id of ['b1', 'b2', 'b3', 'b4']) accounts[id] = { label: 'distillation', group: 'hidden', campaign: 'op-b' };
  for (const id of ['o1', 'o2', 'o3', 'o4']) accounts[id] = { label: 'organic', group: id === 'o4' ? 'mooc' : 'organic', campaign: null };
  return {
    version: 1,
    scenario: 'test',
    accounts,
    campaigns: {
      'op-a': { kind: 'hidden', accounts: ['a1', 'a2', 'a3', 'a4'], start: iso(0) },
      'op-b': { kind: 'hidden', accounts: ['b1', 'b2', 'b3', 'b4'], start: iso(10) },
    },
  };
}

function pred(id: string, flaggedH: number | null, campaign: string | null): Prediction {
  return {
    account_id: id,
    score: flaggedH === null ? 0.1 : 0.9,
    verdict: flaggedH === null ? 'benign' : 'distillation',
    flagged_at: flaggedH === null ? null : iso(flaggedH),
    exchanges: 10,
    exchanges_before_flag: flaggedH === null ? null : 2,
    campaign_id: campaign,
  };
}

describe('per-operation recall, completeness and purity', () => {
  it('two operations reported as one campaign: each complete, neither pure', () => {
    const preds = ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4'].map((id, i) => pred(id, 12 + i, 'c1'));
    preds.push(pred('o1', null, null), pred('o2', null, null), pred('o3', null, null), pred('o4', null, null));
    const q = evaluate(truth(), preds, [{ campaign_id: 'c1', accounts: ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4'] }]);
    const [a, b] = q.campaigns;
    expect(a).toMatchObject({ campaign: 'op-a', recall: 1, completeness: 1, purity: 0.5, first_flag_h: 12 });
    expect(b).toMatchObject({ campaign: 'op-b', recall: 1, completeness: 1, purity: 0.5, first_flag_h: 6 });
    expect(q.campaign_purity_min).toBe(0.5);
    expect(q.campaign_completeness_min).toBe(1);
    expect(q.distillation.precision).toBe(1);
  });

  it('kept apart, one split in two and one organic account in the other: the worst operation is reported', () => {
    const preds = [
      pred('a1', 1, 'c1'), pred('a2', 2, 'c1'), pred('a3', 3, 'c1'), pred('a4', null, null),
      pred('b1', 11, 'c2'), pred('b2', 11, 'c2'), pred('b3', 11, 'c3'), pred('b4', 11, 'c3'),
      pred('o1', 5, 'c1'), pred('o2', null, null), pred('o3', null, null), pred('o4', null, null),
    ];
    const q = evaluate(truth(), preds, [
      { campaign_id: 'c1', accounts: ['a1', 'a2', 'a3', 'o1'] },
      { campaign_id: 'c2', accounts: ['b1', 'b2'] },
      { campaign_id: 'c3', accounts: ['b3', 'b4'] },
    ]);
    const [a, b] = q.campaigns;
    expect(a).toMatchObject({ recall: 0.75, completeness: 0.75, purity: 0.75 });
    expect(b).toMatchObject({ recall: 1, completeness: 0.5, purity: 1 });
    expect(q.campaign_completeness_min).toBe(0.5);
    expect(q.campaign_purity_min).toBe(0.75);
    expect(q.organic_fpr_by_group.organic).toMatchObject({ accounts: 3, fp: 1 });
    expect(q.organic_fpr_by_group.mooc).toMatchObject({ accounts: 1, fp: 0 });
    const table = operations(q);
    expect(table).toHaveLength(3);
    expect(table[1]).toMatch(/op-a\s+hidden\s+4\s+0\.750/);
    expect(table[2]).toMatch(/op-b .*1\.000\s+1\.0h\s+1\.0h\s+1\.0h\s+0\.500\s+1\.000/);
  });

  it('an operation never flagged has recall, completeness and purity 0', () => {
    const preds = ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4', 'o1'].map((id) => pred(id, null, null));
    const q = evaluate(truth(), preds, []);
    expect(q.campaigns.map((c) => [c.recall, c.completeness, c.purity, c.first_flag_h])).toEqual([[0, 0, 0, null], [0, 0, 0, null]]);
    expect(q.campaign_purity_min).toBe(0);
    expect(q.distillation.recall).toBe(0);
  });
});
