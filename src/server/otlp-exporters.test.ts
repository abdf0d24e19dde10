// The OpenTelemetry JS SDK's own OTLP exporters (HTTP JSON, HTTP protobuf, gRPC) against a running
// serve on loopback: every span taken, the same canonical records and verdicts whatever the
// encoding; and bad input in each protocol's own terms (HTTP status, gRPC status code), nothing
// stored, the server still up.
import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODINGS, exportSpans, genAiSpans, otlpExporter, simulatedExchanges, type Encoding } from '../../bench/otlp-spans.js';
import { bearer, KEYS, keyRing, startTestServer, type TestServer, type TestServerOptions } from '../../test/helpers/serve.js';
import type { JsonObject } from '../decode/check.js';
import { decodeExchange } from '../decode/native.js';
import { loadOtlpProto } from '../decode/otlp-proto.js';
import { startOtlpGrpc, type OtlpGrpcServer } from './otlp-grpc.js';
import { liveOtlpSink } from './otlp-export.js';

type Json = Record<string, unknown>;

interface Running {
  s: TestServer;
  grpc: OtlpGrpcServer;
  http: string;
}

async function startServe(o: TestServerOptions = {}): Promise<Running> {
  const s = await startTestServer(o);
  const http = await s.app.listen({ port: 0, host: '127.0.0.1' });
  const g = await startOtlpGrpc(liveOtlpSink(s.app.distillguard), s.app.log, { host: '127.0.0.1', port: 0, keys: keyRing() });
  return { s, grpc: g, http };
}

async function stopServe(r: Running): Promise<void> {
  await r.grpc.close();
  await r.s.close();
}

/** The canonical records of the ingest log, in order (what the engine consumes, and a restart replays). */
async function loggedRecords(dir: string): Promise<Json[]> {
  const logDir = join(dir, 'ingest');
  const recs: Json[] = [];
  for (const f of (await readdir(logDir)).filter((n) => n.startsWith('seg-')).sort()) {
    for (const line of (await readFile(join(logDir, f), 'utf8')).split('\n').slice(1)) if (line) recs.push(...((JSON.parse(line) as { recs: Json[] }).recs ?? []));
  }
  return recs;
}

let tmp: string;
let exchanges: Json[];
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'distillguard-otlp-'));
  exchanges = await simulatedExchanges(join(tmp, 'sim'), 50, 11);
}, 60_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('the SDK exporters against serve', () => {
  it('takes 50 spans from each exporter: 150 exchanges, the same records and verdicts in every encoding', async () => {
    expect(exchanges).toHaveLength(50);
    const spans = await genAiSpans(exchanges);
    const seen: Record<Encoding, { records: Json[]; accounts: unknown }> = {} as never;
    let accepted = 0;
    for (const enc of ENCODINGS) {
      const r = await startServe();
      try {
        const exporter = otlpExporter(enc, { http: r.http, grpcPort: r.grpc.port }, KEYS.ingest);
        await exportSpans(exporter, spans, 10);
        await exporter.shutdown();
        const c = r.s.live.counts;
        expect({ enc, batches: c.batches, received: c.linesRead, rejected: c.rejected, duplicates: c.duplicates }).toEqual({ enc, batches: 5, received: 50, rejected: 0, duplicates: 0 });
        accepted += c.acceptedExchanges;
        await r.s.live.drain();
        await r.s.live.flush(true);
        const accounts = (await r.s.app.inject({ method: 'GET', url: '/v1/accounts?limit=1000', headers: bearer('read') })).json().accounts as Json[];
        seen[enc] = { records: await loggedRecords(r.s.dir), accounts: accounts.map((a) => ({ id: a.account_id, verdict: a.verdict, score: a.score })) };
      } finally {
        await stopServe(r);
      }
    }
    expect(accepted).toBe(150);
    const [json, proto, grpcSeen] = ENCODINGS.map((e) => seen[e]);
    expect(json.records).toHaveLength(50);
    expect(json.records[0]).toMatchObject({ kind: 'exchange', accountId: exchanges[0].account_id, model: exchanges[0].model });
    // Each span carries what the native record carried, whichever way its content travelled.
    const pick = (r: Json): Json => ({ ts: r.ts, accountId: r.accountId, model: r.model, system: r.system || undefined, prompt: r.prompt, turns: r.turns, maxTokens: r.maxTokens, inputTokens: r.inputTokens, outputTokens: r.outputTokens });
    json.records.forEach((rec, i) => expect(pick(rec), `span ${i}`).toEqual(pick(decodeExchange(exchanges[i] as JsonObject) as unknown as Json)));
    expect(proto.records).toEqual(json.records);
    expect(grpcSeen.records).toEqual(json.records);
    expect((json.accounts as unknown[]).length).toBeGreaterThan(0);
    expect(proto.accounts).toEqual(json.accounts);
    expect(grpcSeen.accounts).toEqual(json.accounts);
  }, 120_000);
});

