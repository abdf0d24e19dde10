// OTLP/HTTP JSON traces (ExportTraceServiceRequest) → exchanges, one per GenAI inference span,
// mapped from the OpenTelemetry GenAI semantic conventions. Both generations are read:
//  - v1.36 and earlier: `gen_ai.system`, `gen_ai.usage.prompt_tokens`/`completion_tokens` (older)
//    or `input_tokens`/`output_tokens`, message content in span events `gen_ai.system.message`,
//    `gen_ai.user.message`, `gen_ai.assistant.message`, `gen_ai.tool.message` (attribute `content`),
//    or OpenLLMetry's indexed `gen_ai.prompt.<i>.role` / `.content` attributes;
//  - the development conventions after v1.36: `gen_ai.provider.name`, `gen_ai.input.messages` and
//    `gen_ai.system_instructions` (JSON: `[{role, parts: [{type: "text", content}]}]`),
//    `gen_ai.tool.definitions`.
// Common to both: `gen_ai.request.model`, `.max_tokens`, `.temperature`, `.top_p`, `.choice.count`,
// `gen_ai.response.finish_reasons`, `gen_ai.conversation.id`. Identity and client facts come from
// attributes the gateway sets (span first, then resource): `distillguard.account_id`, `user.id`,
// `enduser.id`; `distillguard.key_id`; `client.address`; `user_agent.original`. See docs/serve.md.
//
// The span becomes a native exchange record decoded by the native decoder (one set of field rules).
// Spans that are not GenAI inference (HTTP server spans, tool executions, embeddings) are skipped and
// counted as such, not rejected: they are not records.
import type { CanonicalRecord } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';
import type { RawLine } from '../sources/file.js';
import { DecodeFailure, fail, type JsonObject, isObject, jsonType } from './check.js';
import { decodeExchange } from './native.js';
import { rejectLine } from './reject.js';

type AttrValue = string | number | boolean | AttrValue[] | { [k: string]: AttrValue } | null;
export type Attrs = Map<string, AttrValue>;

/** Operations that are one model inference (chat, messages, completion). */
const INFERENCE_OPS = new Set(['chat', 'text_completion', 'generate_content', 'completion']);

export interface OtlpItem {
  raw: RawLine;
  rec: CanonicalRecord | Rejection;
}

export interface OtlpDecoded {
  items: OtlpItem[];
  /** Spans that are not GenAI inference spans. */
  skipped: number;
}

/**
 * Decodes one ExportTraceServiceRequest (already JSON-parsed). Throws DecodeFailure if it is not one.
 * A malformed element inside (a resourceSpans, scopeSpans or span entry that is not an object, spans
 * or attributes that are not arrays, a span over `maxItemBytes`) is a rejected item with its path,
 * so the receipt says what was wrong instead of skipping it silently.
 */
