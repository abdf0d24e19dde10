import { describe, expect, it } from 'vitest';
import { PipelineSchema, type PipelineParams } from '../config/pipelines.js';
import type { Exchange } from '../core/records.js';
import type { AccountState } from '../observe/account-state.js';
import { SharedPipelines } from './shared-pipelines.js';
import { UnionFind } from './union-find.js';

/** The few fields of an account the pipeline linking reads. */
interface Acct {
  idx: number;
  exchanges: number;
  orgId?: string;
  exchangeOrg?: string;
  verification?: string;
}

/** A number as letters (phrases mask digits: "item 17" and "item 23" are one phrase). */
const letters = (n: number): string => (n < 26 ? '' : letters(Math.floor(n / 26) - 1)) + String.fromCharCode(97 + (n % 26));
const words = (tag: string, n: number): string => Array.from({ length: n }, (_, k) => `${tag}x${letters(k)}`).join(' ');

function exchange(prompt: string, maxTokens: number, sdk: string): Exchange {
  return {
    kind: 'exchange', id: 'e', ts: 0, accountId: 'a', format: 'anthropic', system: '', prompt, turns: 1, inputChars: prompt.length,
    n: 1, logprobs: false, thinking: false, tools: 0, maxTokens, client: { sdk }, status: 200,
  };
}

/** One judgement of the world: `sp.run` at `at`, its links joined in `uf` (as the linker joins them). */
function judgeAndLink(sp: SharedPipelines, accounts: Acct[], uf: UnionFind, at: number): void {
  sp.run(at, accounts as unknown as AccountState[], accounts as unknown as AccountState[], (a, b) => {
    uf.union(a, b);
    return true;
  });
}

/** Accounts `from` to `to` (exclusive) that ended linked to another. */
function linkedIn(uf: UnionFind, from: number, to: number): number {
  let n = 0;
  for (let a = from; a < to; a++) if (uf.membersOf(uf.find(a)).length > 1) n++;
  return n;
}

/**
 * A world: 300 background accounts with their own words (200 of them also paste a popular library's
 * snippet), an operator's 20 accounts (its instruction phrase on every payload, each payload dealt to
 * two of them, one config), and a class of 20 students (the course's phrase, the same 10 items each,
 * a popular SDK's defaults). `phraseElsewhere` background accounts also write the operator's phrase,
 * now and then (one prompt in six). Returns which accounts were linked, by group. Every phrase is read
 * (phraseSampleBits 0): a hand-made phrase has too few words for a sample.
 */
function world(over: Partial<PipelineParams> = {}, opts: { operatorOrg?: boolean; phraseElsewhere?: number; ownQuestions?: number; classConfig?: boolean; riders?: number } = {}): { op: number; cls: number; bg: number; opSets: number } {
  const p = PipelineSchema.parse({ queueMinExchanges: 20, phraseSampleBits: 0, ...over });
  const sp = new SharedPipelines(p);
  const accounts: Acct[] = [];
  const uf = new UnionFind();
  const send = (idx: number, prompt: string, maxTokens: number, sdk: string): void => {
    const s = (accounts[idx] ??= { idx, exchanges: 0 });
    s.exchanges++;
    sp.observe(s as unknown as AccountState, exchange(prompt, maxTokens, sdk));
  };
  const OP = [0, 20];
  const CLS = [20, 40];
  const BG = [40, 340];
  let item = 0;
  for (let round = 0; round < 30; round++) {
    for (let a = BG[0]; a < BG[1]; a++) {
      const library = a < BG[0] + 200 && round % 3 === 0 ? ' Please answer concisely and cite every source you use.' : '';
      const borrowed = a >= BG[1] - (opts.phraseElsewhere ?? 0) && round % 6 === 0 ? ' Spell out each intermediate deduction in numbered points.' : '';
      // Riders: the operator's phrase in their first three prompts only, before it qualifies (credited backwards).
      const rider = a < BG[0] + (opts.riders ?? 0) && round < 3 ? ' Spell out each intermediate deduction in numbered points.' : '';
      send(a, `${words(`u${letters(a)}r${letters(round)}`, 14)}${library}${borrowed}${rider}`, 1024, 'sdk-default');
    }
    for (let a = OP[0]; a < OP[1]; a++) {
      // Payload i goes to two accounts: a and the next one.
      const i = Math.floor(item++ / 2);
      send(a, `Spell out each intermediate deduction in numbered points. ${words(`item${letters(i)}`, 16)}`, 6000, 'op-sdk');
      if (opts.operatorOrg) accounts[a].orgId = 'org_eval';
    }
    for (let a = CLS[0]; a < CLS[1]; a++) {
      const sdk = opts.classConfig ? 'course-app' : 'sdk-default';
      send(a, `Use the course method from week three to solve it. ${words(`hw${letters(round % 10)}`, 16)}`, 1024, sdk);
      // A student's own questions, beside the course's problems: each new, without the course's phrase.
      for (let q = 0; q < (opts.ownQuestions ?? 0); q++) send(a, words(`own${letters(a)}r${letters(round)}q${letters(q)}`, 16), 1024, sdk);
    }
    judgeAndLink(sp, accounts, uf, round * 3_600_000);
  }
  const linked = (from: number, to: number): number => linkedIn(uf, from, to);
  const roots = new Set<number>();
  for (let a = OP[0]; a < OP[1]; a++) if (uf.membersOf(uf.find(a)).length > 1) roots.add(uf.find(a));
  return { op: linked(OP[0], OP[1]), cls: linked(CLS[0], CLS[1]), bg: linked(BG[0], BG[1]), opSets: roots.size };
}

