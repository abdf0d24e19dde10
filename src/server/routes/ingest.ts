// Ingest routes (role `ingest`): native NDJSON (LiteLLM lines auto-detected), OTLP/HTTP JSON traces,
// LiteLLM payload lists. Each request is one batch: answered once durable, with counts by outcome.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isObject } from '../../decode/check.js';
import { decodeLine, parseStrictTimestamp } from '../../decode/index.js';
import { toIso } from '../../core/time.js';
import { LineSplitter, type RawLine } from '../../sources/file.js';
import { parseJsonDocument } from '../json-body.js';
import { ApiError } from '../errors.js';
import { IngestGate, tooManyRecords } from '../limits.js';
import { IdempotencyKeys } from '../idempotency.js';
import { type BatchItem, type BatchReceipt, DEFAULT_SOURCE } from '../live.js';
import { refuseWhenBehind as refuseBehind, submitBatch } from '../submit.js';
import { registerOtlpRoutes } from './otlp.js';
import { liveOtlpSink } from '../otlp-export.js';
import { liteLLMDocumentItems } from '../litellm-items.js';
import { decodeOnPool } from '../pooled-decode.js';
import { RecordCounter, recordsUpTo } from '../record-count.js';
import { IngestTimeline } from '../ingest-timeline.js';
import { SharedBodyPool, sharedBodyParser } from '../shared-body.js';

const WATERMARK_FUTURE_MS = 60_000;
/** Bodies are split into lines in slices of this many bytes, and decoded in slices of this many lines, yielding between. */
const SPLIT_SLICE = 256 << 10;
const DECODE_SLICE = 500;
/** Inflated bytes per chunk of a gzipped body: each is one turn of the main thread (zlib's default, 16 KiB, made a 13 MB bomb 800). */
const GUNZIP_CHUNK = 256 << 10;

/** Media types each ingest route takes (parameters other than charset=utf-8 are ignored). */
const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json'];
const JSON_TYPES = ['application/json'];
/** Routes whose NDJSON bodies go to the decode workers (read into shared memory). */
const POOLED_ROUTES = new Set(['/v1/records', '/v1/litellm']);

