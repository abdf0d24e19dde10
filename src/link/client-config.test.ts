import { describe, expect, it } from 'vitest';
import type { Exchange } from '../core/records.js';
import { murmur3 } from '../sketches/hash.js';
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

  it('is murmur3 of the knobs as text, whatever their values', () => {
    // The text the fingerprint has always hashed (a string per exchange before it was hashed as produced).
    const text = (ex: Exchange): string => {
      const c = ex.client;
      return `${ex.format}|${c.sdk ?? c.userAgent ?? ''}|${ex.maxTokens ?? ''}|${ex.thinkingBudget ?? ex.reasoningEffort ?? (ex.thinking ? 'on' : '')}|${ex.temperature ?? ''}|${ex.tools}|${ex.n}|${ex.logprobs ? 1 : 0}`;
    };
    const numbers = [undefined, 0, -0, 1, 7, 10, 99, 1024, 64000, 2 ** 31, 2 ** 53 - 1, 2 ** 53, 1e21, 1.5e300, 0.37, 1 / 3, -2, -0.5, NaN, Infinity, 5e-7];
    const clients = [{ sdk: 'anthropic-python' }, { userAgent: 'Mozilla/5.0 (X11; Linux) é ü 日本' }, { sdk: 'x' }, {}];
    let checked = 0;
    for (let i = 0; i < numbers.length; i++) {
      for (let j = 0; j < clients.length; j++) {
        const a = numbers[i];
        const b = numbers[(i * 7 + j) % numbers.length];
        const ex = exchange({
          format: j % 2 === 0 ? 'anthropic' : 'openai', client: clients[j], maxTokens: a, temperature: b,
          thinking: j === 1, thinkingBudget: j === 2 ? a : undefined, reasoningEffort: j === 3 ? 'high' : undefined,
          tools: j === 0 ? 0 : (a ?? 3), n: j + 1, logprobs: i % 2 === 0,
        });
        expect(configHash(ex)).toBe(murmur3(text(ex), 0x6b6e6f62) || 1);
        checked++;
      }
    }
    expect(checked).toBe(numbers.length * clients.length);
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
