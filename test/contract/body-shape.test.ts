// Which shape a request body is, and what is not a body at all.
import { describe, expect, it } from 'vitest';
import { decodeExchangeOk, decodeRejected, TS } from './helpers.js';

type Json = Record<string, unknown>;
const ex = (request: unknown): Json => ({ type: 'exchange', id: 'r', ts: TS, account_id: 'a', request });
const bare = [
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: '4' },
  { role: 'user', content: 'And 3+3?' },
];

describe('body shape detection', () => {
  it('a bare messages array of user/assistant strings is OpenAI, or Anthropic when max_tokens is set', () => {
    expect(decodeExchangeOk(ex({ messages: bare })).format).toBe('openai');
    expect(decodeExchangeOk(ex({ messages: bare, max_tokens: 100 })).format).toBe('anthropic');
  });

  it('the ambiguous choice changes nothing but `format`', () => {
    const { format: f1, ...a } = decodeExchangeOk(ex({ messages: bare, max_tokens: 100, temperature: 1 }));
    const { format: f2, ...o } = decodeExchangeOk(ex({ messages: bare, max_tokens: 100, temperature: 1, n: 1 }));
    expect([f1, f2]).toEqual(['anthropic', 'openai']);
    expect(a).toEqual(o);
  });

  it('structure beats parameters: gateway bodies that mix vocabularies keep every knob', () => {
    const openaiWithThinking = decodeExchangeOk(
      ex({ messages: [{ role: 'system', content: 's' }, ...bare], thinking: { type: 'enabled', budget_tokens: 2048 }, n: 2 }),
    );
    expect(openaiWithThinking).toMatchObject({ format: 'openai', thinking: true, thinkingBudget: 2048, n: 2 });
    const anthropicWithUser = decodeExchangeOk(ex({ system: 's', messages: bare, max_tokens: 10, user: 'u1' }));
    expect(anthropicWithUser).toMatchObject({ format: 'anthropic', endUser: 'u1' });
  });

  it('parameters decide when there is no structure', () => {
    expect(decodeExchangeOk(ex({ messages: bare, max_tokens: 10, logprobs: true })).format).toBe('openai');
    expect(decodeExchangeOk(ex({ messages: bare, top_k: 5 })).format).toBe('anthropic');
  });

  it('rejects structure of both shapes at once as bad_body, naming both', () => {
    const r = decodeRejected(ex({ system: 'a', messages: [{ role: 'system', content: 'b' }, ...bare] }));
    expect(r.reason).toBe('bad_body');
    expect(r.detail).toBe('request: mixes Anthropic (request.system) and OpenAI (request.messages[0].role (system)) message shapes');
  });

  it.each<[string, unknown, string]>([
    ['no messages', { max_tokens: 10 }, 'request.messages'],
    ['a legacy completions body', { prompt: 'Once upon a time', max_tokens: 10 }, 'request.messages'],
    ['messages not an array', { messages: { role: 'user' } }, 'request.messages'],
    ['a message that is not an object', { messages: ['hi'] }, 'request.messages[0]'],
    ['an unknown role', { messages: [{ role: 'bot', content: 'x' }] }, 'request.messages[0].role'],
    ['a missing role', { messages: [{ content: 'x' }] }, 'request.messages[0].role'],
    ['content of the wrong kind', { messages: [{ role: 'user', content: 7 }] }, 'request.messages[0].content'],
    ['a content block without type', { messages: [{ role: 'user', content: [{ text: 'x' }] }] }, 'request.messages[0].content[0]'],
    ['a text block without text', { messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'request.messages[0].content[0].text'],
  ])('rejects %s as bad_body', (_name, request, field) => {
    const r = decodeRejected(ex(request));
    expect(r.reason).toBe('bad_body');
    expect(r.detail.startsWith(`${field}:`)).toBe(true);
  });

  it('rejects a request that is not an object as wrong_type, a missing one as missing_field', () => {
    expect(decodeRejected(ex('hello'))).toMatchObject({ reason: 'wrong_type', detail: 'request: expected object, got string' });
    expect(decodeRejected(ex([]))).toMatchObject({ reason: 'wrong_type' });
    expect(decodeRejected(ex(undefined))).toMatchObject({ reason: 'missing_field', detail: 'request: required field is missing' });
  });
});