describe('bad OTLP input, in each protocol’s terms', () => {
  let r: Running;
  const proto = loadOtlpProto();
  beforeAll(async () => {
    r = await startServe({ server: { bodyLimit: 256 << 10 } });
  });
  afterAll(async () => {
    await stopServe(r);
  });

  const post = (body: Buffer, headers: Record<string, string>): Promise<Response> =>
    fetch(`${r.http}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', ...headers } });
  const statusOf = async (res: Response): Promise<{ http: number; type: string | null; code: number; message: string }> => {
    const bytes = Buffer.from(await res.arrayBuffer());
    const root = await import('protobufjs');
    const t = new root.default.Type('Status').add(new root.default.Field('code', 1, 'int32')).add(new root.default.Field('message', 2, 'string'));
    const s = t.toObject(t.decode(bytes)) as { code: number; message: string };
    return { http: res.status, type: res.headers.get('content-type'), code: s.code, message: s.message };
  };
  const valid = async (): Promise<Buffer> => {
    const spans = await genAiSpans(exchanges.slice(0, 1), 9000);
    // The proto exporter's own bytes, captured by sending them to a listener of ours.
    const { createServer } = await import('node:http');
    const got = await new Promise<Buffer>((resolve) => {
      const srv = createServer((req, res) => {
        const parts: Buffer[] = [];
        req.on('data', (c: Buffer) => parts.push(c)).on('end', () => {
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
          srv.close();
          resolve(Buffer.concat(parts));
        });
      });
      srv.listen(0, '127.0.0.1', () => {
        const port = (srv.address() as { port: number }).port;
        exportSpans(otlpExporter('http/protobuf', { http: `http://127.0.0.1:${port}`, grpcPort: 0 }, 'x'), spans, 10).catch(() => undefined);
      });
    });
    return got;
  };
  const grpcCall = (path: string, body: Buffer, key?: string): Promise<{ code: number; details: string }> =>
    new Promise((resolve) => {
      const client = new grpc.Client(`127.0.0.1:${r.grpc.port}`, grpc.credentials.createInsecure());
      const md = new grpc.Metadata();
      if (key !== undefined) md.set('authorization', `Bearer ${key}`);
      client.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        body,
        md,
        (err) => {
          client.close();
          resolve({ code: err ? err.code : grpc.status.OK, details: err ? err.details : '' });
        },
      );
    });

  it('answers HTTP errors to protobuf requests as protobuf google.rpc.Status, stores nothing, stays up', async () => {
    const good = await valid();
    const bad = good.subarray(0, good.length - 7); // cut inside a message
    expect(await statusOf(await post(bad, bearer('ingest')))).toMatchObject({ http: 400, type: 'application/x-protobuf', code: 3, message: expect.stringMatching(/bad_request: not a protobuf ExportTraceServiceRequest/) });
    expect(await statusOf(await post(gzipSync(good).subarray(0, 20), { ...bearer('ingest'), 'content-encoding': 'gzip' }))).toMatchObject({ http: 400, code: 3, message: expect.stringMatching(/bad_encoding/) });
    expect(await statusOf(await post(good, {}))).toMatchObject({ http: 401, code: 16, message: expect.stringMatching(/missing API key/) });
    expect(await statusOf(await post(good, { authorization: 'Bearer not-a-key-0123456789' }))).toMatchObject({ http: 401, code: 16, message: expect.stringMatching(/unknown API key/) });
    expect(await statusOf(await post(good, bearer('read')))).toMatchObject({ http: 403, code: 7 });
    expect(await statusOf(await post(Buffer.alloc(300 << 10), bearer('ingest')))).toMatchObject({ http: 413, code: 8 });
    const other = await fetch(`${r.http}/v1/traces`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain', ...bearer('ingest') } });
    expect(other.status).toBe(415);
    expect(r.s.live.counts.batches).toBe(0);
    // The real exporter with a wrong key fails the export, saying why.
    const spans = await genAiSpans(exchanges.slice(0, 2), 7000);
    await expect(exportSpans(otlpExporter('http/protobuf', { http: r.http, grpcPort: 0 }, 'wrong-key-0123456789abc'), spans, 10)).rejects.toThrow(/401|Unauthorized/i);
    expect(r.s.live.counts.batches).toBe(0);
    // Still up: the valid request is taken, answered with an ExportTraceServiceResponse.
    const ok = await post(good, bearer('ingest'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-protobuf');
    expect(ok.headers.get('distillguard-receipt')).toMatch(/received=1; accepted=1; duplicates=0; rejected=0/);
    expect(Buffer.from(await ok.arrayBuffer())).toEqual(proto.traces.encodeResponse(null));
  });

  it('answers a span it rejects with a partial success, the same in protobuf and JSON', async () => {
    // Content capture off: an empty gen_ai.input.messages and no system instructions.
    const empty = { ...exchanges[1], request: { ...(exchanges[1].request as Json), messages: [], system: undefined } };
    const spans = await genAiSpans([empty], 9100);
    const pb = await post(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!), bearer('ingest'));
    expect(pb.status).toBe(200);
    expect(pb.headers.get('distillguard-receipt')).toMatch(/received=1; accepted=0; duplicates=0; rejected=1/);
    const js = await fetch(`${r.http}/v1/traces`, { method: 'POST', body: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!), headers: { 'content-type': 'application/json', ...bearer('ingest') } });
    const partial = ((await js.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } }).partialSuccess;
    expect(partial).toMatchObject({ rejectedSpans: '1', errorMessage: expect.stringMatching(/^1 span\(s\) rejected; first: bad_body: /) });
    // The protobuf answer is ExportTraceServiceResponse{partial_success{rejected_spans: 1, error_message}}.
    expect(Buffer.from(await pb.arrayBuffer())).toEqual(proto.traces.encodeResponse({ rejected: 1, errorMessage: partial.errorMessage }));
  });

  it('answers gRPC errors with status codes, stores nothing, stays up', async () => {
    const before = r.s.live.counts.batches;
    const good = await valid();
    const path = proto.traces.exportPath;
    expect(path).toBe('/opentelemetry.proto.collector.trace.v1.TraceService/Export');
    expect(await grpcCall(path, good)).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: expect.stringMatching(/missing API key/) });
    expect(await grpcCall(path, good, 'not-a-key-0123456789')).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(await grpcCall(path, good, KEYS.read)).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    expect(await grpcCall(path, good.subarray(0, good.length - 7), KEYS.ingest)).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/not a protobuf ExportTraceServiceRequest/) });
    expect(await grpcCall('/opentelemetry.proto.collector.trace.v1.TraceService/Nope', good, KEYS.ingest)).toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    expect(await grpcCall('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', good, KEYS.ingest)).toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    expect(await grpcCall(path, Buffer.alloc(300 << 10), KEYS.ingest)).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    expect(r.s.live.counts.batches).toBe(before);
    // The real gRPC exporter with a wrong key fails the export.
    const spans = await genAiSpans(exchanges.slice(0, 2), 8000);
    await expect(exportSpans(otlpExporter('grpc', { http: r.http, grpcPort: r.grpc.port }, 'wrong-key-0123456789abc'), spans, 10)).rejects.toThrow(/UNAUTHENTICATED|unknown API key/i);
    expect(r.s.live.counts.batches).toBe(before);
    // Still up: the valid message is taken.
    expect(await grpcCall(path, good, KEYS.ingest)).toMatchObject({ code: grpc.status.OK });
    expect(r.s.live.counts.batches).toBe(before + 1);
  });
});
