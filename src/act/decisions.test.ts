import { describe, expect, it } from 'vitest';
import { decisionInputs, latestDecisions, type DecisionRecord } from './decisions.js';

const record = (id: number, account_id: string, action: DecisionRecord['action'], at: string, accounts?: string[]): DecisionRecord => ({
  id,
  account_id,
  action,
  note: '',
  at,
  decided_at: '2026-04-03T09:00:00.000Z',
  actor: 'carol',
  position: null,
  ...(accounts ? { accounts } : {}),
});

describe('latestDecisions', () => {
  it("keeps each account's last confirm, dismiss or escalate; a campaign's split or merge stored under it is not the account's", () => {
    const records = [
      record(1, 'a', 'confirm', '2026-04-01T10:00:00.000Z'),
      record(2, 'b', 'escalate', '2026-04-01T11:00:00.000Z'),
      record(3, 'b', 'dismiss', '2026-04-01T12:00:00.000Z'),
      record(4, 'a', 'merge', '2026-04-01T13:00:00.000Z', ['x']),
      record(5, 'c', 'split', '2026-04-01T14:00:00.000Z', ['d', 'e']),
    ];
    const latest = latestDecisions(records);
    expect([...latest].map(([id, d]) => [id, d.action])).toEqual([
      ['a', 'confirm'],
      ['b', 'dismiss'],
    ]);
    // The engine still takes every one of them, in event-time order.
    expect(decisionInputs(records).map((d) => d.action)).toEqual(['confirm', 'escalate', 'dismiss', 'merge', 'split']);
  });
});