export function decodeOtlpTraces(body: unknown, file = 'otlp', maxItemBytes = Infinity): OtlpDecoded {
  if (!isObject(body) || !Array.isArray(body.resourceSpans)) fail('wrong_type', 'resourceSpans', 'expected an OTLP ExportTraceServiceRequest with a resourceSpans array');
  const items: OtlpItem[] = [];
  let skipped = 0;
  let n = 0;
  const bad = (path: string, problem: string, v: unknown, code: 'wrong_type' | 'too_large' = 'wrong_type'): void => {
    const text = JSON.stringify(v) ?? String(v);
    const raw: RawLine = { file, line: ++n, text, bytes: Buffer.byteLength(text) };
    items.push({ raw, rec: rejectLine(raw, 'decode', code, `otlp ${path}: ${problem}`) });
  };
  const notArray = (v: unknown): boolean => v !== undefined && v !== null && !Array.isArray(v);
  body.resourceSpans.forEach((rs: unknown, i: number) => {
    const at = `resourceSpans[${i}]`;
    if (!isObject(rs)) return bad(at, `expected an object, got ${jsonType(rs)}`, rs);
    const ra = isObject(rs.resource) ? rs.resource.attributes : undefined;
    if (notArray(ra)) return bad(`${at}.resource.attributes`, `expected an array of key-value pairs, got ${jsonType(ra)}`, ra);
    if (notArray(rs.scopeSpans)) return bad(`${at}.scopeSpans`, `expected an array, got ${jsonType(rs.scopeSpans)}`, rs.scopeSpans);
    const resource = attrs(ra);
    ((rs.scopeSpans ?? []) as unknown[]).forEach((ss, j) => {
      const sat = `${at}.scopeSpans[${j}]`;
      if (!isObject(ss)) return bad(sat, `expected an object, got ${jsonType(ss)}`, ss);
      if (notArray(ss.spans)) return bad(`${sat}.spans`, `expected an array, got ${jsonType(ss.spans)}`, ss.spans);
      ((ss.spans ?? []) as unknown[]).forEach((span, k) => {
        const pat = `${sat}.spans[${k}]`;
        if (!isObject(span)) return bad(pat, `expected a span object, got ${jsonType(span)}`, span);
        if (notArray(span.attributes)) return bad(`${pat}.attributes`, `expected an array of key-value pairs, got ${jsonType(span.attributes)}`, span);
        if (maxItemBytes !== Infinity) {
          const size = Buffer.byteLength(JSON.stringify(span));
          if (size > maxItemBytes) return bad(pat, `span is ${size} bytes, over the size limit`, span, 'too_large');
        }
        const item = decodeSpanItem(span, resource, file, ++n);
        if (item) items.push(item);
        else skipped++;
      });
    });
  });
  return { items, skipped };
}

/** One span (or a span built from log records) → its item, or undefined when it is not an inference span. */
export function decodeSpanItem(span: JsonObject, resource: Attrs, file: string, line: number): OtlpItem | undefined {
  const a = attrs(span.attributes);
  if (!isInference(a)) return undefined;
  const raw: RawLine = { file, line, text: '', bytes: 0 };
  return { raw, rec: decodeSpan(span, a, resource, raw) };
}

function isInference(a: Attrs): boolean {
  const op = a.get('gen_ai.operation.name');
  if (typeof op === 'string') return INFERENCE_OPS.has(op);
  return a.has('gen_ai.system') || a.has('gen_ai.provider.name') || a.has('gen_ai.request.model');
}

function decodeSpan(span: JsonObject, a: Attrs, resource: Attrs, raw: RawLine): CanonicalRecord | Rejection {
  try {
    return decodeExchange(spanToNative(span, a, resource));
  } catch (err) {
    if (err instanceof DecodeFailure) {
      raw.text = JSON.stringify(span);
      raw.bytes = Buffer.byteLength(raw.text);
      return rejectLine(raw, 'decode', err.code, `otlp span ${String(span.spanId ?? '?')}: ${err.detail}`);
    }
    throw err;
  }
}

export function spanToNative(span: JsonObject, a: Attrs, resource: Attrs): JsonObject {
  // The span's own attributes first (any of the names), then the resource's.
  const pick = (...keys: string[]): AttrValue | undefined => {
    for (const from of [a, resource]) {
      for (const k of keys) {
        const v = from.get(k);
        if (v !== undefined && v !== null && v !== '') return v;
      }
    }
    return undefined;
  };
  const provider = String(pick('gen_ai.provider.name', 'gen_ai.system') ?? '');
  const anthropic = provider === 'anthropic' || provider.startsWith('aws.bedrock') || provider.startsWith('gcp.vertex_ai');
  const { system, messages } = readMessages(span, a, anthropic);
  const body: JsonObject = { messages };
  if (system.length > 0) {
    if (anthropic) body.system = system.join('\n');
    else messages.unshift({ role: 'system', content: system.join('\n') });
  }
  const num = (k: string): number | undefined => {
    const v = pick(k);
    return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
  };
  const maxTokens = num('gen_ai.request.max_tokens');
  if (maxTokens !== undefined) body.max_tokens = maxTokens;
  const temperature = num('gen_ai.request.temperature');
  if (temperature !== undefined) body.temperature = temperature;
  const choices = num('gen_ai.request.choice.count');
  if (choices !== undefined && choices !== 1 && !anthropic) body.n = choices;
  const tools = jsonAttr(pick('gen_ai.tool.definitions'));
  if (Array.isArray(tools)) {
    body.tools = tools.map((t, i) => {
      const name = isObject(t) && typeof t.name === 'string' ? t.name : `tool_${i}`;
      return anthropic ? { name, input_schema: { type: 'object' } } : { type: 'function', function: { name } };
    });
  }
  const usage: JsonObject = {
    input_tokens: num('gen_ai.usage.input_tokens') ?? num('gen_ai.usage.prompt_tokens'),
    output_tokens: num('gen_ai.usage.output_tokens') ?? num('gen_ai.usage.completion_tokens'),
  };
  const finish = pick('gen_ai.response.finish_reasons') ?? finishFromContent(span, a);
  const status = num('http.response.status_code') ?? (isObject(span.status) && (span.status.code === 2 || span.status.code === 'STATUS_CODE_ERROR') ? 500 : 200);
  return {
    type: 'exchange',
    id: spanId(span),
    ts: startMillis(span),
    account_id: pick('distillguard.account_id', 'user.id', 'enduser.id'),
    key_id: pick('distillguard.key_id'),
    org_id: pick('distillguard.org_id'),
    conversation_id: pick('gen_ai.conversation.id'),
    model: pick('gen_ai.request.model'),
    request: body,
    response: { usage, stop_reason: Array.isArray(finish) ? finish[0] : finish },
    client: {
      ip: pick('client.address', 'http.client_ip'),
      user_agent: pick('user_agent.original', 'http.user_agent'),
      tls_fingerprint: pick('tls.client.ja3', 'tls.client.ja4'),
    },
    status,
  };
}