describe('linking clean accounts through the pipeline they share', () => {
  it("links an operator's accounts into one set; neither a class nor the background nor a popular snippet's users", () => {
    const r = world();
    expect(r.op).toBe(20);
    expect(r.opSets).toBe(1);
    expect(r.cls).toBe(0);
    expect(r.bg).toBe(0);
  });

  it('links on tradecraft and the work queue alone, and on tradecraft and the configuration alone', () => {
    expect(world({ config: false }).op).toBe(20);
    expect(world({ queue: false }).op).toBe(20);
  });

  it('never links on tradecraft alone (one kind of evidence), nor without tradecraft', () => {
    expect(world({ config: false, queue: false }).op).toBe(0);
    expect(world({ tradecraft: false }).op).toBe(0);
  });

  it('does not link a declared organization (an evaluator sending from many keys of one org)', () => {
    expect(world({}, { operatorOrg: true }).op).toBe(0);
  });

  it('a phrase used by more than the marking share of the population is not read as tradecraft', () => {
    // The operator's phrase is used by 20 of 340 accounts (6%): read at 25%, not at 5%.
    expect(world({ phraseMarkShare: 0.05 }).op).toBe(0);
  });

  it("judges a group's phrase outside the group: rare there, and mostly the group's own", () => {
    // 60 background accounts also write it now and then (not enough to join): 60 of 320 outside (19%).
    expect(world({}, { phraseElsewhere: 60 }).op).toBe(0);
    expect(world({ phraseMaxAccountShare: 0.25 }, { phraseElsewhere: 60 }).op).toBe(0); // 20 of its 80 users in the group
    expect(world({ phraseMaxAccountShare: 0.25, phraseOwnedShare: 0.2 }, { phraseElsewhere: 60 }).op).toBe(20);
    // A large operation is not common by its own use: 20 accounts of 340 pass at an outside share of 1%.
    expect(world({ phraseMaxAccountShare: 0.01 }).op).toBe(20);
  });

  it('with the calibrated queue test on (queueTest), the work queue speaks on the openers the group has, not at a fixed count', () => {
    // The sketch's bar is out of reach (20,000 openers): tradecraft alone (configuration off) links no one.
    // The test reads a sample of 8 of each member's openers against groups of the other accounts (every one sampled).
    const q = { config: false, queueMinExchanges: 20_000, queueTestSampleBits: 0 };
    expect(world(q).op).toBe(0);
    const r = world({ ...q, queueTest: true });
    expect(r.op).toBe(20);
    expect(r.cls).toBe(0); // the class asks its problems again and again: their phrases are reused, not items; no queue
    expect(r.bg).toBe(0);
    expect(world({ ...q, queueTest: true, queue: false }).op).toBe(0); // the queue kind switched off: the test says nothing
  });

  it("a work queue links a member credited only backwards when it carries the group's phrase itself (retro: own use >= ownShare)", () => {
    // 10 riders carried the operator's phrase in their first three prompts, while it was pending (uses
    // from round 1 are remembered: 2 of 10 exchanges at round 9, the marked share): they join the
    // operator's group, which the queue links whole (configuration off). Own use of its phrase: 2 of
    // their 10 to 30 exchanges (20% falling to 6.7%).
    const riders = world({ config: false, retro: true, retroUses: 1, ownShare: 0.25 }, { riders: 10 });
    expect(riders.op).toBe(20);
    expect(riders.bg).toBe(0);
    expect(world({ config: false, retro: true, retroUses: 1, ownShare: 0.05 }, { riders: 10 }).bg).toBe(10);
    expect(world({ config: false, retro: false }, { riders: 10 }).bg).toBe(0); // never credited: never joins
  });

  it("judges a group's payload set on the prompts that carry its text: a class asking its own questions besides the course's is a class", () => {
    // Two own questions a round beside one course problem: most of a student's openers are new items
    // (two in three: a queue's fresh share, were they read), but the openers carrying the course's
    // phrase are the same 10 problems for all 20 students. With the course app's own configuration
    // switched off as evidence, the spread is the only second kind: read as a class, nothing links...
    expect(world({ config: false }, { ownQuestions: 2, classConfig: true }).cls).toBe(0);
    // ...and without the class veto (classMin out of reach) the same spread reads as a queue and links.
    expect(world({ config: false, classMin: 1000 }, { ownQuestions: 2, classConfig: true }).cls).toBe(20);
  });
});

