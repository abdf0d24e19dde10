// The GenAI conventions' other carriers of message content: span events of the older and newest
// conventions, and log records (grouped per call by span context).
import { describe, expect, it } from 'vitest';
import type { CanonicalRecord, Exchange } from '../core/records.js';
import { DecodeFailure } from './check.js';
import { decodeOtlpLogs } from './otlp-logs.js';
import { decodeOtlpTraces } from './otlp.js';

const kv = (key: string, v: string | number): object => ({ key, value: typeof v === 'string' ? { stringValue: v } : { intValue: String(v) } });
const who = [kv('gen_ai.request.model', 'gpt-4o'), kv('user.id', 'acct-1')];
const span = (spanId: string, attributes: object[], events: object[]): object => ({ traceId: 'ab'.repeat(16), spanId, startTimeUnixNano: '1775001600000000000', attributes: [kv('gen_ai.operation.name', 'chat'), ...who, ...attributes], events });
const traces = (...spans: object[]): object => ({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

describe('GenAI content in span events', () => {
  it('reads a v1.26 gen_ai.content.prompt event and the newest operation.details event', () => {
    const { items } = decodeOtlpTraces(
      traces(
        span('0000000000000001', [], [{ name: 'gen_ai.content.prompt', attributes: [kv('gen_ai.prompt', JSON.stringify([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Name three primes.' }]))] }]),
        span('0000000000000002', [kv('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [], finish_reason: 'length' }]))], [
          { name: 'gen_ai.client.inference.operation.details', attributes: [kv('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Explain TCP slow start.' }] }])), kv('gen_ai.system_instructions', JSON.stringify([{ type: 'text', content: 'You are a network tutor.' }]))] },
        ]),
        span('0000000000000003', [], [
          { name: 'gen_ai.user.message', attributes: [kv('gen_ai.event.content', JSON.stringify({ content: 'What is 2+2?' }))] },
          { name: 'gen_ai.choice', attributes: [kv('finish_reason', 'stop'), kv('index', 0)] },
        ]),
      ),
    );
    const [v126, details, v128] = items.map((i) => i.rec as CanonicalRecord & { system: string; prompt: string; stopReason?: string });
    expect(v126).toMatchObject({ system: 'Be brief.', prompt: 'Name three primes.' });
    expect(details).toMatchObject({ system: 'You are a network tutor.', prompt: 'Explain TCP slow start.', stopReason: 'length' });
    expect(v128).toMatchObject({ prompt: 'What is 2+2?', stopReason: 'stop' });
  });
});

describe('GenAI events as log records', () => {
  const rec = (name: string, body: object, extra: object = {}): object => ({ timeUnixNano: '1775001600500000000', eventName: name, attributes: who, body, ...extra });
  const ctx = { traceId: 'cd'.repeat(16), spanId: '00000000000000aa' };

  it('groups a call’s records by span context, skips other records, and names the exchange after the span', () => {
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [kv('service.name', 'app')] },
          scopeLogs: [
            { logRecords: [rec('gen_ai.system.message', { stringValue: 'Answer in French.' }, ctx), { timeUnixNano: '1', body: { stringValue: 'GET /healthz 200' } }] },
            // The same call's next records, in another scope of the same request; `event.name` as an attribute (older SDKs).
            { logRecords: [{ ...(rec('', { kvlistValue: { values: [kv('content', 'Good morning')] } }, ctx) as object), eventName: '', attributes: [...who, kv('event.name', 'gen_ai.user.message')], timeUnixNano: '1775001600400000000' }] },
          ],
        },
      ],
    };
    const { items, skipped } = decodeOtlpLogs(body);
    expect(skipped).toBe(1);
    expect(items).toHaveLength(1);
    expect(items[0].rec).toMatchObject({ id: `otel-${ctx.traceId}-${ctx.spanId}`, ts: 1775001600400, accountId: 'acct-1', system: 'Answer in French.', prompt: 'Good morning' });
  });

  it('makes a record without span context a call of its own, the same id when it is sent again', () => {
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [rec('gen_ai.user.message', { kvlistValue: { values: [kv('content', 'Hi')] } })] }] }] };
    const a = decodeOtlpLogs(body).items[0].rec as Exchange;
    const b = decodeOtlpLogs(structuredClone(body)).items[0].rec as Exchange;
    expect(a.id).toMatch(/^otel--log[0-9a-f]{16}$/);
    expect(b.id).toBe(a.id);
  });

  it('rejects a request that is not a logs export', () => {
    expect(() => decodeOtlpLogs({ resourceSpans: [] })).toThrow(DecodeFailure);
  });
});
