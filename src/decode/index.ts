// decode: one raw line → a canonical record, or a typed rejection naming the field at fault.
import type { CanonicalRecord } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';
import type { RawLine } from '../sources/file.js';
import { decodeAccount } from './account.js';
import { DecodeFailure, isObject, jsonType } from './check.js';
import { decodeExchange } from './native.js';
import { decodeLiteLLM, isLiteLLM } from './litellm.js';
import { rejectLine } from './reject.js';
import { MAX_DEPTH, nestedDeeper } from './depth.js';

export interface DecodeContext {
  /** HMAC-SHA-256 key for e-mail hashes (keep it secret and stable: hashes are join keys). */
  emailKey: Buffer;
  /** Deepest nesting of objects and arrays accepted (default MAX_DEPTH, 64, in `scan` and `serve`). */
  maxDepth?: number;
  /** Community-keyed hashes of a raw e-mail (`keyId:hex`), when sharing is configured. */
  shareEmail?: (address: string) => string[];
}

export function isRejection(x: CanonicalRecord | Rejection): x is Rejection {
  return (x as Partial<CanonicalRecord>).kind === undefined;
}

/** Decode one line of the native NDJSON format. Never throws on bad input. */
export function decodeLine(raw: RawLine, ctx: DecodeContext): CanonicalRecord | Rejection {
  if (raw.tooLarge === true) {
    return rejectLine(raw, 'source', 'too_large', `line is ${raw.bytes} bytes, over the size limit`);
  }
  const text = raw.text;
  if (text.includes('\uFFFD') && raw.badUtf8 === true) {
    return rejectLine(raw, 'source', 'invalid_utf8', 'the line is not valid UTF-8 (its bytes cannot be read as text without changing them)');
  }
  // A record nested deeper than any real one is refused before it is parsed, in scan as in serve: the
  // same line must not be accepted by one and rejected by the other.
  const maxDepth = ctx.maxDepth ?? MAX_DEPTH;
  if (nestedDeeper(text, maxDepth)) {
    return rejectLine(raw, 'decode', 'too_deep', `objects and arrays nested deeper than ${maxDepth} levels`);
  }
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return rejectLine(raw, 'decode', 'invalid_json', `not valid JSON: ${msg.length > 200 ? `${msg.slice(0, 200)}…` : msg}`);
  }
  if (!isObject(o)) return rejectLine(raw, 'decode', 'invalid_json', `expected a JSON object, got ${jsonType(o)}`);
  if (isLiteLLM(o)) return decodeLiteLLM(o, raw); // LiteLLM log lines are recognised, no flag needed
  try {
    const type = o.type;
    if (type === 'exchange') return decodeExchange(o);
    if (type === 'account') return decodeAccount(o, ctx.emailKey, ctx.shareEmail);
    if (type === undefined || type === null) return rejectLine(raw, 'decode', 'missing_field', 'type: required field is missing');
    if (typeof type !== 'string') return rejectLine(raw, 'decode', 'wrong_type', `type: expected string, got ${jsonType(type)}`);
    const shown = type.length > 40 ? `${type.slice(0, 40)}…` : type;
    return rejectLine(raw, 'decode', 'unknown_type', `type: ${JSON.stringify(shown)} is neither "exchange" nor "account"`);
  } catch (err) {
    if (err instanceof DecodeFailure) return rejectLine(raw, 'decode', err.code, err.detail);
    throw err;
  }
}

export type { BodyFacts } from './body.js';
export { decodeAccount, PLANS, VERIFICATIONS } from './account.js';
export { decodeExchange } from './native.js';
export { emailPattern, normalizeEmail, hashEmail } from './email.js';
export { parseStrictTimestamp } from './timestamp.js';
export { redactEmails, rejectLine } from './reject.js';
