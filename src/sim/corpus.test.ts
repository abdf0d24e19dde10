import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpora } from './corpus.js';
import type { Corpora } from './corpus.js';
import { DEFAULTS } from './params.js';
import { run } from './testkit.js';
import type { Run } from './testkit.js';

// Real corpora live outside the project (../shared/data); the test skips when they are absent.
const DIR = join(process.cwd(), '..', 'shared', 'data', 'prompts');
const have = existsSync(join(DIR, 'organic-sharegpt.jsonl')) && existsSync(join(DIR, 'distill-math.jsonl'));
if (!have) console.warn(`skipping corpus tests: ${DIR} not found`);

type Msg = { role: string; content: string | { text: string }[] };
const text = (m: Msg) => (typeof m.content === 'string' ? m.content : m.content.map((b) => b.text).join('\n'));

describe.skipIf(!have)('--prompts draws text from the right corpus by label', () => {
  let R: Run;
  let C: Corpora;
  beforeAll(async () => {
    C = loadCorpora(DIR, DEFAULTS.traffic.maxPromptChars);
    R = await run({ scenario: 'tiny', scale: 0.7, seed: 3, days: 4, prompts: DIR });
  });
  afterAll(() => R?.cleanup());

  const users = (group: string) =>
    R.records
      .filter((o) => o.type === 'exchange' && R.truth.accounts[o.account_id as string].group === group)
      .map((o) => ((o.request as { messages: Msg[] }).messages.filter((m) => m.role === 'user')));

  it('records the corpus in truth.json', () => {
    expect(R.truth.prompts).toBe(DIR);
  });

  it('organic first turns come from the organic corpus', () => {
    const organic = new Set(C.organic.map((x) => x.text));
    const firsts = users('organic').filter((u) => u.length === 1).map((u) => text(u[0]));
    expect(firsts.length).toBeGreaterThan(200);
    for (const t of firsts) expect(organic.has(t)).toBe(true);
  });

  it('farm payloads come from the distillation corpora, never the organic one', () => {
    const farm = users('farm').map((u) => text(u[0]));
    expect(farm.length).toBeGreaterThan(50);
    const distill = C.distill.map((x) => x.text);
    const organic = C.organic.map((x) => x.text).filter((t) => t.length > 40);
    for (const p of farm.slice(0, 60)) {
      expect(distill.some((t) => p.includes(t))).toBe(true);
      expect(organic.some((t) => p.includes(t))).toBe(false);
    }
  });

  it('benchmark evaluators ask real benchmark items (the hard negative), each once per sweep', () => {
    const math = C.math.map((x) => x.text);
    const prompts = users('benchmark').map((u) => text(u[0])).filter((p) => !p.startsWith('Complete the following'));
    expect(prompts.length).toBeGreaterThan(100);
    for (const p of prompts.slice(0, 40)) expect(math.some((t) => p.includes(t))).toBe(true);
  });
});
