// Analyst decision messages: what serve publishes reads back; anything else is refused with its reason;
// the judge's state applies a message once (a second delivery at or below its sequence changes nothing)
// and says why it could not apply one.
import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import { analystMessage, readAnalystMessage } from './analyst-decisions.js';
import { JudgeState } from './judge-state.js';

const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));

describe('analyst decision messages', () => {
  it('read back as published; a message that is not one is refused, saying why', () => {
    const m = analystMessage('alice', { account_id: 'acct_1', decision: 'false_positive', note: 'lab' }, Date.UTC(2026, 3, 1));
    expect(m.id).toMatch(/^decision:[0-9a-f-]{36}$/);
    expect(readAnalystMessage(bytes(m))).toEqual(m);
    expect(() => readAnalystMessage(bytes({ ...m, id: 'x' }))).toThrow(/needs id/);
    expect(() => readAnalystMessage(bytes({ ...m, decided_at: 'yesterday' }))).toThrow(/decided_at/);
    expect(() => readAnalystMessage(bytes({ ...m, input: { account_id: 'acct_1', decision: 'maybe' } }))).toThrow(/input is invalid/);
    expect(() => readAnalystMessage(bytes({ ...m, input: { decision: 'split', campaign_id: 'cmp_1' } }))).toThrow(/split names a campaign_id and the accounts/);
  });

  it('the judge applies a message once, and says why it could not apply it', () => {
    const state = new JudgeState(buildEngineConfig({ emailKey: 'analyst-test-key-0123456789' }));
    const m = analystMessage('bob', { account_id: 'acct_1', decision: 'confirmed' });
    expect(state.applyDecision(3, m)).toEqual({ message: m, seq: 3, applied: null, refused: 'the judge has no traffic yet' });
    expect(state.applyDecision(3, m)).toBeNull();
    expect(state.applyDecision(2, m)).toBeNull();
    expect(state.streamSeq).toBe(3);
    expect(state.counts).toMatchObject({ messages: 1, decisions: 0 });
  });
});