export function registerIngestRoutes(app: FastifyInstance): void {
  const { live, metrics, requireRole, maxDecodedBytes, bodyLimit, limits, decoder } = app.distillguard;
  const gate = new IngestGate(limits.maxConcurrentIngest);
  const maxLineBytes = live.engine.cfg.maxLineBytes;
  const decodeCtx = { ...live.decodeContext, maxDepth: limits.maxDepth };
  let decoderFailed = false;
  /** Shared buffers for the bodies of POOLED_ROUTES, used again (given back by /v1/records once its batch is taken). */
  const bodies = new SharedBodyPool();
  /**
   * NDJSON body → decoded items; over maxBatchRecords is a 413 before any line is made (counted without
   * allocating). Splitting and decoding yield to the event loop between slices, so a large batch never
   * holds /healthz, decisions on the main port or other requests for long.
   */
  const ndjsonItems = async (body: Buffer, tl?: IngestTimeline, decoded?: { onPool: boolean }): Promise<BatchItem[]> => {
    const n = recordsUpTo(body, limits.maxBatchRecords + 1, maxLineBytes);
    if (n > limits.maxBatchRecords) tooMany(`more than ${limits.maxBatchRecords}`);
    if (decoder !== undefined && !decoderFailed) {
      try {
        const items = await decodeOnPool(body, decoder, maxLineBytes, tl);
        if (decoded !== undefined) decoded.onPool = true;
        return items;
      } catch (e) {
        // A dead worker must not stop ingest: decode here from now on (the same items, slower).
        decoderFailed = true;
        app.log.error({ err: e }, 'decode workers failed; ingest decodes on the main thread from now on');
      }
    }
    tl?.mark('count');
    const lines: RawLine[] = [];
    const split = new LineSplitter('http', { maxLineBytes });
    for (let off = 0; off < body.length; off += SPLIT_SLICE) {
      if (off > 0) await yieldToLoop();
      split.push(body.subarray(off, Math.min(body.length, off + SPLIT_SLICE)), lines);
    }
    split.end(lines);
    const items: BatchItem[] = new Array<BatchItem>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      if (i > 0 && i % DECODE_SLICE === 0) await yieldToLoop();
      items[i] = { raw: lines[i], rec: decodeLine(lines[i], decodeCtx) };
    }
    tl?.mark('decode');
    return items;
  };
  const tooMany = (n: string): never => {
    metrics.refused.inc({ code: 'too_many_records' });
    throw tooManyRecords(n, limits.maxBatchRecords);
  };
  const liteLLMItems = (bytes: Buffer): Promise<BatchItem[] | undefined> => liteLLMDocumentItems(bytes, { maxDepth: limits.maxDepth, maxBatchRecords: limits.maxBatchRecords, maxLineBytes }, tooMany);
  /** A JSON document body: valid UTF-8, nested at most maxDepth deep (checked before anything walks it). */
  const jsonDocument = (bytes: Buffer): unknown => parseJsonDocument(bytes, limits.maxDepth);
  void app.register(async (ingest) => {
    // Bodies arrive as bytes (NDJSON, gzip); each route decodes its own format.
    ingest.removeAllContentTypeParsers();
    // NDJSON for the decode workers is read into shared memory, which they read without a copy here.
    const shared = sharedBodyParser(bodyLimit, (req) => decoder !== undefined && POOLED_ROUTES.has(req.routeOptions.url ?? ''), bodies);
    ingest.addContentTypeParser('*', { bodyLimit }, shared);
    ingest.addHook('onRequest', requireRole('ingest'));
    // Checked before the body is read (cheap refusal) and again in submitBatch.
    const refuseWhenBehind = (): void => refuseBehind(app.distillguard);
    ingest.addHook('onRequest', async (req) => {
      refuseWhenBehind();
      gate.enter(); // bounds the bodies held and decoded at once
      req.ingestGate = true;
      req.ingestStart = performance.now();
      req.ingestTimeline = new IngestTimeline(() => live.engineMs, req.ingestStart);
    });
    ingest.addHook('onResponse', async (req, reply) => {
      if (req.ingestGate === true) gate.leave();
      req.ingestGate = false;
      // Batches taken (their stages marked through `durable`); refusals and errors are not a timeline.
      const tl = req.ingestTimeline;
      if (tl !== undefined && reply.statusCode === 200 && tl.stages.length > 0) {
        tl.mark('answer');
        metrics.observeTimeline(tl);
      }
    });
    ingest.addHook('onRequestAbort', async (req) => {
      if (req.ingestGate === true) gate.leave();
      req.ingestGate = false;
    });
    ingest.addHook('onError', async (_req, _reply, err) => {
      if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') metrics.refused.inc({ code: 'body_too_large' });
    });

    const submit = (req: FastifyRequest, route: string, items: BatchItem[]): Promise<BatchReceipt> => {
      const source = sourceOf(req);
      if (!live.admitsSource(source)) throw new ApiError('bad_request', `too many sources are being tracked to start another (${JSON.stringify(source)}); reuse your source ids`);
      const header = req.headers['idempotency-key'];
      const idem =
        typeof header === 'string'
          ? { key: `${req.principal?.id ?? ''}\u0000${IdempotencyKeys.check(header)}`, hash: IdempotencyKeys.digest(req.body as Buffer) }
          : undefined;
      return submitBatch(app.distillguard, req.log, route, items, req.ingestStart ?? performance.now(), { source, idem, timeline: req.ingestTimeline });
    };

    ingest.post('/v1/records', async (req) => {
      req.ingestTimeline?.mark('read');
      requireType(req, NDJSON_TYPES, 'NDJSON');
      // A gzipped body is counted as it is inflated: one over the record bound is refused there.
      const counter = new RecordCounter(maxLineBytes, limits.maxBatchRecords + 1);
      const body = await decodedBody(req, maxDecodedBytes, (piece) => {
        if (counter.push(piece).full) tooMany(`more than ${limits.maxBatchRecords}`);
      });
      // Decoded on the workers, the items refer to the lines they sent back, not to the body: once the
      // batch is taken (its idempotency hash is of the body), the body's shared buffer is used again.
      // Decoded here (a worker failed), lines may be views of the body: it is left to the GC.
      const decoded = { onPool: false };
      const receipt = await submit(req, 'records', await ndjsonItems(body, req.ingestTimeline, decoded));
      if (decoded.onPool) bodies.giveBack(req.body);
      return receipt;
    });

    registerOtlpRoutes(ingest, liveOtlpSink(app.distillguard));

    // A source's watermark: `{"ts": <RFC 3339 or epoch ms>}`, nothing older will come. Lets the last
    // records be judged while traffic pauses (docs/serve.md, "The last tick").
    ingest.post('/v1/watermark', async (req) => {
      requireType(req, JSON_TYPES, 'JSON');
      const body = jsonDocument(await decodedBody(req, maxDecodedBytes));
      const ts = isObject(body) ? parseStrictTimestamp(body.ts) : undefined;
      if (ts === undefined) throw new ApiError('bad_request', 'expected {"ts": <RFC 3339 timestamp or epoch milliseconds>}');
      // Wall time only guards against a clock gone wrong: a watermark in the future would make every
      // record before it late.
      if (ts > Date.now() + WATERMARK_FUTURE_MS) throw new ApiError('bad_request', `watermark ${toIso(ts)} is in the future`);
      const r = await live.watermark(ts, sourceOf(req));
      return { batch: r.batch, watermark: toIso(r.watermark), released: r.released, released_through: toIso(r.releasedThrough) };
    });

    // LiteLLM payloads: a JSON array (the generic API logger's batches), one object, or NDJSON.
    ingest.post('/v1/litellm', async (req) => {
      const tl = req.ingestTimeline;
      tl?.mark('read');
      requireType(req, NDJSON_TYPES, 'JSON or NDJSON');
      const bytes = await decodedBody(req, maxDecodedBytes);
      let items = await liteLLMItems(bytes);
      if (items !== undefined) tl?.mark('decode');
      else items = await ndjsonItems(bytes, tl); // else NDJSON, or invalid UTF-8: judged line by line
      return submit(req, 'litellm', items);
    });
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    ingestStart?: number;
    /** Where this ingest request's time goes, stage by stage (metrics: distillguard_ingest_stage_seconds). */
    ingestTimeline?: IngestTimeline;
    /** This request holds a place at the ingest gate (released once, on response or abort). */
    ingestGate?: boolean;
  }
}

