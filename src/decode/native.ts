// The native format: one JSON object per line, `type` "exchange" or "account" (contract "Input").
import type { ClientInfo, Exchange } from '../core/records.js';
import { readBody } from './body.js';
import {
  fail,
  type JsonObject,
  isObject,
  jsonType,
  optCountry,
  optInt,
  optObject,
  optString,
  reqString,
  reqTimestamp,
} from './check.js';

const CLIENT = 'client.';
const RESPONSE = 'response.';
const USAGE = 'response.usage.';

/** Decode an `exchange` record (its `type` already checked). */
export function decodeExchange(o: JsonObject): Exchange {
  // Required fields in contract order, so the first problem reported is stable.
  const id = reqString(o, 'id');
  const ts = reqTimestamp(o, 'ts');
  const accountId = reqString(o, 'account_id');
  const req = o.request;
  if (req === undefined || req === null) fail('missing_field', 'request', 'required field is missing');
  if (!isObject(req)) fail('wrong_type', 'request', `expected object, got ${jsonType(req)}`);

  const keyId = optString(o, 'key_id');
  const orgId = optString(o, 'org_id');
  const conversationId = optString(o, 'conversation_id');
  // The requested model: the envelope's, else the body's own `model`.
  const model = optString(o, 'model') ?? optString(req, 'model', 'request.');
  const status = optInt(o, 'status', '', 100, 599) ?? 200;
  const client = readClient(o);
  const body = readBody(req);

  const ex: Exchange = {
    kind: 'exchange',
    id,
    ts,
    accountId,
    keyId,
    orgId,
    conversationId,
    model,
    format: body.format,
    system: body.system,
    prompt: body.prompt,
    turns: body.turns,
    inputChars: body.inputChars,
    maxTokens: body.maxTokens,
    n: body.n,
    logprobs: body.logprobs,
    topLogprobs: body.topLogprobs,
    thinking: body.thinking,
    thinkingBudget: body.thinkingBudget,
    reasoningEffort: body.reasoningEffort,
    temperature: body.temperature,
    tools: body.tools,
    endUser: body.endUser,
    inputTokens: undefined,
    outputTokens: undefined,
    reasoningTokens: undefined,
    stopReason: undefined,
    client,
    status,
  };
  const response = optObject(o, 'response');
  if (response !== undefined) readResponse(response, ex);
  return ex;
}

function readClient(o: JsonObject): ClientInfo {
  const c = optObject(o, 'client');
  if (c === undefined) return emptyClient();
  return {
    ip: optString(c, 'ip', CLIENT),
    asn: optInt(c, 'asn', CLIENT, 0, 4294967295),
    asOrg: optString(c, 'as_org', CLIENT),
    country: optCountry(c, 'country', CLIENT),
    userAgent: optString(c, 'user_agent', CLIENT),
    tlsFingerprint: optString(c, 'tls_fingerprint', CLIENT),
    sdk: optString(c, 'sdk', CLIENT),
  };
}

function emptyClient(): ClientInfo {
  return {
    ip: undefined,
    asn: undefined,
    asOrg: undefined,
    country: undefined,
    userAgent: undefined,
    tlsFingerprint: undefined,
    sdk: undefined,
  };
}

/**
 * Usage and stop reason from either response shape, whatever the request shape (gateways
 * translate). Anthropic input tokens include cache writes and reads, so that `inputTokens` means
 * the same as OpenAI's `prompt_tokens` (which include cached tokens).
 */
function readResponse(r: JsonObject, ex: Exchange): void {
  const usage = optObject(r, 'usage', RESPONSE);
  if (usage !== undefined) {
    const input = optInt(usage, 'input_tokens', USAGE);
    if (input !== undefined) {
      ex.inputTokens =
        input + (optInt(usage, 'cache_creation_input_tokens', USAGE) ?? 0) + (optInt(usage, 'cache_read_input_tokens', USAGE) ?? 0);
    } else {
      ex.inputTokens = optInt(usage, 'prompt_tokens', USAGE);
    }
    ex.outputTokens = optInt(usage, 'output_tokens', USAGE) ?? optInt(usage, 'completion_tokens', USAGE);
    const details = optObject(usage, 'completion_tokens_details', USAGE);
    if (details !== undefined) ex.reasoningTokens = optInt(details, 'reasoning_tokens', `${USAGE}completion_tokens_details.`);
  }
  let stop = optString(r, 'stop_reason', RESPONSE) ?? optString(r, 'finish_reason', RESPONSE);
  if (stop === undefined) {
    const choices = r.choices;
    if (Array.isArray(choices) && isObject(choices[0])) stop = optString(choices[0], 'finish_reason', 'response.choices[0].');
  }
  ex.stopReason = stop;
}