/**
 * Timing as the second kind of evidence: an operator's 20 accounts carry one phrase on every prompt
 * but show no work queue (every item new, never crossing accounts) and no shared configuration (each
 * its own max_tokens); 100 background accounts of the same country send every hour. Four days, an
 * exchange an hour each; the operator's pipeline stops in hours 40-43 and 70-73 (`stop`), or the
 * whole region goes quiet then (`outage`). Returns how many operator accounts were linked.
 */
function timingWorld(o: { stop: boolean; outage?: boolean; timing?: boolean }): number {
  const p = PipelineSchema.parse({ queueMinExchanges: 20, phraseSampleBits: 0, timing: o.timing ?? true });
  const sp = new SharedPipelines(p);
  const accounts: Acct[] = [];
  const uf = new UnionFind();
  const H = 3_600_000;
  const send = (idx: number, ts: number, prompt: string, maxTokens: number): void => {
    const s = (accounts[idx] ??= { idx, exchanges: 0 });
    s.exchanges++;
    sp.observe(s as unknown as AccountState, { ...exchange(prompt, maxTokens, 'sdk-default'), ts, client: { sdk: 'sdk-default', country: 'US' } });
  };
  let item = 0;
  for (let h = 0; h < 96; h++) {
    const quiet = (h >= 40 && h < 44) || (h >= 70 && h < 74);
    if (!(quiet && o.outage)) for (let a = 20; a < 120; a++) send(a, h * H + (a - 20) * 30_000, words(`u${letters(a)}h${letters(h)}`, 14), 1024);
    if (!(quiet && (o.stop || o.outage))) {
      for (let a = 0; a < 20; a++) send(a, h * H + 60_000 + a * 150_000, `Spell out each intermediate deduction in numbered points. ${words(`item${letters(item++)}`, 16)}`, 4000 + a);
    }
    judgeAndLink(sp, accounts, uf, h * H + 3_599_000);
  }
  return linkedIn(uf, 0, 20);
}

describe('SharedPipelines: shared pipeline timing', () => {
  it('tradecraft and a stop of the pipeline alone (no queue, no shared configuration) link the operator', () => {
    expect(timingWorld({ stop: true })).toBe(20);
  });

  it('without the stop, tradecraft alone links no one', () => {
    expect(timingWorld({ stop: false })).toBe(0);
  });

  it('with timing switched off (ablation), the stop links no one', () => {
    expect(timingWorld({ stop: true, timing: false })).toBe(0);
  });

  it('a regional outage silences the operator with everyone around it: not one of the pipeline, no link', () => {
    expect(timingWorld({ stop: false, outage: true })).toBe(0);
  });
});

/**
 * The query distribution as the second kind: an operator's 20 accounts carry one phrase on every
 * prompt with no work queue (every item new) and no shared configuration; each of their payloads
 * quotes one of 60 problems of its payload set (`ownTopic`), or one of the 2,000 sentences the 200
 * background accounts quote (the background's own distribution). Ten days, four exchanges a day each.
 */
function distributionWorld(o: { ownTopic: boolean; distribution?: boolean }): number {
  const p = PipelineSchema.parse({ queueMinExchanges: 20, phraseSampleBits: 0, distribution: o.distribution ?? true, distributionSampleBits: 0 });
  const sp = new SharedPipelines(p);
  const accounts: Acct[] = [];
  const uf = new UnionFind();
  const send = (idx: number, prompt: string, maxTokens: number): void => {
    const s = (accounts[idx] ??= { idx, exchanges: 0 });
    s.exchanges++;
    sp.observe(s as unknown as AccountState, exchange(prompt, maxTokens, 'sdk-default'));
  };
  let seed = 7;
  const pick = (n: number): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  let item = 0;
  for (let round = 0; round < 40; round++) {
    for (let a = 20; a < 220; a++) send(a, `${words(`bg${letters(pick(2000))}`, 6)}. ${words(`u${letters(a)}r${letters(round)}`, 10)}`, 1024);
    for (let a = 0; a < 20; a++) {
      const quote = o.ownTopic ? words(`pay${letters(pick(60))}`, 6) : words(`bg${letters(pick(2000))}`, 6);
      send(a, `Spell out each intermediate deduction in numbered points. ${quote}. ${words(`item${letters(item++)}`, 10)}`, 4000 + a);
    }
    judgeAndLink(sp, accounts, uf, round * 6 * 3_600_000);
  }
  return linkedIn(uf, 0, 20);
}

describe('SharedPipelines: a query distribution unlike the background', () => {
  it('tradecraft and payloads drawn from a set of their own (no queue, no shared configuration) link the operator', () => {
    expect(distributionWorld({ ownTopic: true })).toBe(20);
  });

  it('payloads drawn as the background draws its queries: tradecraft alone, no link', () => {
    expect(distributionWorld({ ownTopic: false })).toBe(0);
  });

  it('with the test switched off (its default), the payload set links no one', () => {
    expect(distributionWorld({ ownTopic: true, distribution: false })).toBe(0);
  });
});
