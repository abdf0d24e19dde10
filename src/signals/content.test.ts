import { DEFAULT_SCORING } from '../config/scoring.js';
import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import { CAPABILITIES } from '../core/capabilities.js';
import type { Exchange } from '../core/records.js';
import { findReason, type Reason, type ReasonCode, type ReasonOf } from '../core/reasons.js';
import { MINUTE } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import { Observed } from '../../test/helpers/observe.js';
import { exchange, harvestPrompt, organicPrompt, T0 } from '../../test/helpers/records.js';
import { capabilityBreadth, harvestBreadth, harvestingKnobs, reasoningElicitation, reasoningReconstruction } from './content.js';
import type { Signal } from './signal.js';

const CEILING = 64000;

// One observer for the file (its model has a configured ceiling, so accounts do not affect each other).
const obs = new Observed(buildEngineConfig({ modelCeilings: { 'model-x': CEILING } }));
let seq = 0;

/** A new account's state after its prompts (one a minute), each with optional request fields. */
function account(prompts: (string | [string, Partial<Exchange>])[]): AccountState {
  const id = `acct${seq++}`;
  prompts.forEach((p, i) => {
    const [text, extra] = typeof p === 'string' ? [p, {}] : p;
    obs.exchange(exchange(id, T0 + i * MINUTE, text, { model: 'model-x', ...extra }));
  });
  return obs.accounts.get(id)!;
}

/** Share of exchanges a capability needs to count towards breadth (the default configuration's). */
const SHARE = DEFAULT_SCORING.content.breadthShare;

function reasons(signal: Signal, s: AccountState): Reason[] {
  const out: Reason[] = [];
  signal.evaluate(s, { now: s.lastTs, scoring: DEFAULT_SCORING }, out);
  return out;
}

function reason<C extends ReasonCode>(signal: Signal, s: AccountState, code: C): ReasonOf<C> | undefined {
  return findReason(reasons(signal, s), code);
}

/** n prompts of which `k`, spread evenly, come from `special`; the rest are ordinary chat. */
function mix(n: number, k: number, special: (i: number) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(Math.floor(((i + 1) * k) / n) > Math.floor((i * k) / n) ? special(i) : organicPrompt(i));
  return out;
}

const stepByStep = (i: number): string => `How do I compute ${i} percent of a price? Please explain it step by step.`;
const reconstruct = (i: number): string =>
  `Here is a question and its answer (item ${i}). Imagine and articulate the internal reasoning behind the completed response.`;
const rubric = (i: number): string => `Grade the following response on a scale of 1 to 10 according to the rubric (item ${i}).`;

describe('reasoning_elicitation', () => {
  it('emits for an account whose traffic asks for chain-of-thought, with its share', () => {
    const s = account(Array.from({ length: 30 }, (_, i) => harvestPrompt(i)));
    expect(reasons(reasoningElicitation, s)).toEqual([{ code: 'reasoning_elicitation', weight: 1.2, detail: { share: 1 } }]);
  });

  it('emits from a fifth of the traffic up, weighted by the share', () => {
    const r = reason(reasoningElicitation, account(mix(100, 20, stepByStep)), 'reasoning_elicitation');
    expect(r?.detail.share).toBeCloseTo(0.2);
    expect(r?.weight).toBeCloseTo(0.24);
  });

  it('does not emit for ordinary users, ~1% of whose prompts ask for step-by-step answers', () => {
    const s = account(mix(200, 2, stepByStep));
    expect(s.caps[CAPABILITIES.indexOf('reasoning')]).toBe(2); // the prompts were seen as reasoning
    expect(reasons(reasoningElicitation, s)).toEqual([]);
  });

  it('does not emit just below a fifth of the traffic', () => {
    expect(reasons(reasoningElicitation, account(mix(100, 19, stepByStep)))).toEqual([]);
  });

  it('takes its threshold and weight from the configuration (--config {"scoring": {"content": ...}})', () => {
    const s = account(mix(100, 20, stepByStep));
    const { scoring } = buildEngineConfig({ scoring: { content: { reasoningShare: 0.3, reasoningWeight: 2 } } });
    const out: Reason[] = [];
    reasoningElicitation.evaluate(s, { now: s.lastTs, scoring }, out);
    expect(out).toEqual([]);
    const lower = buildEngineConfig({ scoring: { content: { reasoningShare: 0.1, reasoningWeight: 2 } } }).scoring;
    reasoningElicitation.evaluate(s, { now: s.lastTs, scoring: lower }, out);
    expect(out[0]?.weight).toBeCloseTo(0.4);
    expect(lower.content.minExchanges).toBe(DEFAULT_SCORING.content.minExchanges); // the rest keep their defaults
  });

  it('does not emit on fewer than three exchanges', () => {
    expect(reasons(reasoningElicitation, account([stepByStep(1), stepByStep(2)]))).toEqual([]);
    expect(reasons(reasoningElicitation, account([stepByStep(1), stepByStep(2), stepByStep(3)]))).toHaveLength(1);
  });

  it('does not count extended thinking as elicitation: that is a knob of its own', () => {
    const s = account(Array.from({ length: 20 }, (_, i): [string, Partial<Exchange>] => [`Refactor this function to use async/await, file ${i}`, { thinking: true }]));
    expect(reasons(reasoningElicitation, s)).toEqual([]);
    expect(reason(harvestingKnobs, s, 'extended_thinking')?.detail.share).toBe(1);
  });
});