/** The span's own id, stable across re-exports: a re-sent span is a duplicate, not a new exchange. */
function spanId(span: JsonObject): string | undefined {
  const t = typeof span.traceId === 'string' ? span.traceId : '';
  const s = typeof span.spanId === 'string' ? span.spanId : '';
  return s === '' ? undefined : `otel-${t}-${s}`;
}

function startMillis(span: JsonObject): unknown {
  const v = span.startTimeUnixNano;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return Number(BigInt(v) / 1_000_000n);
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v / 1e6);
  return v;
}

interface Conversation {
  system: string[];
  messages: JsonObject[];
}

/** Span events (or log records turned into events) that carry message content. */
const MESSAGE_EVENT = /^gen_ai\.(system|user|assistant|tool)\.message$/;
/** The newest conventions' single event with the whole call (input messages, system instructions). */
const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';

/** Messages from whichever convention the instrumentation used (newest first). */
function readMessages(span: JsonObject, a: Attrs, anthropic: boolean): Conversation {
  const out: Conversation = { system: [], messages: [] };
  const events = (Array.isArray(span.events) ? span.events : []).filter((e): e is JsonObject => isObject(e) && typeof e.name === 'string');
  // gen_ai.input.messages on the span, else on the details event.
  const details = events.find((e) => e.name === DETAILS_EVENT);
  for (const from of details ? [a, attrs(details.attributes)] : [a]) {
    const input = jsonAttr(from.get('gen_ai.input.messages'));
    if (!Array.isArray(input)) continue;
    for (const m of input) if (isObject(m)) pushMessage(out, String(m.role ?? 'user'), partsText(m.parts ?? m.content), anthropic);
    if (out.messages.length === 0) continue; // an empty list carries no content: look further
    const sys = jsonAttr(from.get('gen_ai.system_instructions') ?? a.get('gen_ai.system_instructions'));
    if (Array.isArray(sys)) {
      const text = partsText(sys);
      if (text !== '') out.system.unshift(text);
    } else if (typeof sys === 'string' && sys !== '') out.system.unshift(sys);
    return out;
  }
  // OpenLLMetry: gen_ai.prompt.0.role / gen_ai.prompt.0.content ...
  for (let i = 0; a.has(`gen_ai.prompt.${i}.content`) || a.has(`gen_ai.prompt.${i}.role`); i++) {
    pushMessage(out, String(a.get(`gen_ai.prompt.${i}.role`) ?? 'user'), textOf(a.get(`gen_ai.prompt.${i}.content`)), anthropic);
  }
  if (out.messages.length > 0 || out.system.length > 0) return out;
  for (const e of events) {
    const ea = attrs(e.attributes);
    // v1.26-v1.27: one `gen_ai.content.prompt` event whose `gen_ai.prompt` is the messages as JSON.
    if (e.name === 'gen_ai.content.prompt') {
      const prompt = jsonAttr(ea.get('gen_ai.prompt'));
      if (Array.isArray(prompt)) {
        for (const m of prompt) if (isObject(m)) pushMessage(out, String(m.role ?? 'user'), textOf(m.content), anthropic);
      } else if (typeof prompt === 'string') pushMessage(out, 'user', prompt, anthropic);
      continue;
    }
    // v1.28-v1.36: one event per message, the content in `content` (or the older `gen_ai.event.content`).
    const m = MESSAGE_EVENT.exec(String(e.name));
    if (!m) continue;
    const content = ea.get('content') ?? ea.get('gen_ai.event.content');
    pushMessage(out, String(ea.get('role') ?? m[1]), textOf(jsonAttr(content) ?? content), anthropic);
  }
  if (out.messages.length === 0) fail('bad_body', 'gen_ai.input.messages', 'no message content on the span (enable content capture in the instrumentation, e.g. OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true)');
  return out;
}

