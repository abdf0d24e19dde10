import { describe, expect, it } from 'vitest';
import type { Exchange } from '../core/records.js';
import { ClientConfigs, configHash } from './client-config.js';

function exchange(over: Partial<Exchange> = {}): Exchange {
  return {
    kind: 'exchange', id: 'e', ts: 0, accountId: 'a', format: 'anthropic', system: '', prompt: 'p', turns: 1, inputChars: 1,
    n: 1, logprobs: false, thinking: false, tools: 0, client: { sdk: 'anthropic-python' }, status: 200, ...over,
  };
}

describe('client configuration fingerprint', () => {
  it('is the combination of knobs, not the prompt or the model', () => {
    const a = configHash(exchange({ maxTokens: 6000, temperature: 0.37, thinking: true, thinkingBudget: 5000 }));
    expect(configHash(exchange({ maxTokens: 6000, temperature: 0.37, thinking: true, thinkingBudget: 5000, prompt: 'other', model: 'm2' }))).toBe(a);
    expect(configHash(exchange({ maxTokens: 6000, temperature: 0.38, thinking: true, thinkingBudget: 5000 }))).not.toBe(a);
    expect(configHash(exchange({ maxTokens: 6000, temperature: 0.37, thinking: true, thinkingBudget: 5000, client: { sdk: 'openai-node' } }))).not.toBe(a);
    expect(configHash(exchange())).not.toBe(0);
  });
});

describe('client configurations of a group against the background', () => {
  const exchangesOf = (): number => 20;
  const OP = 111;
  const SDK_DEFAULT = 222;

  /** `n` accounts from `from`, each sending `config` on 20 requests (every 4th one `other` instead, when given). */
  function send(c: ClientConfigs, from: number, n: number, config: number, other?: number): number[] {
    const ids: number[] = [];
    for (let a = from; a < from + n; a++) {
      for (let k = 0; k < 20; k++) c.observe(a, other !== undefined && k % 4 === 0 ? other : config);
      ids.push(a);
    }
    return ids;
  }

  it('an operator: every member sends one configuration that no one outside the candidate groups sends', () => {
    const c = new ClientConfigs();
    send(c, 1000, 500, SDK_DEFAULT); // the background
    const op = send(c, 0, 30, OP, SDK_DEFAULT); // a quarter of cover traffic through the SDK's defaults
    for (const m of op) c.qualify(c.dominant(m, 20, 0.5));
    const g = c.agreement(op, exchangesOf, 0.5);
    expect(g.config).toBe(OP);
    expect(g.share).toBe(1);
    expect(g.concentration).toBeGreaterThanOrEqual(0.9);
  });

  it("a popular SDK's defaults: the whole group agrees, but most of its senders are outside candidate groups", () => {
    const c = new ClientConfigs();
    send(c, 1000, 500, SDK_DEFAULT);
    const group = send(c, 0, 30, SDK_DEFAULT);
    for (const m of group) c.qualify(c.dominant(m, 20, 0.5));
    const g = c.agreement(group, exchangesOf, 0.5);
    expect(g.share).toBe(1);
    expect(g.concentration).toBeLessThan(0.1);
  });

  it('people with their own habits: no configuration dominates the group', () => {
    const c = new ClientConfigs();
    const group: number[] = [];
    for (let a = 0; a < 30; a++) group.push(...send(c, a, 1, 5000 + a));
    const g = c.agreement(group, exchangesOf, 0.5);
    expect(g.share).toBeCloseTo(1 / 30);
  });

  it('an account without a majority configuration has no dominant one', () => {
    const c = new ClientConfigs();
    for (let k = 0; k < 20; k++) c.observe(7, k % 2 === 0 ? 1 : k % 3 === 0 ? 2 : 3);
    expect(c.dominant(7, 20, 0.5)).toBe(0);
    for (let k = 0; k < 20; k++) c.observe(8, k % 5 === 0 ? 2 : 1);
    expect(c.dominant(8, 20, 0.5)).toBe(1);
  });
});
