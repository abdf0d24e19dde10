// Hand-made canonical records for engine tests.
import type { AccountEvent, Exchange } from '../../src/core/records.js';

export const T0 = Date.UTC(2026, 3, 1);

export function exchange(accountId: string, ts: number, prompt: string, extra: Partial<Exchange> = {}): Exchange {
  return {
    kind: 'exchange',
    id: `${accountId}-${ts}-${Math.abs(hashCode(prompt))}`,
    ts,
    accountId,
    format: 'anthropic',
    system: '',
    prompt,
    turns: 1,
    inputChars: prompt.length,
    maxTokens: 1024,
    n: 1,
    logprobs: false,
    thinking: false,
    tools: 0,
    client: {},
    status: 200,
    model: 'claude-model-a',
    ...extra,
  };
}

export function account(accountId: string, ts: number, extra: Partial<AccountEvent> = {}): AccountEvent {
  return { kind: 'account', accountId, ts, ...extra };
}

function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** A small deterministic PRNG for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HARVEST_PAYLOADS = [
  (i: number) => `A train travels ${i * 3} km in ${i + 2} hours. What is its average speed in km per hour?`,
  (i: number) => `Write a Python function that returns the ${i}th Fibonacci number using memoization and explain its complexity.`,
  (i: number) => `You are an agent with access to a shell tool. Plan the steps to deploy service number ${i} and call the tools you need.`,
  (i: number) => `Create a detailed project plan with milestones to launch product ${i} in six months, decomposing each phase into tasks.`,
  (i: number) => `Solve for x: ${i}x + ${i + 7} = ${i * 5}. Show the equation manipulation.`,
  (i: number) => `Implement a binary search tree in TypeScript with insert and delete, item ${i}.`,
];

/** One harvesting prompt: a fixed scaffold around a varying payload. */
export function harvestPrompt(i: number): string {
  const payload = HARVEST_PAYLOADS[i % HARVEST_PAYLOADS.length](i);
  return `Solve the following task with rigorous reasoning. Think step by step and show your complete chain of thought before the final answer.\n\nTask: ${payload}\n\nExplain each step of your reasoning in detail.`;
}

const ORGANIC = [
  'hey can you help me write a birthday message for my sister she is turning 30',
  'what are some good vegetarian recipes for dinner tonight with chickpeas',
  'translate this into spanish: where is the nearest train station',
  'my react component re-renders too often, what could cause that',
  'summarize the plot of pride and prejudice in a paragraph',
  'how do I politely decline a meeting invitation from my manager',
  'give me ideas for a weekend trip near the mountains in october',
  'what is the difference between a roth ira and a traditional ira',
];

export function organicPrompt(i: number): string {
  return `${ORGANIC[i % ORGANIC.length]} (${i})`;
}
