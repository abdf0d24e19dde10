// ONE contract suite for exchange decoding, run for every request body shape
// (decode-anthropic.test.ts, decode-openai.test.ts): the same logical request must decode to the
// same Exchange whichever shape carried it; only `format` and the shape-only knobs differ, and a
// shape without a knob must decode to that knob's default.
import { describe, expect, it } from 'vitest';
import type { BodyFormat, Exchange } from '../../src/core/records.js';
import { decodeExchangeOk, decodeRejected, TS, TS_MS } from './helpers.js';

type Json = Record<string, unknown>;

export interface Turn {
  role: 'user' | 'assistant';
  /** A string → string content; an array → one text block per element. */
  text: string | string[];
}

export interface Conversation {
  /** System prompt pieces (Anthropic: a string or text blocks; OpenAI: system/developer messages). */
  system?: string[];
  turns: Turn[];
}

export interface Usage {
  input: number;
  output: number;
  reasoning?: number;
  stop: string;
}

/** How one body shape writes each logical thing. */
export interface BodyShape {
  format: BodyFormat;
  /** A request body holding the conversation, with `extra` top-level fields merged in. */
  request(conv: Conversation, extra?: Json): Json;
  /** Fields asking for at most `v` output tokens (`v` may be a bad value for type tests). */
  maxTokens(v: unknown): Json;
  /** The field path a bad maxTokens is reported under. */
  maxTokensField: string;
  /** Fields defining `k` tools. */
  tools(k: number): Json;
  /** Fields passing an end-user id. */
  endUser(id: string): Json;
  /** Fields asking for extended thinking / reasoning, and what the Exchange then says. */
  thinking: { fields: Json; expect: Pick<Exchange, 'thinking' | 'thinkingBudget' | 'reasoningEffort'> };
  /** Several choices and logprobs, where the shape has them; otherwise the suite expects the defaults. */
  sampling?: { fields: Json; expect: Pick<Exchange, 'n' | 'logprobs' | 'topLogprobs'> };
  /**
   * Messages of one agentic round after the human's instruction: the assistant calls a tool, the
   * tool's result comes back carrying `result` as text.
   */
  toolRound(result: string): Json[];
  /** A response in this shape's format, and what it must decode to. */
  response(u: Usage): Json;
  expectUsage(u: Usage): Pick<Exchange, 'inputTokens' | 'outputTokens' | 'reasoningTokens' | 'stopReason'>;
}

const HELLO: Conversation = { turns: [{ role: 'user', text: 'Hello there' }] };

function exchange(request: Json, extra: Json = {}): Json {
  return { type: 'exchange', id: 'req_1', ts: TS, account_id: 'acct_1', request, ...extra };
}

/** The full list of Exchange fields: decode fills every one (undefined where absent). */
const EXCHANGE_KEYS = [
  'kind',
  'id',
  'ts',
  'accountId',
  'keyId',
  'orgId',
  'conversationId',
  'model',
  'format',
  'system',
  'prompt',
  'turns',
  'inputChars',
  'maxTokens',
  'n',
  'logprobs',
  'topLogprobs',
  'thinking',
  'thinkingBudget',
  'reasoningEffort',
  'temperature',
  'tools',
  'endUser',
  'inputTokens',
  'outputTokens',
  'reasoningTokens',
  'stopReason',
  'client',
  'status',
].sort();

