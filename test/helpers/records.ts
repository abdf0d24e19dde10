// Hand-made canonical records for engine tests.
import type { AccountEvent, Exchange } from '../../src/core/records.js';
import { mulberry32 } from '../../src/core/prng.js';

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
export const rng = mulberry32;

const SUBJECTS = ['a train', 'a hospital', 'a bakery', 'a satellite', 'a library', 'a compiler', 'a warehouse', 'an orchestra', 'a vineyard', 'a glacier', 'a startup', 'a harbor', 'a museum', 'a refinery', 'a nursery', 'a telescope', 'a subway', 'a rainforest', 'a brewery', 'a stadium'];
const TOPICS = ['scheduling', 'inventory', 'routing', 'pricing', 'caching', 'staffing', 'recycling', 'forecasting', 'encryption', 'irrigation', 'ticketing', 'lighting', 'ventilation', 'budgeting', 'indexing', 'logging', 'sorting', 'hiring', 'shipping', 'cooling'];
const HARVEST_PAYLOADS = [
  (s: string, t: string) => `A train travels 120 km in 2 hours while ${s} plans its ${t}. What is its average speed in km per hour?`,
  (s: string, t: string) => `Write a Python function that models the ${t} of ${s}, with memoization, and explain its complexity.`,
  (s: string, t: string) => `You are an agent with access to a shell tool. Plan and execute the steps to automate ${t} for ${s}, calling the tools you need.`,
  (s: string, t: string) => `Create a detailed project plan with milestones to overhaul the ${t} of ${s}, decomposing each phase into tasks.`,
  (s: string, t: string) => `Solve for x: 3x + 7 = 25, where x is the ${t} capacity of ${s}. Show the equation manipulation.`,
  (s: string, t: string) => `Implement a data structure in TypeScript that tracks ${t} events for ${s}, with insert and delete.`,
];

/** One harvesting prompt: a fixed scaffold around a varying payload (a distinct item for each i). */
export function harvestPrompt(i: number): string {
  // Kind cycles fastest (breadth in every account), then subject and topic: 2,400 distinct items.
  const k = HARVEST_PAYLOADS.length;
  const subject = SUBJECTS[Math.floor(i / k) % SUBJECTS.length];
  const topic = TOPICS[Math.floor(i / (k * SUBJECTS.length)) % TOPICS.length];
  const payload = HARVEST_PAYLOADS[i % k](subject, topic);
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
