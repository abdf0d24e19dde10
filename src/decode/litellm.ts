// LiteLLM proxy logs → exchanges. Two shapes, both recognised per object (no flag needed):
//  - StandardLoggingPayload (kwargs["standard_logging_object"], what LiteLLM's logging callbacks and
//    the generic API logger send): `id`, `call_type`, `startTime` (epoch seconds), `model`,
//    `messages`, `model_parameters`, `response`, `prompt_tokens`/`completion_tokens`, `status`,
//    `end_user`, `metadata.user_api_key_*`, `metadata.requester_ip_address`, `metadata.user_agent`,
//    `metadata.requester_custom_headers`.
//  - LiteLLM_SpendLogs rows (the proxy's database table): `request_id`, `call_type`, `startTime`
//    (timestamp), `api_key` (hashed), `user`, `end_user`, `metadata`, `requester_ip_address`,
//    `messages`, `response`, `proxy_server_request` (the request body as the client sent it),
//    `session_id`, `status`.
// Either is mapped onto a native exchange record and decoded by the native decoder, so every field
// check and body-shape rule is the one `scan` applies. The mapping is documented in docs/serve.md.
import type { CanonicalRecord } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';
import type { RawLine } from '../sources/file.js';
import { DecodeFailure, fail, type JsonObject, isObject } from './check.js';
import { decodeExchange } from './native.js';
import { rejectLine } from './reject.js';

/** Calls that carry a chat / messages body. */
const CHAT_CALLS = new Set(['completion', 'acompletion', 'anthropic_messages', 'aanthropic_messages', 'responses', 'aresponses', 'text_completion', 'atext_completion']);

/** Is this object a LiteLLM payload (and not a native record)? */
export function isLiteLLM(o: JsonObject): boolean {
  return o.type === undefined && typeof o.call_type === 'string' && (typeof o.id === 'string' || typeof o.request_id === 'string') && o.startTime !== undefined;
}

export function decodeLiteLLM(o: JsonObject, raw: RawLine): CanonicalRecord | Rejection {
  try {
    return decodeExchange(toNative(o));
  } catch (err) {
    if (err instanceof DecodeFailure) return rejectLine(raw, 'decode', err.code, `litellm: ${err.detail}`);
    throw err;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** A JSON column may arrive as an object or as JSON text (SpendLogs exports). */
function jsonValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

function obj(v: unknown): JsonObject {
  const j = jsonValue(v);
  return isObject(j) ? j : {};
}

/** StandardLoggingPayload.startTime is epoch seconds (float); SpendLogs.startTime is a timestamp. */
function timestamp(v: unknown): unknown {
  if (typeof v === 'number' && v > 1e8 && v < 1e11) return Math.round(v * 1000);
  return v;
}

export function toNative(o: JsonObject): JsonObject {
  const callType = str(o.call_type) ?? '';
  if (!CHAT_CALLS.has(callType)) fail('bad_body', 'call_type', `${JSON.stringify(callType)} is not a chat or messages call`);
  const meta = obj(o.metadata);
  const headers = obj(meta.requester_custom_headers);
  const id = str(o.id) ?? str(o.request_id);
  // The billed account: the key's user, else its team, else its organization, else the key itself.
  const account = str(meta.user_api_key_user_id) ?? str(o.user) ?? str(meta.user_api_key_team_id) ?? str(o.team_id) ?? str(meta.user_api_key_org_id) ?? str(meta.user_api_key_hash) ?? str(o.api_key);
  const keyId = str(meta.user_api_key_hash) ?? str(o.api_key);
  const request = requestBody(o);
  const endUser = str(o.end_user) ?? str(meta.user_api_key_end_user_id);
  if (endUser !== undefined && request.user === undefined && request.metadata === undefined) request.user = endUser;
  const native: JsonObject = {
    type: 'exchange',
    id,
    ts: timestamp(o.startTime),
    account_id: account,
    key_id: keyId,
    org_id: str(meta.user_api_key_org_id) ?? str(o.organization_id),
    conversation_id: str(o.session_id) ?? str(obj(meta.requester_metadata).session_id),
    model: str(o.model_group) ?? str(o.model),
    request,
    response: responseOf(o),
    client: {
      ip: str(meta.requester_ip_address) ?? str(o.requester_ip_address),
      user_agent: str(meta.user_agent) ?? str(headers['user-agent']) ?? str(headers['User-Agent']),
    },
    status: o.status === 'failure' ? statusOfFailure(o) : 200,
  };
  return native;
}

function requestBody(o: JsonObject): JsonObject {
  // SpendLogs keep the body exactly as the client sent it: the most faithful source.
  const sent = obj(o.proxy_server_request);
  if (Array.isArray(sent.messages)) return { ...sent };
  const params = obj(o.model_parameters);
  const m = jsonValue(o.messages);
  let messages: unknown;
  if (typeof m === 'string') messages = [{ role: 'user', content: m }];
  else if (Array.isArray(m)) messages = m;
  else if (isObject(m) && Array.isArray(m.messages)) messages = m.messages;
  else fail('bad_body', 'messages', 'no request messages in the payload (is LiteLLM redacting message content? turn_off_message_logging)');
  const body: JsonObject = { messages };
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || k === 'stream' || k === 'stream_options' || k === 'extra_body') continue;
    body[k] = v;
  }
  return body;
}

function responseOf(o: JsonObject): JsonObject {
  const r = obj(o.response);
  const usage = isObject(r.usage) ? r.usage : { prompt_tokens: o.prompt_tokens, completion_tokens: o.completion_tokens };
  const out: JsonObject = { usage };
  if (Array.isArray(r.choices)) out.choices = r.choices;
  if (typeof r.stop_reason === 'string') out.stop_reason = r.stop_reason;
  return out;
}

function statusOfFailure(o: JsonObject): number {
  const code = Number(obj(o.error_information).error_code);
  return Number.isInteger(code) && code >= 400 && code <= 599 ? code : 500;
}
