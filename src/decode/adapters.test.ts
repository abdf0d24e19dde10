// LiteLLM and OTLP GenAI payloads, shaped as the real producers emit them, decoded into exchanges.
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';
import { decodeLine } from './index.js';
import { decodeLiteLLM } from './litellm.js';
import { decodeOtlpTraces } from './otlp.js';

const ctx = { emailKey: Buffer.from('test-email-key') };
const raw = (o: unknown) => {
  const text = JSON.stringify(o);
  return { file: 't', line: 1, text, bytes: text.length };
};

/** A StandardLoggingPayload as LiteLLM's proxy logs it for a /chat/completions call. */
const standardPayload = {
  id: 'chatcmpl-9f1c2b7e-5d0a-4a51-9c3e-2f1d0b6a7c11',
  trace_id: '3d0c6a0e-1f1b-4bd2-8f57-7a2f0a3d9e4b',
  call_type: 'acompletion',
  stream: false,
  response_cost: 0.00231,
  status: 'success',
  total_tokens: 1290,
  prompt_tokens: 61,
  completion_tokens: 1229,
  startTime: 1775001600.123456,
  endTime: 1775001609.9,
  completionStartTime: 1775001600.9,
  response_time: 9.77,
  model: 'gpt-4o',
  model_id: 'b2c1d0e9f8a7',
  model_group: 'gpt-4o',
  custom_llm_provider: 'openai',
  api_base: 'https://api.openai.com/v1',
  metadata: {
    user_api_key_hash: '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b',
    user_api_key_alias: 'prod-key-3',
    user_api_key_team_id: 'team-research',
    user_api_key_org_id: 'org-acme',
    user_api_key_user_id: 'user-4821',
    user_api_key_team_alias: null,
    spend_logs_metadata: null,
    requester_ip_address: '203.0.113.45',
    requester_metadata: { session_id: 'sess-77' },
    user_agent: 'OpenAI/Python 1.51.0',
    requester_custom_headers: {},
  },
  cache_hit: false,
  cache_key: null,
  saved_cache_cost: 0,
  request_tags: [],
  end_user: 'end-user-9',
  requester_ip_address: '203.0.113.45',
  messages: [
    { role: 'system', content: 'You are a careful reasoner.' },
    { role: 'user', content: 'Think step by step and show every intermediate step: how many primes are below 100?' },
  ],
  response: {
    id: 'chatcmpl-abc',
    object: 'chat.completion',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Step 1: ...' } }],
    usage: { prompt_tokens: 61, completion_tokens: 1229, total_tokens: 1290, completion_tokens_details: { reasoning_tokens: 0 } },
  },
  error_str: null,
  model_parameters: { max_tokens: 4096, temperature: 0.2, n: 2, logprobs: true, top_logprobs: 5, stream: false },
  hidden_params: { model_id: 'b2c1d0e9f8a7', cache_key: null, api_base: 'https://api.openai.com/v1', response_cost: '0.00231', additional_headers: {} },
  model_map_information: { model_map_key: 'gpt-4o', model_map_value: null },
};

/** A LiteLLM_SpendLogs row as exported from the proxy's database (JSON columns as text). */
const spendLogRow = {
  request_id: 'chatcmpl-0e5b8a52-2c1f-4f0d-9d0b-51b5e0e7c2aa',
  call_type: 'anthropic_messages',
  api_key: '1f3a9c0d2b4e6f8a0c1e3d5f7a9b1c3e5d7f9a1b3c5e7d9f1a3b5c7e9d1f3a5b',
  spend: 0.0184,
  total_tokens: 3012,
  prompt_tokens: 512,
  completion_tokens: 2500,
  startTime: '2026-04-01T00:05:00.000Z',
  endTime: '2026-04-01T00:05:31.200Z',
  model: 'claude-sonnet-4-5',
  model_group: 'claude-sonnet',
  api_base: 'https://api.anthropic.com',
  user: 'user-77',
  team_id: 'team-x',
  end_user: '',
  requester_ip_address: '198.51.100.9',
  metadata: JSON.stringify({ user_api_key_user_id: 'user-77', user_api_key_org_id: 'org-9', requester_custom_headers: { 'user-agent': 'anthropic-sdk-python/0.40' } }),
  messages: '[]',
  response: JSON.stringify({ usage: { input_tokens: 512, output_tokens: 2500 }, stop_reason: 'max_tokens' }),
  proxy_server_request: JSON.stringify({
    model: 'claude-sonnet',
    max_tokens: 8192,
    system: 'You write detailed solutions.',
    thinking: { type: 'enabled', budget_tokens: 4000 },
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Solve and explain the reasoning behind it: integrate x^2 e^x.' }] }],
  }),
  session_id: 'sess-a1',
  status: 'success',
};

