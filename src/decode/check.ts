// Hand-written field readers for decoded JSON. Each either returns the value or throws a
// DecodeFailure naming the field; decodeLine turns that into a Rejection.
//
// Why not zod per record: on already-parsed exchanges, decodeExchange (these checks + building the
// record) runs at ~500-600 k/s, while a zod v4 schema doing the same checks (validation only, no
// record, no mapping of issues to reject codes) runs at ~120-170 k/s
// (test/contract/bench/input-bench.ts). JSON.parse is the hot path's main cost either way.
//
// Conventions, shared by every field of the contract:
// - `null` is treated as absent (common in exported logs); for a required field that is `missing_field`.
// - An empty string in an optional string field is treated as absent: an empty payment fingerprint or
//   IP must not link every account that lacks one. A required id that is empty is `wrong_type`.
import type { Millis } from '../core/records.js';
import type { RejectCode } from '../core/rejections.js';
import { parseStrictTimestamp } from './timestamp.js';

export type JsonObject = Record<string, unknown>;

/** A field-level failure; cheap to throw (not an Error: no stack trace is captured). */
export class DecodeFailure {
  constructor(
    readonly code: RejectCode,
    /** Dotted path of the offending field, e.g. `request.n`; '' for the whole line. */
    readonly field: string,
    readonly problem: string,
  ) {}

  get detail(): string {
    return this.field === '' ? this.problem : `${this.field}: ${this.problem}`;
  }
}

export function fail(code: RejectCode, field: string, problem: string): never {
  throw new DecodeFailure(code, field, problem);
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Short description of a JSON value's type for messages (never the value itself: it may be private). */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function wrong(prefix: string, key: string, expected: string, v: unknown): never {
  return fail('wrong_type', prefix + key, `expected ${expected}, got ${jsonType(v)}`);
}

export function reqString(o: JsonObject, key: string, prefix = ''): string {
  const v = o[key];
  if (typeof v === 'string') {
    if (v.length === 0) fail('wrong_type', prefix + key, 'expected a non-empty string, got an empty string');
    return v;
  }
  if (v === undefined || v === null) fail('missing_field', prefix + key, 'required field is missing');
  return wrong(prefix, key, 'string', v);
}

export function optString(o: JsonObject, key: string, prefix = ''): string | undefined {
  const v = o[key];
  if (typeof v === 'string') return v.length === 0 ? undefined : v;
  if (v === undefined || v === null) return undefined;
  return wrong(prefix, key, 'string', v);
}

/** Largest integer a client may send for a count (tokens, budgets): 2^31 - 1, as the model APIs take. */
export const INT32_MAX = 2147483647;

/** Optional integer in [min, max]; the message states the range and the number sent (numbers are not private). */
export function optInt(o: JsonObject, key: string, prefix = '', min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = o[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max) return v;
  if (v === undefined || v === null) return undefined;
  const range = max === Number.MAX_SAFE_INTEGER ? `integer in ${min}..2^53-1` : `integer in ${min}..${max}`;
  if (typeof v === 'number') fail('wrong_type', prefix + key, `expected ${range}, got ${v}`);
  return wrong(prefix, key, range, v);
}

/** Optional finite number in [min, max]. */
export function optNumber(o: JsonObject, key: string, prefix = '', min = -Number.MAX_VALUE, max = Number.MAX_VALUE): number | undefined {
  const v = o[key];
  if (typeof v === 'number' && v >= min && v <= max) return v;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') fail('wrong_type', prefix + key, `expected a number in ${min}..${max}, got ${v}`);
  return wrong(prefix, key, 'number', v);
}

export function optBool(o: JsonObject, key: string, prefix = ''): boolean | undefined {
  const v = o[key];
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return undefined;
  return wrong(prefix, key, 'boolean', v);
}

export function optObject(o: JsonObject, key: string, prefix = ''): JsonObject | undefined {
  const v = o[key];
  if (isObject(v)) return v;
  if (v === undefined || v === null) return undefined;
  return wrong(prefix, key, 'object', v);
}

export function optArray(o: JsonObject, key: string, prefix = ''): unknown[] | undefined {
  const v = o[key];
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return undefined;
  return wrong(prefix, key, 'array', v);
}

export function optEnum<T extends string>(o: JsonObject, key: string, values: readonly T[], prefix = ''): T | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  if (typeof v === 'string') fail('wrong_type', prefix + key, `expected one of ${values.join(', ')}`);
  return wrong(prefix, key, `one of ${values.join(', ')}`, v);
}

const ALPHA2 = /^[A-Za-z]{2}$/;

/** Optional ISO 3166 alpha-2 country code, returned upper-case. */
export function optCountry(o: JsonObject, key: string, prefix = ''): string | undefined {
  const v = optString(o, key, prefix);
  if (v === undefined) return undefined;
  if (!ALPHA2.test(v)) fail('wrong_type', prefix + key, 'expected an ISO 3166 alpha-2 country code');
  return v.toUpperCase();
}

const TS_PROBLEM = 'expected an RFC 3339 timestamp or integer epoch milliseconds, in 2000..2100';

function timestamp(v: unknown, key: string, prefix: string): Millis {
  if (typeof v !== 'string' && typeof v !== 'number') return wrong(prefix, key, 'timestamp (string or integer)', v);
  const ms = parseStrictTimestamp(v);
  if (ms === undefined) fail('bad_timestamp', prefix + key, TS_PROBLEM);
  return ms;
}

export function reqTimestamp(o: JsonObject, key: string, prefix = ''): Millis {
  const v = o[key];
  if (v === undefined || v === null) fail('missing_field', prefix + key, 'required field is missing');
  return timestamp(v, key, prefix);
}

export function optTimestamp(o: JsonObject, key: string, prefix = ''): Millis | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  return timestamp(v, key, prefix);
}