export function decodeCases(shape: BodyShape): void {
  const dec = (request: Json, extra: Json = {}): Exchange => decodeExchangeOk(exchange(request, extra));

  describe(`exchange decoding: ${shape.format} body`, () => {
    it('detects the body shape from the body alone', () => {
      expect(dec(shape.request({ system: ['Be brief.'], turns: HELLO.turns })).format).toBe(shape.format);
      expect(dec(shape.request(HELLO, shape.maxTokens(512))).format).toBe(shape.format);
      expect(dec(shape.request(HELLO, shape.thinking.fields)).format).toBe(shape.format);
      const plain = shape.request(HELLO);
      expect(dec({ ...plain, messages: [...(plain.messages as Json[]), ...shape.toolRound('r')] }).format).toBe(shape.format);
    });

    it('fills every Exchange field, with the contract defaults for absent ones', () => {
      const ex = dec(shape.request(HELLO));
      expect(Object.keys(ex).sort()).toEqual(EXCHANGE_KEYS);
      expect(ex).toMatchObject({
        kind: 'exchange',
        system: '',
        prompt: 'Hello there',
        turns: 1,
        inputChars: 11,
        n: 1,
        logprobs: false,
        thinking: false,
        tools: 0,
        status: 200,
      });
      for (const k of ['keyId', 'orgId', 'conversationId', 'model', 'maxTokens', 'topLogprobs', 'thinkingBudget', 'reasoningEffort', 'temperature', 'endUser', 'inputTokens', 'outputTokens', 'reasoningTokens', 'stopReason'] as const) {
        expect(ex[k], k).toBeUndefined();
      }
      expect(Object.values(ex.client).every((v) => v === undefined)).toBe(true);
    });

    it('maps the envelope fields', () => {
      const ex = dec(shape.request(HELLO), {
        id: 'msg_01XYZ',
        account_id: 'acct_42',
        key_id: 'key_7',
        org_id: 'org_3',
        conversation_id: 'conv_9',
        model: 'frontier-large',
        status: 429,
      });
      expect(ex).toMatchObject({
        id: 'msg_01XYZ',
        ts: TS_MS,
        accountId: 'acct_42',
        keyId: 'key_7',
        orgId: 'org_3',
        conversationId: 'conv_9',
        model: 'frontier-large',
        status: 429,
      });
    });

    it('takes the model from the body when the envelope has none', () => {
      expect(dec({ ...shape.request(HELLO), model: 'body-model' }).model).toBe('body-model');
      expect(dec({ ...shape.request(HELLO), model: 'body-model' }, { model: 'envelope-model' }).model).toBe('envelope-model');
    });

    it('accepts RFC 3339 with offsets and fractions, and integer epoch milliseconds', () => {
      expect(dec(shape.request(HELLO), { ts: TS_MS }).ts).toBe(TS_MS);
      expect(dec(shape.request(HELLO), { ts: '2026-04-22T12:00:00.250+02:00' }).ts).toBe(TS_MS + 250);
      expect(dec(shape.request(HELLO), { ts: '2026-04-22 10:00:00z' }).ts).toBe(TS_MS);
    });

    it('treats null optional fields as absent', () => {
      const ex = dec(shape.request(HELLO), { key_id: null, model: null, status: null, client: null, response: null });
      expect(ex.keyId).toBeUndefined();
      expect(ex.status).toBe(200);
      expect(ex.client.ip).toBeUndefined();
    });

    it('reads the system prompt: absent, one piece, several pieces joined by newlines', () => {
      expect(dec(shape.request(HELLO)).system).toBe('');
      expect(dec(shape.request({ system: ['You are a grader.'], turns: HELLO.turns })).system).toBe('You are a grader.');
      const two = dec(shape.request({ system: ['Rule one.', 'Rule two.'], turns: HELLO.turns }));
      expect(two.system).toBe('Rule one.\nRule two.');
    });

    it('takes the prompt from the last user turn, text blocks joined by newlines', () => {
      const conv: Conversation = {
        system: ['sys'],
        turns: [
          { role: 'user', text: 'first question' },
          { role: 'assistant', text: 'first answer' },
          { role: 'user', text: ['second', 'question'] },
          { role: 'assistant', text: ['prefill'] },
        ],
      };
      const ex = dec(shape.request(conv));
      expect(ex.prompt).toBe('second\nquestion');
      expect(ex.turns).toBe(4);
      // every piece of text, the system prompt included, separators not counted
      expect(ex.inputChars).toBe('sys'.length + 'first question'.length + 'first answer'.length + 'secondquestion'.length + 'prefill'.length);
    });

    it('keeps the human instruction as the prompt through tool-use rounds', () => {
      const request = shape.request(HELLO);
      const messages = [...(request.messages as Json[]), ...shape.toolRound('tool output 123')];
      const ex = dec({ ...request, messages });
      expect(ex.prompt).toBe('Hello there');
      expect(ex.turns).toBe(3);
      expect(ex.inputChars).toBe('Hello there'.length + 'tool output 123'.length);
    });

    it('a request without user text has an empty prompt', () => {
      expect(dec(shape.request({ turns: [{ role: 'assistant', text: 'hi' }] })).prompt).toBe('');
      expect(dec(shape.request({ turns: [] })).turns).toBe(0);
    });

    it('reads the harvesting knobs: max tokens, temperature, tools', () => {
      const ex = dec(shape.request(HELLO, { ...shape.maxTokens(64000), temperature: 0.2, ...shape.tools(3) }));
      expect(ex.maxTokens).toBe(64000);
      expect(ex.temperature).toBe(0.2);
      expect(ex.tools).toBe(3);
      expect(dec(shape.request(HELLO, { temperature: 0 })).temperature).toBe(0);
    });

    it('reads extended thinking / reasoning', () => {
      expect(dec(shape.request(HELLO, shape.thinking.fields))).toMatchObject(shape.thinking.expect);
      expect(dec(shape.request(HELLO)).thinking).toBe(false);
    });

    it('reads n and logprobs where the shape has them, defaults otherwise', () => {
      if (shape.sampling === undefined) {
        expect(dec(shape.request(HELLO))).toMatchObject({ n: 1, logprobs: false, topLogprobs: undefined });
      } else {
        expect(dec(shape.request(HELLO, shape.sampling.fields))).toMatchObject(shape.sampling.expect);
      }
    });

    it('reads the end-user id', () => {
      expect(dec(shape.request(HELLO, shape.endUser('end-user-77'))).endUser).toBe('end-user-77');
    });

    it('reads usage and stop reason from the response', () => {
      const u: Usage = { input: 1200, output: 30000, reasoning: 20000, stop: 'max_tokens' };
      expect(dec(shape.request(HELLO), { response: shape.response(u) })).toMatchObject(shape.expectUsage(u));
    });

    it('reads usage in the other shape too (gateways translate responses)', () => {
      const anthropicStyle = { usage: { input_tokens: 5, output_tokens: 6 }, stop_reason: 'end_turn' };
      const openaiStyle = {
        usage: { prompt_tokens: 7, completion_tokens: 8, completion_tokens_details: { reasoning_tokens: 3 } },
        choices: [{ index: 0, finish_reason: 'length' }],
      };
      expect(dec(shape.request(HELLO), { response: anthropicStyle })).toMatchObject({ inputTokens: 5, outputTokens: 6, stopReason: 'end_turn' });
      expect(dec(shape.request(HELLO), { response: openaiStyle })).toMatchObject({ inputTokens: 7, outputTokens: 8, reasoningTokens: 3, stopReason: 'length' });
    });

    it('maps client fields from snake_case to camelCase', () => {
      const client = {
        ip: '203.0.113.7',
        asn: 64512,
        as_org: 'Example Hosting',
        country: 'sg',
        user_agent: 'sdk-python/1.2',
        tls_fingerprint: 't13d1516h2_8daaf6152771_e5627efa2ab1',
        sdk: 'python',
      };
      expect(dec(shape.request(HELLO), { client }).client).toEqual({
        ip: '203.0.113.7',
        asn: 64512,
        asOrg: 'Example Hosting',
        country: 'SG',
        userAgent: 'sdk-python/1.2',
        tlsFingerprint: 't13d1516h2_8daaf6152771_e5627efa2ab1',
        sdk: 'python',
      });
    });

    it('rejects a knob of the wrong type, naming the field', () => {
      const r = decodeRejected(exchange(shape.request(HELLO, shape.maxTokens('4096'))));
      expect(r.reason).toBe('wrong_type');
      expect(r.detail).toContain(shape.maxTokensField);
      const t = decodeRejected(exchange(shape.request(HELLO, { temperature: 'hot' })));
      expect([t.reason, t.detail.startsWith('request.temperature:')]).toEqual(['wrong_type', true]);
    });
  });
}