describe('reasoning_reconstruction and rubric_grading', () => {
  it('emits reconstruction from 5% of the traffic (trace inversion is rare in ordinary use)', () => {
    const r = reason(reasoningReconstruction, account(mix(20, 1, reconstruct)), 'reasoning_reconstruction');
    expect(r?.detail.share).toBeCloseTo(0.05);
    expect(r?.weight).toBeCloseTo(0.5 + 1.5 * 0.05);
  });

  it('emits rubric grading from 5% of the traffic, each code on its own', () => {
    const rs = reasons(reasoningReconstruction, account(mix(40, 10, rubric)));
    expect(rs.map((r) => r.code)).toEqual(['rubric_grading']);
    expect(findReason(rs, 'rubric_grading')?.detail.share).toBeCloseTo(0.25);
    expect(rs[0].weight).toBeCloseTo(0.3 + 0.25);
  });

  it('emits both for a grading-and-reconstruction pipeline', () => {
    const prompts = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? reconstruct(i) : rubric(i)));
    expect(reasons(reasoningReconstruction, account(prompts)).map((r) => r.code)).toEqual(['reasoning_reconstruction', 'rubric_grading']);
  });

  it('does not emit below 5%, nor on fewer than three exchanges', () => {
    expect(reasons(reasoningReconstruction, account(mix(21, 1, reconstruct)))).toEqual([]); // 4.8%
    expect(reasons(reasoningReconstruction, account(mix(21, 1, rubric)))).toEqual([]);
    expect(reasons(reasoningReconstruction, account([reconstruct(1), rubric(2)]))).toEqual([]);
  });

  it('does not take "explain your reasoning" for reconstruction', () => {
    expect(reasons(reasoningReconstruction, account(Array.from({ length: 10 }, (_, i) => `Explain your reasoning for question ${i}.`)))).toEqual([]);
  });
});

describe('capability_breadth and topic_coverage', () => {
  it('emits breadth for systematic coverage of harvest capabilities', () => {
    const s = account(Array.from({ length: 30 }, (_, i) => harvestPrompt(i))); // reasoning, math, coding, agentic, planning
    expect(reason(capabilityBreadth, s, 'capability_breadth')).toEqual({ code: 'capability_breadth', weight: 0.3 * 4, detail: { capabilities: 5 } });
  });

  it('does not emit breadth for a coding-agent power user (coding and tool use only)', () => {
    const s = account(
      Array.from({ length: 40 }, (_, i): [string, Partial<Exchange>] => [`Refactor this function to use async/await and fix the failing test in module ${i}`, { tools: 12, turns: 30 }]),
    );
    expect(harvestBreadth(s.caps, s.exchanges, SHARE)).toBe(2);
    expect(reasons(capabilityBreadth, s)).toEqual([]);
  });

  it('does not count capabilities under 5% of the traffic, nor ordinary ones', () => {
    // Mostly writing and translation, with one coding, one math and one planning prompt among 40.
    const prompts = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? `Write a short poem about the sea, number ${i}` : `Translate into French: good morning, friend number ${i}`));
    prompts[3] = harvestPrompt(1);
    prompts[7] = harvestPrompt(0);
    prompts[11] = harvestPrompt(3);
    const s = account(prompts);
    expect(harvestBreadth(s.caps, s.exchanges, SHARE)).toBe(1); // reasoning, 3 of 40
    expect(reasons(capabilityBreadth, s).map((r) => r.code)).not.toContain('capability_breadth');
  });

  it('does not judge breadth on fewer than ten exchanges', () => {
    expect(reasons(capabilityBreadth, account(Array.from({ length: 9 }, (_, i) => harvestPrompt(i))))).toEqual([]);
  });

  it('emits topic coverage for many distinct single-turn prompts', () => {
    const r = reason(capabilityBreadth, account(Array.from({ length: 30 }, (_, i) => organicPrompt(i))), 'topic_coverage');
    expect(r?.weight).toBe(0.3);
    expect(r?.detail).toHaveProperty('distinct_share');
    expect((r?.detail as { distinct_share: number }).distinct_share).toBeGreaterThanOrEqual(0.85);
  });

  it('does not emit topic coverage for conversations, repeated prompts or under twenty exchanges', () => {
    const chats = account(Array.from({ length: 30 }, (_, i): [string, Partial<Exchange>] => [organicPrompt(i), { turns: 3 + (i % 5) }]));
    expect(reason(capabilityBreadth, chats, 'topic_coverage')).toBeUndefined();
    const repeated = account(Array.from({ length: 30 }, (_, i) => organicPrompt(i % 5)));
    expect(reason(capabilityBreadth, repeated, 'topic_coverage')).toBeUndefined();
    const few = account(Array.from({ length: 19 }, (_, i) => organicPrompt(i)));
    expect(reason(capabilityBreadth, few, 'topic_coverage')).toBeUndefined();
  });
});