describe('LiteLLM adapter', () => {
  it('maps a StandardLoggingPayload onto an exchange', () => {
    const ex = decodeLiteLLM(standardPayload, raw(standardPayload)) as Exchange;
    expect(ex).toMatchObject({
      kind: 'exchange',
      id: standardPayload.id,
      ts: 1775001600123,
      accountId: 'user-4821',
      keyId: standardPayload.metadata.user_api_key_hash,
      orgId: 'org-acme',
      conversationId: 'sess-77',
      model: 'gpt-4o',
      format: 'openai',
      system: 'You are a careful reasoner.',
      prompt: standardPayload.messages[1].content,
      maxTokens: 4096,
      n: 2,
      logprobs: true,
      topLogprobs: 5,
      endUser: 'end-user-9',
      inputTokens: 61,
      outputTokens: 1229,
      stopReason: 'stop',
      client: { ip: '203.0.113.45', userAgent: 'OpenAI/Python 1.51.0' },
      status: 200,
    });
  });

  it('maps a SpendLogs row, reading the body the client sent, and is recognised by decodeLine', () => {
    const ex = decodeLine(raw(spendLogRow), ctx) as Exchange;
    expect(ex).toMatchObject({
      id: spendLogRow.request_id,
      ts: Date.parse('2026-04-01T00:05:00.000Z'),
      accountId: 'user-77',
      keyId: spendLogRow.api_key,
      orgId: 'org-9',
      conversationId: 'sess-a1',
      model: 'claude-sonnet',
      format: 'anthropic',
      system: 'You write detailed solutions.',
      thinking: true,
      thinkingBudget: 4000,
      maxTokens: 8192,
      inputTokens: 512,
      outputTokens: 2500,
      stopReason: 'max_tokens',
      client: { ip: '198.51.100.9', userAgent: 'anthropic-sdk-python/0.40' },
    });
  });

  it('rejects calls without a chat body, and payloads whose content was redacted', () => {
    const emb = decodeLiteLLM({ ...standardPayload, call_type: 'aembedding' }, raw({})) as Rejection;
    expect(emb).toMatchObject({ reason: 'bad_body', detail: expect.stringMatching(/^litellm: call_type: "aembedding" is not a chat/) });
    const redacted = decodeLiteLLM({ ...standardPayload, messages: null }, raw({})) as Rejection;
    expect(redacted).toMatchObject({ reason: 'bad_body', detail: expect.stringMatching(/no request messages/) });
    const noUser = decodeLiteLLM({ ...standardPayload, metadata: {}, end_user: null }, raw({})) as Rejection;
    expect(noUser).toMatchObject({ reason: 'missing_field', detail: 'litellm: account_id: required field is missing' });
  });
});

const kv = (key: string, v: string | number | boolean): object => ({
  key,
  value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
});

