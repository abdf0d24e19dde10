// The exchange contract suite over OpenAI Chat Completions bodies, plus what only OpenAI has.
import { describe, expect, it } from 'vitest';
import { type BodyShape, type Conversation, decodeCases } from './decode.case.js';
import { decodeExchangeOk, decodeRejected, TS } from './helpers.js';

type Json = Record<string, unknown>;

function content(text: string | string[]): unknown {
  return typeof text === 'string' ? text : text.map((t) => ({ type: 'text', text: t }));
}

export const openaiShape: BodyShape = {
  format: 'openai',
  request(conv: Conversation, extra: Json = {}): Json {
    const system = (conv.system ?? []).map((t, i) => ({ role: i % 2 === 0 ? 'system' : 'developer', content: t }));
    return {
      messages: [...system, ...conv.turns.map((t) => ({ role: t.role, content: content(t.text) }))],
      ...extra,
    };
  },
  maxTokens: (v) => ({ max_completion_tokens: v }),
  maxTokensField: 'request.max_completion_tokens',
  tools: (k) => ({
    tools: Array.from({ length: k }, (_, i) => ({ type: 'function', function: { name: `tool_${i}`, parameters: { type: 'object' } } })),
  }),
  endUser: (id) => ({ safety_identifier: id }),
  thinking: {
    fields: { reasoning_effort: 'high' },
    expect: { thinking: true, thinkingBudget: undefined, reasoningEffort: 'high' },
  },
  sampling: {
    fields: { n: 8, logprobs: true, top_logprobs: 20 },
    expect: { n: 8, logprobs: true, topLogprobs: 20 },
  },
  toolRound: (result) => [
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'run', arguments: '{"cmd":"ls"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: result },
  ],
  response: (u) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'answer' }, finish_reason: u.stop }],
    usage: { prompt_tokens: u.input, completion_tokens: u.output, completion_tokens_details: { reasoning_tokens: u.reasoning } },
  }),
  expectUsage: (u) => ({ inputTokens: u.input, outputTokens: u.output, reasoningTokens: u.reasoning, stopReason: u.stop }),
};

decodeCases(openaiShape);

describe('OpenAI-only mappings', () => {
  const base = (extra: Json = {}): Json => ({
    type: 'exchange',
    id: 'r',
    ts: TS,
    account_id: 'a',
    request: { messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'hi' }], ...extra },
  });

  it('max_completion_tokens wins over the legacy max_tokens, which is used alone', () => {
    expect(decodeExchangeOk(base({ max_tokens: 10, max_completion_tokens: 20 })).maxTokens).toBe(20);
    expect(decodeExchangeOk(base({ max_tokens: 10 })).maxTokens).toBe(10);
  });

  it('reasoning_effort "none" records the effort but is not thinking', () => {
    expect(decodeExchangeOk(base({ reasoning_effort: 'none' }))).toMatchObject({ thinking: false, reasoningEffort: 'none' });
  });

  it('safety_identifier wins over user; user is used alone', () => {
    expect(decodeExchangeOk(base({ user: 'u', safety_identifier: 's' })).endUser).toBe('s');
    expect(decodeExchangeOk(base({ user: 'u' })).endUser).toBe('u');
  });

  it('counts legacy functions as tools', () => {
    expect(decodeExchangeOk(base({ functions: [{ name: 'f' }, { name: 'g' }], tools: [{ type: 'function', function: { name: 'h' } }] })).tools).toBe(3);
  });

  it('reads finish_reason at the top of the response too', () => {
    expect(decodeExchangeOk({ ...base(), response: { finish_reason: 'stop' } }).stopReason).toBe('stop');
  });

  it('counts refusal parts in inputChars and images as nothing', () => {
    const ex = decodeExchangeOk(
      base({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: 'data:...' } }] },
          { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] },
        ],
      }),
    );
    expect([ex.inputChars, ex.prompt, ex.turns]).toEqual([10, 'describe', 2]);
  });

  it('rejects n, logprobs, top_logprobs of the wrong type, naming the field', () => {
    expect(decodeRejected(base({ n: '4' }))).toMatchObject({ reason: 'wrong_type', detail: 'request.n: expected integer in 1..128, got string' });
    expect(decodeRejected(base({ n: 0 })).detail).toBe('request.n: expected integer in 1..128, got 0');
    expect(decodeRejected(base({ logprobs: 'yes' })).detail).toContain('request.logprobs');
    expect(decodeRejected(base({ top_logprobs: 2.5 })).detail).toContain('request.top_logprobs');
    expect(decodeRejected(base({ reasoning_effort: 3 })).detail).toContain('request.reasoning_effort');
  });
});
