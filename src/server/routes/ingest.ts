// Ingest routes (role `ingest`): native NDJSON (LiteLLM lines auto-detected), OTLP/HTTP JSON traces,
// LiteLLM payload lists. Each request is one batch: answered once durable, with counts by outcome.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DecodeFailure, isObject, jsonType } from '../../decode/check.js';
import { decodeLine, parseStrictTimestamp, rejectLine } from '../../decode/index.js';
import { toIso } from '../../core/time.js';
import { decodeLiteLLM, isLiteLLM } from '../../decode/litellm.js';
import { decodeOtlpTraces } from '../../decode/otlp.js';
import { LineSplitter, type RawLine } from '../../sources/file.js';
import { ApiError } from '../errors.js';
import type { BatchItem, BatchReceipt } from '../live.js';

const gunzipAsync = promisify(gunzip);
const WATERMARK_FUTURE_MS = 60_000;

export function registerIngestRoutes(app: FastifyInstance): void {
  const { live, metrics, requireRole, maxDecodedBytes, bodyLimit } = app.distillguard;
  void app.register(async (ingest) => {
    // Bodies arrive as bytes (NDJSON, gzip); each route decodes its own format.
    ingest.removeAllContentTypeParsers();
    ingest.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    ingest.addHook('onRequest', requireRole('ingest'));
    // Checked before the body is read (cheap refusal) and again before the batch is taken (requests
    // read concurrently must not overshoot the high-water mark).
    const refuseWhenBehind = (): void => {
      const r = live.refusal();
      if (r === undefined) return;
      metrics.refused.inc({ code: 'overloaded' });
      throw new ApiError('overloaded', r.message, { 'retry-after': String(r.retryAfter) });
    };
    ingest.addHook('onRequest', async (req) => {
      refuseWhenBehind();
      req.ingestStart = performance.now();
    });
    ingest.addHook('onError', async (_req, _reply, err) => {
      if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') metrics.refused.inc({ code: 'body_too_large' });
    });

    const submit = async (req: FastifyRequest, route: string, items: BatchItem[]): Promise<BatchReceipt> => {
      refuseWhenBehind();
      const t0 = req.ingestStart ?? performance.now();
      metrics.received.inc({ route }, items.length);
      let receipt: BatchReceipt;
      try {
        receipt = await live.submit(items, t0);
      } catch (e) {
        req.log.fatal({ err: e }, 'ingest log write failed; a restart replays what is durable');
        throw new ApiError('unavailable', 'the ingest log cannot be written; the batch was not accepted');
      }
      for (const [reason, n] of Object.entries(receipt.rejected_by_reason)) metrics.rejected.inc({ reason }, n);
      if (receipt.duplicates > 0) metrics.duplicates.inc(receipt.duplicates);
      metrics.ingestSeconds.observe({ route }, (performance.now() - t0) / 1000);
      return receipt;
    };

    ingest.post('/v1/records', async (req) => {
      const body = await decodedBody(req, maxDecodedBytes);
      const lines: RawLine[] = [];
      const split = new LineSplitter('http', { maxLineBytes: live.engine.cfg.maxLineBytes });
      split.push(body, lines);
      split.end(lines);
      const items = lines.map((raw) => ({ raw, rec: decodeLine(raw, live.decodeContext) }));
      return submit(req, 'records', items);
    });

    // OTLP/HTTP JSON. The answer body is an ExportTraceServiceResponse (strict OTLP clients parse
    // it); the batch receipt's counts travel in the `distillguard-receipt` header.
    ingest.post('/v1/traces', async (req, reply) => {
      const type = String(req.headers['content-type'] ?? '');
      if (!type.startsWith('application/json')) {
        throw new ApiError('unsupported_media_type', `OTLP/HTTP ${type || 'without a content type'} is not supported: configure the exporter for http/json (application/json)`);
      }
      const body = parseJson(await decodedBody(req, maxDecodedBytes));
      let decoded;
      try {
        decoded = decodeOtlpTraces(body);
      } catch (e) {
        if (e instanceof DecodeFailure) throw new ApiError('bad_request', `not an OTLP trace export: ${e.detail}`);
        throw e;
      }
      const r = await submit(req, 'traces', decoded.items);
      reply.header('distillguard-receipt', `batch=${r.batch}; received=${r.received}; accepted=${r.accepted}; duplicates=${r.duplicates}; rejected=${r.rejected}; skipped=${decoded.skipped}`);
      if (r.rejected === 0) return {};
      const first = r.rejections[0];
      return { partialSuccess: { rejectedSpans: String(r.rejected), errorMessage: `${r.rejected} span(s) rejected; first: ${first.reason}: ${first.detail}` } };
    });

    // A source's watermark: `{"ts": <RFC 3339 or epoch ms>}`, nothing older will come. Lets the last
    // records be judged while traffic pauses (docs/serve.md, "The last tick").
    ingest.post('/v1/watermark', async (req) => {
      const body = parseJson(await decodedBody(req, maxDecodedBytes));
      const ts = isObject(body) ? parseStrictTimestamp(body.ts) : undefined;
      if (ts === undefined) throw new ApiError('bad_request', 'expected {"ts": <RFC 3339 timestamp or epoch milliseconds>}');
      // Wall time only guards against a clock gone wrong: a watermark in the future would make every
      // record before it late.
      if (ts > Date.now() + WATERMARK_FUTURE_MS) throw new ApiError('bad_request', `watermark ${toIso(ts)} is in the future`);
      const r = await live.watermark(ts);
      return { batch: r.batch, watermark: toIso(r.watermark), released: r.released };
    });

    // LiteLLM payloads: a JSON array (the generic API logger's batches), one object, or NDJSON.
    ingest.post('/v1/litellm', async (req) => {
      const bytes = await decodedBody(req, maxDecodedBytes);
      let values: unknown[] | undefined;
      try {
        const v: unknown = JSON.parse(bytes.toString('utf8'));
        values = Array.isArray(v) ? v : [v];
      } catch {
        values = undefined; // not one JSON document: NDJSON
      }
      let items: BatchItem[];
      if (values === undefined) {
        const lines: RawLine[] = [];
        const split = new LineSplitter('http', { maxLineBytes: live.engine.cfg.maxLineBytes });
        split.push(bytes, lines);
        split.end(lines);
        items = lines.map((raw) => ({ raw, rec: decodeLine(raw, live.decodeContext) }));
      } else {
        items = values.map((v, i) => {
          const text = JSON.stringify(v) ?? 'null';
          const raw: RawLine = { file: 'http', line: i + 1, text, bytes: Buffer.byteLength(text) };
          if (!isObject(v)) return { raw, rec: rejectLine(raw, 'decode', 'wrong_type', `expected a LiteLLM payload object, got ${jsonType(v)}`) };
          if (!isLiteLLM(v)) return { raw, rec: rejectLine(raw, 'decode', 'unknown_type', 'not a LiteLLM StandardLoggingPayload or SpendLogs row (needs call_type, id or request_id, startTime)') };
          return { raw, rec: decodeLiteLLM(v, raw) };
        });
      }
      return submit(req, 'litellm', items);
    });
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    ingestStart?: number;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ApiError('bad_request', `the body is not JSON: ${(e as Error).message}`);
  }
}

/** The request body as bytes, gunzipped when Content-Encoding says gzip (bounded: a zip bomb is a 413). */
export async function decodedBody(req: FastifyRequest, maxBytes: number): Promise<Buffer> {
  const body = req.body;
  if (!Buffer.isBuffer(body)) throw new ApiError('bad_request', 'a request body is required');
  const enc = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'x-gzip') throw new ApiError('unsupported_media_type', `Content-Encoding ${JSON.stringify(enc)} is not supported; send gzip or none`);
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ApiError('body_too_large', `the body is over ${maxBytes} bytes once decompressed`);
    throw new ApiError('bad_encoding', `the body is not valid gzip: ${(e as Error).message}`);
  }
}
