// GenAI spans as an instrumented gateway exports them, made with the OpenTelemetry JS SDK
// (@opentelemetry/sdk-trace-base) from simulated exchanges, and the SDK's own OTLP exporters for
// each encoding: OTLP/HTTP JSON, OTLP/HTTP protobuf, OTLP/gRPC. Shared by the exporter tests
// (src/server/otlp-exporters.test.ts) and bench:otlp.
//
// The spans rotate through the ways current instrumentations carry message content: the
// `gen_ai.input.messages` / `gen_ai.system_instructions` attributes (development conventions),
// per-message span events `gen_ai.{system,user}.message` + `gen_ai.choice` (v1.28-v1.36), and the
// single `gen_ai.client.inference.operation.details` event.
import { Metadata } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { readFile } from 'node:fs/promises';
import { runSimulate } from '../src/sim/index.js';

type Json = Record<string, unknown>;

export const ENCODINGS = ['http/json', 'http/protobuf', 'grpc'] as const;
export type Encoding = (typeof ENCODINGS)[number];

const text = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((b) => (typeof b === 'object' && b && 'text' in b ? String(b.text) : '')).join('\n') : '';

/** The first `n` exchange records of a simulated day of the tiny scenario (written under `out`). */
export async function simulatedExchanges(out: string, n: number, seed: number, scale = 0.2): Promise<Json[]> {
  const sim = await runSimulate({ scenario: 'tiny', scale, seed, out, days: 1 });
  const all = (await readFile(sim.path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
  return all.filter((l) => l.type === 'exchange').slice(0, n);
}

/** GenAI inference spans for the native exchange records given (one span each, ids numbered from `firstId`). */
export async function genAiSpans(exchanges: Json[], firstId = 1): Promise<ReadableSpan[]> {
  let traces = firstId;
  let spanIds = firstId;
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'llm-gateway', 'deployment.environment.name': 'test' }),
    // Span k has trace id and span id firstId + k (hex): stable across runs and encodings.
    idGenerator: { generateTraceId: () => (traces++).toString(16).padStart(32, '0'), generateSpanId: () => (spanIds++).toString(16).padStart(16, '0') },
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('gateway-genai', '1.0.0');
  exchanges.forEach((e, i) => {
    const req = e.request as Json;
    const msgs = req.messages as Json[];
    const anthropic = typeof req.system === 'string';
    const system = anthropic ? (req.system as string) : msgs.filter((m) => m.role === 'system').map((m) => text(m.content)).join('\n');
    const turns = msgs.filter((m) => m.role !== 'system').map((m) => ({ role: String(m.role), content: text(m.content) }));
    const usage = ((e.response as Json | undefined)?.usage ?? {}) as Json;
    const client = (e.client ?? {}) as Json;
    const ts = typeof e.ts === 'string' ? Date.parse(e.ts) : (e.ts as number);
    const attributes: Record<string, string | number> = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': anthropic ? 'anthropic' : 'openai',
      'gen_ai.request.model': String(e.model),
      'user.id': String(e.account_id),
    };
    const put = (k: string, v: unknown): void => {
      if (typeof v === 'string' || typeof v === 'number') attributes[k] = v;
    };
    put('gen_ai.request.max_tokens', req.max_tokens ?? req.max_completion_tokens);
    put('gen_ai.request.temperature', req.temperature);
    put('gen_ai.usage.input_tokens', usage.input_tokens ?? usage.prompt_tokens);
    put('gen_ai.usage.output_tokens', usage.output_tokens ?? usage.completion_tokens);
    put('client.address', client.ip);
    put('user_agent.original', client.user_agent);
    const input = JSON.stringify(turns.map((t) => ({ role: t.role, parts: [{ type: 'text', content: t.content }] })));
    const instructions = JSON.stringify([{ type: 'text', content: system }]);
    const style = i % 3;
    if (style === 0) {
      attributes['gen_ai.input.messages'] = input;
      if (system) attributes['gen_ai.system_instructions'] = instructions;
    }
    const span = tracer.startSpan(`chat ${String(e.model)}`, { kind: SpanKind.CLIENT, startTime: ts, attributes });
    if (style === 1) {
      if (system) span.addEvent('gen_ai.system.message', { content: system }, ts);
      for (const t of turns) span.addEvent(`gen_ai.${t.role === 'assistant' ? 'assistant' : 'user'}.message`, { content: t.content }, ts);
      span.addEvent('gen_ai.choice', { index: 0, finish_reason: 'stop' }, ts + 1000);
    } else if (style === 2) {
      span.addEvent('gen_ai.client.inference.operation.details', { 'gen_ai.input.messages': input, ...(system ? { 'gen_ai.system_instructions': instructions } : {}) }, ts + 1000);
    }
    span.end(ts + 1000);
  });
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

/** The SDK's OTLP trace exporter for one encoding, pointed at a running serve, sending `key` (gzip'd with `gzip`). */
export function otlpExporter(encoding: Encoding, at: { http: string; grpcPort: number }, key: string, gzip = false): SpanExporter {
  const headers = { authorization: `Bearer ${key}` };
  const compression = gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  if (encoding === 'http/json') return new JsonExporter({ url: `${at.http}/v1/traces`, headers, compression });
  if (encoding === 'http/protobuf') return new ProtoExporter({ url: `${at.http}/v1/traces`, headers, compression });
  const metadata = new Metadata();
  metadata.set('authorization', headers.authorization);
  return new GrpcExporter({ url: `http://127.0.0.1:${at.grpcPort}`, metadata, compression });
}

/** Exports the spans in batches of `batch` (one request each), in order; rejects on the first failure. */
export async function exportSpans(exporter: SpanExporter, spans: ReadableSpan[], batch: number): Promise<void> {
  for (let i = 0; i < spans.length; i += batch) {
    await new Promise<void>((resolve, reject) =>
      exporter.export(spans.slice(i, i + batch), (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error(`export failed (code ${r.code})`)))),
    );
  }
}
