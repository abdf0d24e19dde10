// Harvesting scaffolds: the fixed wrappers a pipeline puts around its payloads to elicit full
// reasoning; the evasive campaign's paraphrases of them; reasoning reconstruction and rubric prompts.
import type { Rng } from './rng.js';
import type { PayloadKind } from './text.js';

export type Scaffold = (payload: string) => string;

/** A farm pipeline's few fixed scaffolds. `variant` picks a family so campaigns differ. */
export function farmScaffolds(variant: number): Scaffold[] {
  const sets: Scaffold[][] = [
    [
      (x) => `Solve the following problem. Think step by step and show all of your reasoning in detail before giving the final answer.\n\n${x}\n\nProvide a thorough, step-by-step explanation, then state the final answer on its own line prefixed with "Final answer:".`,
      (x) => `### Task\n${x}\n\n### Instructions\nReason through the task carefully, step by step. Explain every intermediate step, consider alternatives, and verify your result before concluding.`,
      (x) => `${x}\n\nLet's work through this methodically. Break the problem into steps, explain your reasoning at each step in full detail, and double-check the answer.`,
    ],
    [
      (x) => `<task>\n${x}\n</task>\n\nWrite out your complete chain of reasoning inside <reasoning> tags, covering every step and every check, then give the result inside <answer> tags.`,
      (x) => `Problem:\n${x}\n\nRequirements:\n1. Think step by step.\n2. Show all intermediate work and justify each step.\n3. Verify the solution.\n4. End with the final answer.`,
      (x) => `You are given the following task. Produce a detailed, step-by-step solution with full reasoning, as if teaching an expert.\n\n${x}`,
    ],
  ];
  return sets[variant % sets.length];
}

export const AGENT_SCAFFOLD: Scaffold = (x) =>
  `You are an autonomous agent. Before every tool call, think out loud step by step about what you know, what you need, and why this call is the best next step. After the task, summarize your full reasoning.\n\nTask: ${x}`;

export const FARM_SYSTEMS = [
  'You are a world-class expert problem solver. Always show complete, detailed, step-by-step reasoning before your final answer.',
  'You are a meticulous assistant. Reason step by step, explain every intermediate step, and never skip details.',
];

/** The evasive campaign: many paraphrases built from interchangeable parts. */
export function paraphrases(r: Rng, n: number): Scaffold[] {
  const open = ['', 'Hey, ', 'Quick one: ', 'Could you help with this? ', 'I\'m stuck on something. ', 'Working on this right now: ', 'Here\'s a question for you. ', 'Need a hand. '];
  const ask = [
    'Walk me through how you would solve it, step by step.',
    'Can you explain your thinking as you go, showing each step?',
    'Please reason it out in detail before you answer.',
    'Go through it carefully and show all the intermediate steps.',
    'I want to understand the process, so explain every step of your reasoning.',
    'Think it through thoroughly and show your work.',
    'Break it down step by step and justify each part.',
    'Explain the full reasoning, not just the answer.',
  ];
  const close = ['', ' Thanks!', ' Be thorough.', ' Detailed is better than short.', ' Check your answer at the end.'];
  const seen = new Set<string>();
  const out: Scaffold[] = [];
  for (let guard = 0; out.length < n && guard < n * 50; guard++) {
    const o = r.pick(open);
    const a = r.pick(ask);
    const c = r.pick(close);
    const before = r.chance(0.5);
    const key = `${o}|${a}|${c}|${before}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(before ? (x) => `${o}${a}${c}\n\n${x}` : (x) => `${o}${x}\n\n${a}${c}`);
  }
  return out;
}

export function reconstruction(q: string, a: string, variant: number): string {
  return variant % 2 === 0
    ? `Here is a question and a completed answer.\n\nQuestion: ${q}\n\nAnswer: ${a}\n\nImagine you are the one who wrote this answer. Articulate, step by step, the internal reasoning that led to it, including intermediate thoughts, false starts and checks.`
    : `Below is a finished response. Reconstruct the complete chain of thought that would produce it: imagine and articulate the internal reasoning behind it step by step.\n\n[PROMPT]\n${q}\n\n[RESPONSE]\n${a}`;
}

export function rubric(q: string, a: string): string {
  return `Grade the response below against the rubric. For each criterion give a score from 1 to 10 with a detailed justification, then an overall score.\n\nRubric:\n1. Correctness of the final result\n2. Completeness and validity of the reasoning\n3. Clarity and structure\n4. Handling of edge cases\n\nQuestion: ${q}\n\nResponse: ${a}`;
}

export const KIND_WEIGHTS_FARM: readonly (readonly [PayloadKind, number])[] = [['math', 25], ['coding', 25], ['reasoning', 20], ['agentic', 15], ['planning', 15]];
export const KIND_WEIGHTS_PIVOT: readonly (readonly [PayloadKind, number])[] = [['coding', 40], ['agentic', 35], ['reasoning', 10], ['math', 5], ['planning', 10]];
