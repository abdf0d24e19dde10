// The exchange contract suite over Anthropic Messages bodies, plus what only Anthropic has.
import { describe, expect, it } from 'vitest';
import { type BodyShape, type Conversation, decodeCases } from './decode.case.js';
import { decodeExchangeOk, decodeRejected, TS } from './helpers.js';

type Json = Record<string, unknown>;

function content(text: string | string[]): unknown {
  return typeof text === 'string' ? text : text.map((t) => ({ type: 'text', text: t }));
}

export const anthropicShape: BodyShape = {
  format: 'anthropic',
  request(conv: Conversation, extra: Json = {}): Json {
    // max_tokens (required by the API) only when the case sets it: the suite checks its absence too.
    const body: Json = { messages: conv.turns.map((t) => ({ role: t.role, content: content(t.text) })), ...extra };
    if (conv.system !== undefined) {
      body.system = conv.system.length === 1 ? conv.system[0] : conv.system.map((t) => ({ type: 'text', text: t }));
    }
    return body;
  },
  maxTokens: (v) => ({ max_tokens: v }),
  maxTokensField: 'request.max_tokens',
  tools: (k) => ({
    tools: Array.from({ length: k }, (_, i) => ({ name: `tool_${i}`, description: 'd', input_schema: { type: 'object', properties: {} } })),
  }),
  endUser: (id) => ({ metadata: { user_id: id } }),
  thinking: {
    fields: { thinking: { type: 'enabled', budget_tokens: 32000 } },
    expect: { thinking: true, thinkingBudget: 32000, reasoningEffort: undefined },
  },
  toolRound: (result) => [
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'run', input: { cmd: 'ls' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: result }] },
  ],
  response: (u) => ({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    content: [{ type: 'text', text: 'answer' }],
    stop_reason: u.stop,
    usage: { input_tokens: u.input, output_tokens: u.output },
  }),
  expectUsage: (u) => ({ inputTokens: u.input, outputTokens: u.output, reasoningTokens: undefined, stopReason: u.stop }),
};

decodeCases(anthropicShape);

describe('Anthropic-only mappings', () => {
  const base = (extra: Json = {}): Json => ({
    type: 'exchange',
    id: 'r',
    ts: TS,
    account_id: 'a',
    request: { max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...extra },
  });

  it('a bare body with max_tokens is Anthropic (it requires max_tokens)', () => {
    expect(decodeExchangeOk(base())).toMatchObject({ format: 'anthropic', maxTokens: 100 });
  });

  it('counts cache writes and reads in input tokens, like OpenAI prompt_tokens', () => {
    const ex = decodeExchangeOk({
      ...base(),
      response: { usage: { input_tokens: 10, cache_creation_input_tokens: 200, cache_read_input_tokens: 3000, output_tokens: 5 } },
    });
    expect([ex.inputTokens, ex.outputTokens]).toEqual([3210, 5]);
  });

  it('adaptive thinking is thinking; disabled is not', () => {
    expect(decodeExchangeOk(base({ thinking: { type: 'adaptive' } })).thinking).toBe(true);
    expect(decodeExchangeOk(base({ thinking: { type: 'disabled' } }))).toMatchObject({ thinking: false, thinkingBudget: undefined });
  });

  it('counts thinking and tool_result text blocks in inputChars', () => {
    const ex = decodeExchangeOk(
      base({
        messages: [
          { role: 'user', content: 'abc' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmmm', signature: 's' }, { type: 'text', text: 'de' }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'fgh' }] }, { type: 'text', text: 'ij' }] },
        ],
      }),
    );
    expect(ex.inputChars).toBe(3 + 4 + 2 + 3 + 2);
    expect(ex.prompt).toBe('ij');
  });

  it('rejects a malformed thinking or system field', () => {
    expect(decodeRejected(base({ thinking: 'yes' }))).toMatchObject({ reason: 'wrong_type' });
    expect(decodeRejected(base({ thinking: { type: 'enabled', budget_tokens: -1 } })).detail).toContain('request.thinking.budget_tokens');
    expect(decodeRejected(base({ system: 42 })).detail).toContain('request.system');
    expect(decodeRejected(base({ metadata: { user_id: 7 } })).detail).toContain('request.metadata.user_id');
  });
});
