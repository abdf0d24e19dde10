// A LiteLLM JSON document (the generic API logger's batches: an array of payloads, or one payload) as
// batch items, for serve's and serve --cluster's `POST /v1/litellm`.
import { isUtf8 } from 'node:buffer';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { isObject, jsonType } from '../decode/check.js';
import { rejectLine } from '../decode/index.js';
import { decodeLiteLLM, isLiteLLM } from '../decode/litellm.js';
import { cutRaw } from '../core/rejections.js';
import type { RawLine } from '../sources/file.js';
import { ApiError } from './errors.js';
import { scanDocument } from './json-items.js';
import type { BatchItem } from './live.js';

/** Payloads decoded between two turns of the event loop. */
const DECODE_SLICE = 500;

export interface DocumentBounds {
  maxDepth: number;
  maxBatchRecords: number;
  maxLineBytes: number;
}

/**
 * The document's payloads, item by item, or undefined when the body is not one JSON document (the
 * caller then reads it as NDJSON). Found by a sliced scan (json-items.ts), not a JSON.parse of the
 * whole body; an item over the size limit as sent is rejected unparsed, as an over-long NDJSON line
 * is. More than `maxBatchRecords` payloads: `tooMany(count)` (it throws).
 */
export async function liteLLMDocumentItems(bytes: Buffer, b: DocumentBounds, tooMany: (n: string) => never): Promise<BatchItem[] | undefined> {
  if (!isUtf8(bytes)) return undefined;
  // The array wraps each payload one level deeper.
  const scan = await scanDocument(bytes, b.maxDepth + 1);
  if (scan.kind === 'too_deep') throw new ApiError('bad_request', `the body nests objects and arrays deeper than ${b.maxDepth} levels`);
  if (scan.kind === 'other') return undefined;
  if (scan.spans.length > b.maxBatchRecords) tooMany(String(scan.spans.length));
  const items: BatchItem[] = new Array<BatchItem>(scan.spans.length);
  for (let i = 0; i < scan.spans.length; i++) {
    if (i > 0 && i % DECODE_SLICE === 0) await yieldToLoop();
    const [start, end] = scan.spans[i];
    if (end - start > b.maxLineBytes) {
      // Only its head becomes text (an excerpt: a character cut at its end is replaced).
      const head: RawLine = { file: 'http', line: i + 1, text: cutRaw(bytes.toString('utf8', start, Math.min(end, start + 2048))), bytes: end - start, tooLarge: true };
      items[i] = { raw: head, rec: rejectLine(head, 'source', 'too_large', `payload is ${end - start} bytes, over the size limit`) };
      continue;
    }
    let v: unknown;
    try {
      v = JSON.parse(bytes.toString('utf8', start, end));
    } catch {
      return undefined; // not JSON after all
    }
    const itemText = JSON.stringify(v) ?? 'null';
    const raw: RawLine = { file: 'http', line: i + 1, text: itemText, bytes: Buffer.byteLength(itemText) };
    if (!isObject(v)) items[i] = { raw, rec: rejectLine(raw, 'decode', 'wrong_type', `expected a LiteLLM payload object, got ${jsonType(v)}`) };
    else if (!isLiteLLM(v)) items[i] = { raw, rec: rejectLine(raw, 'decode', 'unknown_type', 'not a LiteLLM StandardLoggingPayload or SpendLogs row (needs call_type, id or request_id, startTime)') };
    else items[i] = { raw, rec: decodeLiteLLM(v, raw) };
  }
  return items;
}