describe('harvesting knobs', () => {
  it('emits every knob a harvester turns, with its share', () => {
    const prompts = Array.from({ length: 20 }, (_, i): [string, Partial<Exchange>] => [
      organicPrompt(i),
      { maxTokens: i % 2 === 0 ? CEILING : 1024, n: i % 4 === 0 ? 4 : 1, logprobs: i % 5 === 0, thinking: i < 6, turns: 1 },
    ]);
    const got = Object.fromEntries(reasons(harvestingKnobs, account(prompts)).map((r) => [r.code, r]));
    expect(Object.keys(got).sort()).toEqual(['extended_thinking', 'logprobs_harvest', 'max_output_budget', 'multi_sample', 'single_turn']);
    expect(got.max_output_budget).toMatchObject({ weight: 0.5, detail: { share: 0.5 } });
    expect(got.multi_sample).toMatchObject({ weight: 0.5 * 0.25, detail: { share: 0.25 } });
    expect(got.logprobs_harvest).toMatchObject({ weight: 0.5 * 0.2, detail: { share: 0.2 } });
    expect(got.extended_thinking).toMatchObject({ weight: 0.5 * 0.3, detail: { share: 0.3 } });
    expect(got.single_turn).toMatchObject({ weight: 0.3, detail: { share: 1 } });
  });

  it('does not emit for an ordinary user who sometimes turns a knob', () => {
    const prompts = Array.from({ length: 20 }, (_, i): [string, Partial<Exchange>] => [
      organicPrompt(i),
      { maxTokens: i === 0 ? CEILING : 2048, n: i === 1 ? 2 : 1, logprobs: i === 2 || i === 3 || i === 4, thinking: i === 5, turns: i % 3 === 0 ? 1 : 4 },
    ]);
    expect(reasons(harvestingKnobs, account(prompts))).toEqual([]);
  });

  it('needs ten exchanges for single_turn and three for the rest', () => {
    const nine = account(Array.from({ length: 9 }, (_, i): [string, Partial<Exchange>] => [organicPrompt(i), { maxTokens: CEILING }]));
    expect(reasons(harvestingKnobs, nine).map((r) => r.code)).toEqual(['max_output_budget']);
    const two = account(Array.from({ length: 2 }, (_, i): [string, Partial<Exchange>] => [organicPrompt(i), { maxTokens: CEILING, n: 8, logprobs: true }]));
    expect(reasons(harvestingKnobs, two)).toEqual([]);
  });
});

describe('harvestBreadth', () => {
  it('counts only the costly capabilities (not writing, knowledge, extraction, translation)', () => {
    const caps = new Uint32Array(CAPABILITIES.length);
    for (const c of ['writing', 'knowledge', 'extraction', 'translation'] as const) caps[CAPABILITIES.indexOf(c)] = 50;
    expect(harvestBreadth(caps, 100, SHARE)).toBe(0);
    caps[CAPABILITIES.indexOf('coding')] = 5;
    caps[CAPABILITIES.indexOf('math')] = 4;
    expect(harvestBreadth(caps, 100, SHARE)).toBe(1);
    expect(harvestBreadth(caps, 100, 0.04)).toBe(2);
    expect(harvestBreadth(caps, 0, SHARE)).toBe(0);
  });
});
