import { describe, expect, it } from 'vitest';
import { PipelineSchema, type PipelineParams } from '../config/pipelines.js';
import type { Exchange } from '../core/records.js';
import type { AccountState } from '../observe/account-state.js';
import { PhraseFrequency, phraseHashes } from './phrase-frequency.js';
import { RetroTradecraft } from './retro-tradecraft.js';
import { SharedPipelines } from './shared-pipelines.js';

/** A number as letters (phrases mask digits). */
const letters = (n: number): string => (n < 26 ? '' : letters(Math.floor(n / 26) - 1)) + String.fromCharCode(97 + (n % 26));
const words = (tag: string, n: number): string => Array.from({ length: n }, (_, k) => `${tag}x${letters(k)}`).join(' ');

describe('tradecraft counted backwards, per account', () => {
  it('credits the pending exchanges that carried a phrase that qualified since', () => {
    const r = new RetroTradecraft();
    for (let e = 0; e < 6; e++) {
      r.exchange(3);
      r.phraseSeen(3, e % 2 === 0 ? 101 : 202);
      if (e < 2) r.phraseSeen(3, 303); // two exchanges also carried a third phrase
    }
    expect(r.credited(3, () => false)).toBe(0);
    expect(r.credited(3, (h) => h === 101)).toBe(3); // the 3 exchanges that carried it
    expect(r.credited(3, (h) => h === 303)).toBe(2);
    expect(r.credited(3, () => true)).toBe(6); // at most the pending exchanges
    expect(r.credited(4, () => true)).toBe(0); // an account with no pending exchange
    expect(r.holds(3, 202)).toBe(true);
    expect(r.holds(3, 404)).toBe(false);
  });

  it("counts an account's uses of a pending phrase exactly while its table has room, and at least (minus what it inherited) once it is full", () => {
    const r = new RetroTradecraft();
    for (let e = 0; e < 5; e++) r.phraseSeen(1, 7);
    r.phraseSeen(1, 8);
    expect(r.uses(1, 7)).toBe(5); // room left: exact
    expect(r.uses(1, 9)).toBe(0); // not held
    for (let h = 100; h < 106; h++) r.phraseSeen(1, h); // the table is full (8 phrases), least count 1
    expect(r.uses(1, 7)).toBe(5); // held from the start: still exact
    r.phraseSeen(1, 200); // replaces a phrase of count 1 and inherits it: counted 2, at least 1 (not 2)
    expect(r.uses(1, 200)).toBe(1);
    r.phraseSeen(1, 200);
    expect(r.uses(1, 200)).toBe(2);
  });

  it('keeps the most counted phrases in fixed memory (space-saving), most counted first', () => {
    const r = new RetroTradecraft();
    for (let e = 0; e < 40; e++) r.phraseSeen(0, 7);
    for (let h = 1000; h < 1100; h++) r.phraseSeen(0, h); // a hundred one-off phrases
    const out = r.phrases(0, []);
    expect(out[0]).toBe(7);
    expect(out.length).toBeLessThanOrEqual(8);
  });
});

describe('phrase grades', () => {
  it('tradecraft at the systematic bar, pending between the two bars, nothing below or when unshared', () => {
    const f = new PhraseFrequency({ minAccounts: 5, maxAccountShare: 0.25, minUsesPerAccount: 4 });
    const [h] = phraseHashes('lay out each inference');
    for (let a = 0; a < 40; a++) f.observe(a, `own words of user u${letters(a)} here`, true);
    const use = (from: number, to: number, times: number): void => {
      for (let a = from; a < to; a++) for (let t = 0; t < times; t++) f.observe(a, 'lay out each inference', false);
    };
    use(0, 4, 3);
    expect(f.grade(h, 2.5)).toBe(0); // 4 accounts: not shared enough
    use(4, 5, 3);
    expect(f.stats(h)).toMatchObject({ accounts: 5, uses: 15 });
    expect(f.grade(h, 2.5)).toBe(1); // 3 uses per account: pending
    expect(f.grade(h, 3.5)).toBe(0); // under a higher pending bar
    use(0, 5, 5);
    expect(f.grade(h, 2.5)).toBe(2); // 8 per account: tradecraft
  });
});

/** The few fields of an account the pipeline linking reads. */
interface Acct {
  idx: number;
  exchanges: number;
}

function exchange(prompt: string): Exchange {
  return {
    kind: 'exchange', id: 'e', ts: 0, accountId: 'a', format: 'anthropic', system: '', prompt, turns: 1, inputChars: prompt.length,
    n: 1, logprobs: false, thinking: false, tools: 0, maxTokens: 1024, client: { sdk: 'sdk' }, status: 200,
  };
}

/**
 * 300 background accounts with their own words; 20 operator accounts whose phrase is in their first
 * three prompts and, much later, in two more (so it qualifies as tradecraft only at the fourth use per
 * account); 20 other accounts who paste a snippet in three of their prompts (never systematic).
 * Returns how many operator and snippet accounts joined a candidate group.
 */
function careful(over: Partial<PipelineParams>): { op: number; snippet: number } {
  const p = PipelineSchema.parse({ phraseSampleBits: 0, retroUses: 1, ...over });
  expect(PipelineSchema.parse({}).retro).toBe(false); // measured, not adopted (bench/results/i13f-summary.md)
  const sp = new SharedPipelines(p);
  const accounts: Acct[] = [];
  const send = (idx: number, prompt: string): void => {
    const s = (accounts[idx] ??= { idx, exchanges: 0 });
    s.exchanges++;
    sp.observe(s as unknown as AccountState, exchange(prompt));
  };
  const OP = 'Spell out each intermediate deduction in numbered points.';
  const SNIPPET = 'Answer concisely and cite every source you use.';
  for (let round = 0; round < 12; round++) {
    for (let a = 40; a < 340; a++) send(a, words(`u${letters(a)}r${letters(round)}`, 14));
    for (let a = 0; a < 20; a++) send(a, `${words(`op${letters(a)}r${letters(round)}`, 14)} ${round < 3 || round >= 10 ? OP : ''}`);
    for (let a = 20; a < 40; a++) send(a, `${words(`sn${letters(a)}r${letters(round)}`, 14)} ${round % 4 === 0 ? SNIPPET : ''}`);
    sp.run(round * 3_600_000, accounts as unknown as AccountState[], accounts as unknown as AccountState[], () => true);
  }
  const joined = (from: number, to: number): number => {
    let n = 0;
    for (let a = from; a < to; a++) if (sp.accountStatus(a).candidate >= 0) n++;
    return n;
  };
  return { op: joined(0, 20), snippet: joined(20, 40) };
}

describe('an operator whose phrase qualifies late', () => {
  it('joins a candidate group once the exchanges that carried it before are counted; a snippet pasted now and then never does', () => {
    // At arrival 2 of 12 exchanges (17%) carried tradecraft: under the 20% share. Re-read, 5 of 12.
    expect(careful({ retro: false })).toEqual({ op: 0, snippet: 0 });
    expect(careful({ retro: true })).toEqual({ op: 20, snippet: 0 });
  });

  it('credits only phrases pending when they arrived (used more than retroUses times per account)', () => {
    // The phrase's first three uses average at most 3 per account: under a pending bar of 3.5, not remembered.
    expect(careful({ retro: true, retroUses: 3.5 }).op).toBe(0);
  });
});
