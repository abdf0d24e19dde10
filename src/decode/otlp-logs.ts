// OTLP logs (ExportLogsServiceRequest) → exchanges, for instrumentations that emit the GenAI events
// as log records instead of span events: `gen_ai.{system,user,assistant,tool}.message` and
// `gen_ai.choice` (conventions v1.28-v1.36, the content in the record's body), or the newest single
// `gen_ai.client.inference.operation.details` event (the call's attributes, `gen_ai.input.messages`
// included). The event name is the record's `event_name` (OTLP 1.5) or its `event.name` attribute.
//
// The records of one call share a span context: they are grouped by (traceId, spanId) within the
// request and read as one span whose events are the records (body fields become event attributes)
// and whose attributes are the records' attributes, so the mapping is the span mapping (one set of
// rules) and the exchange id is the span's: a call exported both as a span with content and as log
// records is counted once (the second arrival is a duplicate). A record without a span context is
// a call of its own, its id a digest of the record (a re-sent record is a duplicate).
import { createHash } from 'node:crypto';
import { fail, type JsonObject, isObject } from './check.js';
import { attrs, decodeSpanItem, type OtlpDecoded, type OtlpItem } from './otlp.js';

const GENAI_EVENT = /^gen_ai\.((system|user|assistant|tool)\.message|choice|client\.inference\.operation\.details|content\.(prompt|completion))$/;

interface Call {
  traceId: string;
  spanId: string;
  start: bigint | null;
  attributes: unknown[];
  events: JsonObject[];
  line: number;
}

/** Decodes one ExportLogsServiceRequest (already parsed). Throws DecodeFailure if its shape is wrong. */
export function decodeOtlpLogs(body: unknown, file = 'otlp-logs'): OtlpDecoded {
  if (!isObject(body) || !Array.isArray(body.resourceLogs)) fail('wrong_type', 'resourceLogs', 'expected an OTLP ExportLogsServiceRequest with a resourceLogs array');
  const items: OtlpItem[] = [];
  let skipped = 0;
  let n = 0;
  for (const rl of body.resourceLogs) {
    if (!isObject(rl)) continue;
    const resource = attrs(isObject(rl.resource) ? rl.resource.attributes : undefined);
    const calls = new Map<string, Call>();
    for (const sl of Array.isArray(rl.scopeLogs) ? rl.scopeLogs : []) {
      if (!isObject(sl) || !Array.isArray(sl.logRecords)) continue;
      for (const rec of sl.logRecords) {
        n++;
        const name = isObject(rec) ? eventName(rec) : undefined;
        if (!isObject(rec) || name === undefined || !GENAI_EVENT.test(name)) {
          skipped++;
          continue;
        }
        const traceId = typeof rec.traceId === 'string' ? rec.traceId : '';
        const spanId = typeof rec.spanId === 'string' && rec.spanId !== '' ? rec.spanId : `log${digest(rec)}`;
        const key = `${traceId}/${spanId}`;
        let call = calls.get(key);
        if (!call) calls.set(key, (call = { traceId, spanId, start: null, attributes: [], events: [], line: n }));
        const own = (Array.isArray(rec.attributes) ? rec.attributes : []).filter((kv) => !(isObject(kv) && kv.key === 'event.name'));
        call.attributes.push(...own);
        call.events.push({ name, attributes: [...own, ...bodyAttributes(rec.body)] });
        const t = nanos(rec.timeUnixNano) ?? nanos(rec.observedTimeUnixNano);
        if (t !== null && (call.start === null || t < call.start)) call.start = t;
      }
    }
    for (const c of calls.values()) {
      const span: JsonObject = { traceId: c.traceId, spanId: c.spanId, startTimeUnixNano: c.start === null ? undefined : String(c.start), attributes: c.attributes, events: c.events };
      // A group of events is an inference call even if the records carry no gen_ai.* attribute of the span's.
      if (!c.attributes.some((kv) => isObject(kv) && (kv.key === 'gen_ai.operation.name' || kv.key === 'gen_ai.request.model'))) {
        (span.attributes as unknown[]).push({ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } });
      }
      const item = decodeSpanItem(span, resource, file, c.line);
      if (item) items.push(item);
      else skipped += c.events.length;
    }
  }
  return { items, skipped };
}

function eventName(rec: JsonObject): string | undefined {
  if (typeof rec.eventName === 'string' && rec.eventName !== '') return rec.eventName;
  for (const kv of Array.isArray(rec.attributes) ? rec.attributes : []) {
    if (isObject(kv) && kv.key === 'event.name' && isObject(kv.value) && typeof kv.value.stringValue === 'string') return kv.value.stringValue;
  }
  return undefined;
}

/** The body's fields as event attributes: a map body gives its keys, any other body is `content`. */
function bodyAttributes(body: unknown): unknown[] {
  if (!isObject(body)) return [];
  if (isObject(body.kvlistValue)) return Array.isArray(body.kvlistValue.values) ? body.kvlistValue.values : [];
  return [{ key: 'content', value: body }];
}

function nanos(v: unknown): bigint | null {
  if (typeof v === 'string' && /^\d{1,20}$/.test(v) && v !== '0') return BigInt(v);
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return BigInt(Math.round(v));
  return null;
}

function digest(rec: JsonObject): string {
  return createHash('sha256').update(JSON.stringify(rec)).digest('hex').slice(0, 16);
}