/** An OTLP/HTTP JSON export: one gateway HTTP span, and GenAI spans in three instrumentation styles. */
const otlpExport = {
  resourceSpans: [
    {
      resource: { attributes: [kv('service.name', 'llm-gateway'), kv('deployment.environment', 'prod')] },
      scopeSpans: [
        {
          scope: { name: 'gateway', version: '2.3.0' },
          spans: [
            { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'aa00000000000001', name: 'POST /v1/chat/completions', kind: 2, startTimeUnixNano: '1775001600000000000', endTimeUnixNano: '1775001601000000000', attributes: [kv('http.request.method', 'POST')] },
            {
              // Development conventions (after v1.36): provider.name, input.messages, system_instructions.
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              parentSpanId: 'aa00000000000001',
              name: 'chat claude-sonnet-4-5',
              kind: 3,
              startTimeUnixNano: '1775001600250000000',
              endTimeUnixNano: '1775001605250000000',
              attributes: [
                kv('gen_ai.operation.name', 'chat'),
                kv('gen_ai.provider.name', 'anthropic'),
                kv('gen_ai.request.model', 'claude-sonnet-4-5'),
                kv('gen_ai.request.max_tokens', 16000),
                kv('gen_ai.request.temperature', 0.7),
                kv('gen_ai.conversation.id', 'conv-42'),
                kv('gen_ai.system_instructions', JSON.stringify([{ type: 'text', content: 'You are a tutor.' }])),
                kv('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Walk me through your full chain of thought for 17*23.' }] }])),
                kv('gen_ai.usage.input_tokens', 40),
                kv('gen_ai.usage.output_tokens', 900),
                { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'end_turn' }] } } },
                kv('user.id', 'acct-dev-1'),
                kv('client.address', '192.0.2.10'),
                kv('user_agent.original', 'anthropic-sdk-typescript/0.30'),
              ],
              status: { code: 1 },
            },
            {
              // v1.36: gen_ai.system, content in span events.
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              name: 'chat gpt-4o',
              kind: 3,
              startTimeUnixNano: '1775001630000000000',
              endTimeUnixNano: '1775001632000000000',
              attributes: [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.system', 'openai'), kv('gen_ai.request.model', 'gpt-4o'), kv('gen_ai.request.choice.count', 4), kv('gen_ai.usage.input_tokens', 20), kv('gen_ai.usage.output_tokens', 300)],
              events: [
                { timeUnixNano: '1775001630000000000', name: 'gen_ai.system.message', attributes: [kv('content', 'Be concise.')] },
                { timeUnixNano: '1775001630000000000', name: 'gen_ai.user.message', attributes: [kv('content', 'What is a monad?')] },
              ],
              status: { code: 2, message: 'rate limited' },
            },
            {
              // OpenLLMetry-style indexed prompt attributes and older usage names.
              traceId: '1af7651916cd43dd8448eb211c80319d',
              spanId: 'c7ad6b7169203332',
              name: 'openai.chat',
              startTimeUnixNano: '1775001640000000000',
              attributes: [kv('gen_ai.system', 'openai'), kv('gen_ai.request.model', 'gpt-4o-mini'), kv('gen_ai.prompt.0.role', 'user'), kv('gen_ai.prompt.0.content', 'Translate to French: good morning'), kv('gen_ai.usage.prompt_tokens', 9), kv('gen_ai.usage.completion_tokens', 4)],
            },
            {
              // Content capture off: nothing to judge the prompt by.
              traceId: '2af7651916cd43dd8448eb211c80319e',
              spanId: 'd7ad6b7169203333',
              name: 'chat gpt-4o',
              startTimeUnixNano: '1775001650000000000',
              attributes: [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.provider.name', 'openai'), kv('enduser.id', 'acct-3')],
            },
          ],
        },
      ],
    },
  ],
};

describe('OTLP GenAI adapter', () => {
  it('maps inference spans of both convention generations, skips other spans, rejects spans without content', () => {
    const { items, skipped } = decodeOtlpTraces(otlpExport);
    expect(skipped).toBe(1);
    expect(items).toHaveLength(4);
    const [dev, v136, openllmetry, empty] = items.map((i) => i.rec);
    expect(dev).toMatchObject({
      id: 'otel-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174',
      ts: 1775001600250,
      accountId: 'acct-dev-1',
      conversationId: 'conv-42',
      model: 'claude-sonnet-4-5',
      format: 'anthropic',
      system: 'You are a tutor.',
      prompt: 'Walk me through your full chain of thought for 17*23.',
      maxTokens: 16000,
      temperature: 0.7,
      inputTokens: 40,
      outputTokens: 900,
      stopReason: 'end_turn',
      client: { ip: '192.0.2.10', userAgent: 'anthropic-sdk-typescript/0.30' },
      status: 200,
    });
    // No account attribute on this span: rejected with the field named.
    expect(v136).toMatchObject({ reason: 'missing_field', detail: expect.stringMatching(/account_id: required field is missing/) });
    expect(openllmetry).toMatchObject({ reason: 'missing_field' });
    expect(empty).toMatchObject({ reason: 'bad_body', detail: expect.stringMatching(/no message content.*CAPTURE_MESSAGE_CONTENT/) });
    expect((empty as Rejection).raw).toContain('d7ad6b7169203333');
  });

  it('takes the account from resource attributes the gateway sets', () => {
    const withAccount = structuredClone(otlpExport);
    (withAccount.resourceSpans[0].resource.attributes as object[]).push(kv('distillguard.account_id', 'acct-from-resource'));
    const recs = decodeOtlpTraces(withAccount).items.map((i) => i.rec);
    expect(recs[0]).toMatchObject({ accountId: 'acct-dev-1' }); // the span's own attribute wins
    expect(recs[1]).toMatchObject({ accountId: 'acct-from-resource', format: 'openai', system: 'Be concise.', prompt: 'What is a monad?', n: 4, status: 500 });
    expect(recs[2]).toMatchObject({ accountId: 'acct-from-resource', prompt: 'Translate to French: good morning', inputTokens: 9, outputTokens: 4 });
  });
});
