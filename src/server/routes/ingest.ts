// Ingest routes (role `ingest`): native NDJSON (LiteLLM lines auto-detected), OTLP/HTTP JSON traces,
// LiteLLM payload lists. Each request is one batch: answered once durable, with counts by outcome.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeLine } from '../../decode/index.js';
import { LineSplitter, type RawLine } from '../../sources/file.js';
import { ApiError } from '../errors.js';
import type { BatchItem, BatchReceipt } from '../live.js';

const gunzipAsync = promisify(gunzip);

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
      if (!live.overloaded) return;
      metrics.refused.inc({ code: 'overloaded' });
      throw new ApiError('overloaded', `the engine is ${live.counts.backlog} records behind; retry later`, { 'retry-after': '1' });
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
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    ingestStart?: number;
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