const SOURCE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The event-time source a batch belongs to: the ingest key, or a source it names in
 * `Distillguard-Source` (one key shared by a fleet of gateways, each with its own clock).
 */
function sourceOf(req: FastifyRequest): string {
  const key = req.principal?.id ?? DEFAULT_SOURCE;
  const named = req.headers['distillguard-source'];
  if (named === undefined) return key;
  if (typeof named !== 'string' || !SOURCE_ID.test(named)) throw new ApiError('bad_request', 'Distillguard-Source must be 1 to 64 characters of A-Z a-z 0-9 . _ : -');
  return `${key}/${named}`;
}

/** 415 unless the Content-Type is one of `types` (charset, when given, must be UTF-8). */
function requireType(req: FastifyRequest, types: readonly string[], what: string): void {
  const header = String(req.headers['content-type'] ?? '');
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  if (types.includes(type) && (charset === undefined || charset === 'utf-8' || charset === 'utf8')) return;
  throw new ApiError('unsupported_media_type', `${req.routeOptions.url ?? 'this route'} takes ${what} (${types.join(', ')}; UTF-8), not ${header === '' ? 'a body without a Content-Type' : JSON.stringify(header)}`);
}

/** Spans in an OTLP export, counted before decoding (a batch over the record limit is refused whole). */
export function spanCount(body: unknown): number {
  if (!isObject(body) || !Array.isArray(body.resourceSpans)) return 0;
  let n = 0;
  for (const rs of body.resourceSpans) {
    if (!isObject(rs) || !Array.isArray(rs.scopeSpans)) continue;
    for (const ss of rs.scopeSpans) if (isObject(ss) && Array.isArray(ss.spans)) n += ss.spans.length;
  }
  return n;
}

/**
 * The request body as bytes, gunzipped when Content-Encoding says gzip (bounded: a zip bomb is a 413).
 * `onChunk` sees each inflated piece as it comes and may refuse the body by throwing: the rest is then
 * never inflated.
 */
export async function decodedBody(req: FastifyRequest, maxBytes: number, onChunk?: (piece: Buffer) => void): Promise<Buffer> {
  const body = req.body;
  if (!Buffer.isBuffer(body)) throw new ApiError('bad_request', 'a request body is required');
  const enc = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'x-gzip') throw new ApiError('unsupported_media_type', `Content-Encoding ${JSON.stringify(enc)} is not supported; send gzip or none`);
  return gunzipBounded(body, maxBytes, onChunk);
}

function gunzipBounded(body: Buffer, maxBytes: number, onChunk?: (piece: Buffer) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = createGunzip({ chunkSize: GUNZIP_CHUNK });
    const pieces: Buffer[] = [];
    let total = 0;
    const refuse = (e: unknown): void => {
      z.removeAllListeners('data');
      z.destroy();
      reject(e);
    };
    z.on('data', (piece: Buffer) => {
      total += piece.length;
      if (total > maxBytes) return refuse(new ApiError('body_too_large', `the body is over ${maxBytes} bytes once decompressed`));
      pieces.push(piece);
      try {
        onChunk?.(piece);
      } catch (e) {
        refuse(e);
      }
    });
    z.on('end', () => resolve(Buffer.concat(pieces, total)));
    z.on('error', (e) => reject(new ApiError('bad_encoding', `the body is not valid gzip: ${e.message}`)));
    z.end(body);
  });
}
