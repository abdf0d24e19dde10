import { describe, expect, it } from 'vitest';
import type { ActionLine } from '../act/action-out.js';
import { actionAuditEntry } from '../server/gateway.js';
import { DecisionCopies } from './decision-copies.js';
import { policyAuditEntry, type ActionEvent } from './decision-events.js';

function action(account: string, action: string, at: string, rule = 'r1'): ActionEvent {
  const line: ActionLine = { account_id: account, action, from: 'allow', params: {}, at, rule, mode: 'enforce', policy: 'p@1', campaign_id: null, mark: null, reasons: [] };
  return { ...actionAuditEntry(line), kind: 'action_change', account_id: account, body: line };
}

describe('DecisionCopies', () => {
  it('takes each event once: a judge publishing its changes again from an older checkpoint changes nothing', () => {
    const copies = new DecisionCopies();
    const run = [action('a', 'throttle', '2026-04-02T01:00:00Z'), action('b', 'block', '2026-04-02T01:30:00Z'), action('a', 'block', '2026-04-02T02:00:00Z'), action('a', 'hold', '2026-04-02T02:00:00Z', 'r2')];
    expect(run.map((e) => copies.take(e))).toStrictEqual([true, true, true, true]);
    // The restarted judge publishes everything from the first change again, then a new one.
    expect(run.map((e) => copies.take(e))).toStrictEqual([false, false, false, false]);
    expect(copies.take(action('a', 'allow', '2026-04-02T03:00:00Z'))).toBe(true);
    expect(copies.size).toBe(2);
  });

  it('two changes of one account at one event time are both new; a policy version is taken once', () => {
    const copies = new DecisionCopies();
    expect(copies.take(action('a', 'throttle', '2026-04-02T01:00:00Z', 'r1'))).toBe(true);
    expect(copies.take(action('a', 'block', '2026-04-02T01:00:00Z', 'r2'))).toBe(true);
    const v = { name: 'p', revision: '2', sha256: 'ab'.repeat(32), position: 10, at: '2026-04-02T01:00:00Z', actor: 'ops' };
    expect(copies.take(policyAuditEntry(v, '2026-04-02T01:00:00Z'))).toBe(true);
    expect(copies.take(policyAuditEntry(v, '2026-04-02T01:00:00Z'))).toBe(false);
  });
});