/** The stop reason when the span has no gen_ai.response.finish_reasons: output messages or a `gen_ai.choice` event. */
function finishFromContent(span: JsonObject, a: Attrs): AttrValue | undefined {
  const output = jsonAttr(a.get('gen_ai.output.messages'));
  if (Array.isArray(output) && isObject(output[0]) && typeof output[0].finish_reason === 'string') return output[0].finish_reason;
  for (const e of Array.isArray(span.events) ? span.events : []) {
    if (!isObject(e)) continue;
    const ea = attrs(e.attributes);
    if (e.name === 'gen_ai.choice' && typeof ea.get('finish_reason') === 'string') return ea.get('finish_reason');
    if (e.name === DETAILS_EVENT) {
      const f = ea.get('gen_ai.response.finish_reasons');
      if (f !== undefined) return Array.isArray(f) ? f[0] : f;
    }
  }
  return undefined;
}

function pushMessage(out: Conversation, role: string, text: string, anthropic: boolean): void {
  if (role === 'system' || role === 'developer') {
    if (text !== '') out.system.push(text);
    return;
  }
  // Tool results become user turns for Anthropic bodies, tool turns otherwise; text only either way.
  const r = role === 'assistant' ? 'assistant' : role === 'tool' && !anthropic ? 'tool' : 'user';
  out.messages.push(r === 'tool' ? { role: r, content: text, tool_call_id: 'otel' } : { role: r, content: text });
}

/** Text of GenAI message parts: `[{type: "text", content}]`, plain strings, or OpenAI-style content. */
function partsText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return textOf(v);
  const texts: string[] = [];
  for (const p of v) {
    if (typeof p === 'string') texts.push(p);
    else if (isObject(p) && (p.type === 'text' || p.type === undefined)) {
      const t = p.content ?? p.text;
      if (typeof t === 'string') texts.push(t);
    } else if (isObject(p) && p.type === 'tool_call_response' && typeof p.response === 'string') texts.push(p.response);
  }
  return texts.join('\n');
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return partsText(v);
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return v === undefined || v === null ? '' : JSON.stringify(v);
}

function jsonAttr(v: AttrValue | undefined): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('[') || t.startsWith('{'))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

/** OTLP KeyValue list → map of plain values. */
export function attrs(list: unknown): Attrs {
  const m: Attrs = new Map();
  if (!Array.isArray(list)) return m;
  for (const kv of list) {
    if (isObject(kv) && typeof kv.key === 'string') m.set(kv.key, anyValue(kv.value));
  }
  return m;
}

function anyValue(v: unknown): AttrValue {
  if (!isObject(v)) return null;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue); // int64 arrives as a JSON string
  if (typeof v.doubleValue === 'number') return v.doubleValue;
  if (isObject(v.arrayValue)) return Array.isArray(v.arrayValue.values) ? v.arrayValue.values.map(anyValue) : [];
  if (isObject(v.kvlistValue)) {
    const o: Record<string, AttrValue> = {};
    for (const [k, x] of attrs(v.kvlistValue.values)) o[k] = x;
    return o;
  }
  return null;
}
