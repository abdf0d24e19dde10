// GenAI events carried as OTLP log records (instrumentations that put message content there), sent
// by the SDK's own log exporters (HTTP JSON, HTTP protobuf, gRPC) to a running serve: each call's
// records become one exchange, with the id of the call's span, so the same call exported again as
// a span is a duplicate, not a second exchange.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, type LogRecordExporter, type ReadableLogRecord, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODINGS, exportSpans, genAiSpans, otlpExporter, simulatedExchanges, type Encoding } from '../../bench/otlp-spans.js';
import { KEYS, keyRing, startTestServer, type TestServer } from '../../test/helpers/serve.js';
import type { JsonObject } from '../decode/check.js';
import { decodeExchange } from '../decode/native.js';
import { startOtlpGrpc, type OtlpGrpcServer } from './otlp-grpc.js';
import { liveOtlpSink } from './otlp-export.js';

type Json = Record<string, unknown>;
const FIRST_ID = 500;
const text = (c: unknown): string => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((b) => String((b as Json).text ?? '')).join('\n') : '');

/** Each exchange's call as v1.36 GenAI event log records, in the span context genAiSpans gives the same call. */
async function genAiLogRecords(exchanges: Json[]): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'llm-gateway' }), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = provider.getLogger('gateway-genai');
  exchanges.forEach((e, k) => {
    const id = FIRST_ID + k;
    const ctx = trace.setSpanContext(context.active(), { traceId: id.toString(16).padStart(32, '0'), spanId: id.toString(16).padStart(16, '0'), traceFlags: TraceFlags.SAMPLED });
    const req = e.request as Json;
    const msgs = req.messages as Json[];
    const anthropic = typeof req.system === 'string';
    const system = anthropic ? (req.system as string) : msgs.filter((m) => m.role === 'system').map((m) => text(m.content)).join('\n');
    const ts = typeof e.ts === 'string' ? Date.parse(e.ts) : (e.ts as number);
    const attributes = { 'gen_ai.provider.name': anthropic ? 'anthropic' : 'openai', 'gen_ai.request.model': String(e.model), 'user.id': String(e.account_id) };
    if (system) logger.emit({ eventName: 'gen_ai.system.message', timestamp: ts, context: ctx, attributes, body: { content: system } });
    for (const m of msgs.filter((x) => x.role !== 'system')) logger.emit({ eventName: `gen_ai.${m.role === 'assistant' ? 'assistant' : 'user'}.message`, timestamp: ts, context: ctx, attributes, body: { content: text(m.content) } });
    logger.emit({ eventName: 'gen_ai.choice', timestamp: ts + 1000, context: ctx, attributes, body: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'ok' } } });
  });
  // A record that is not a GenAI event: skipped.
  logger.emit({ eventName: 'http.request', body: 'GET /healthz' });
  await provider.forceFlush();
  const out = memory.getFinishedLogRecords();
  await provider.shutdown();
  return out;
}

function logExporter(encoding: Encoding, http: string, grpcPort: number): LogRecordExporter {
  const headers = { authorization: `Bearer ${KEYS.ingest}` };
  if (encoding === 'http/json') return new JsonLogExporter({ url: `${http}/v1/logs`, headers });
  if (encoding === 'http/protobuf') return new ProtoLogExporter({ url: `${http}/v1/logs`, headers });
  const metadata = new Metadata();
  metadata.set('authorization', headers.authorization);
  return new GrpcLogExporter({ url: `http://127.0.0.1:${grpcPort}`, metadata });
}

let tmp: string;
let exchanges: Json[];
let s: TestServer;
let grpc: OtlpGrpcServer;
let http: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'distillguard-otlp-logs-'));
  exchanges = await simulatedExchanges(join(tmp, 'sim'), 12, 12);
  s = await startTestServer({ dir: join(tmp, 'serve') });
  http = await s.app.listen({ port: 0, host: '127.0.0.1' });
  grpc = await startOtlpGrpc(liveOtlpSink(s.app.distillguard), s.app.log, { host: '127.0.0.1', port: 0, keys: keyRing() });
}, 60_000);
afterAll(async () => {
  await grpc.close();
  await s.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('GenAI events as OTLP log records', () => {
  it('makes one exchange per call from the SDK log exporters; the same call as a span is a duplicate', async () => {
    const records = await genAiLogRecords(exchanges);
    // Four calls per encoding; a call's records go out together, as a batch processor sends them.
    const byCall = (k: number): ReadableLogRecord[] => records.filter((r) => r.spanContext?.spanId === (FIRST_ID + k).toString(16).padStart(16, '0'));
    for (const [i, enc] of ENCODINGS.entries()) {
      const batch = [0, 1, 2, 3].flatMap((j) => byCall(i * 4 + j));
      if (i === 0) batch.push(records[records.length - 1]); // the non-GenAI record
      const exporter = logExporter(enc, http, grpc.port);
      await new Promise<void>((res, rej) => exporter.export(batch, (r) => (r.code === 0 ? res() : rej(r.error))));
      await exporter.shutdown();
    }
    expect(s.live.counts).toMatchObject({ batches: 3, linesRead: 12, acceptedExchanges: 12, rejected: 0, duplicates: 0 });
    const logged: Json[] = [];
    for (const f of (await readdir(join(s.dir, 'ingest'))).filter((n) => n.startsWith('seg-'))) {
      for (const line of (await readFile(join(s.dir, 'ingest', f), 'utf8')).split('\n').slice(1)) if (line) logged.push(...(JSON.parse(line) as { recs: Json[] }).recs);
    }
    const pick = (r: Json): Json => ({ ts: r.ts, accountId: r.accountId, model: r.model, system: r.system || undefined, prompt: r.prompt, turns: r.turns });
    logged.forEach((rec, k) => {
      expect(rec.id).toBe(`otel-${(FIRST_ID + k).toString(16).padStart(32, '0')}-${(FIRST_ID + k).toString(16).padStart(16, '0')}`);
      expect(rec.stopReason).toBe('stop');
      expect(pick(rec), `call ${k}`).toEqual(pick(decodeExchange(exchanges[k] as JsonObject) as unknown as Json));
    });
    // The same calls exported as spans (same span context): duplicates, nothing counted twice.
    const spans = await genAiSpans(exchanges, FIRST_ID);
    await exportSpans(otlpExporter('http/protobuf', { http, grpcPort: grpc.port }, KEYS.ingest), spans, 12);
    expect(s.live.counts).toMatchObject({ acceptedExchanges: 12, duplicates: 12 });
  }, 60_000);
});
