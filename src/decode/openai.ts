// OpenAI Chat Completions request bodies: what marks one, and its harvesting knobs.
// https://platform.openai.com/docs/api-reference/chat/create
import { INT32_MAX, type JsonObject, isObject, optArray, optBool, optInt, optString } from './check.js';
import type { BodyFacts } from './body.js';

const P = 'request.';

/** Top-level keys that exist in OpenAI Chat Completions and not in Anthropic Messages. */
export const OPENAI_PARAM_KEYS: readonly string[] = [
  'n',
  'logprobs',
  'top_logprobs',
  'max_completion_tokens',
  'reasoning_effort',
  'user',
  'safety_identifier',
  'frequency_penalty',
  'presence_penalty',
  'logit_bias',
  'seed',
  'response_format',
  'stop',
  'functions',
  'function_call',
  'parallel_tool_calls',
  'stream_options',
  'modalities',
  'audio',
  'prediction',
  'store',
  'web_search_options',
  'verbosity',
  'prompt_cache_key',
];

/** Message roles that only OpenAI has (Anthropic messages are `user` / `assistant`). */
export const OPENAI_ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'tool', 'function']);

/** Roles whose text is the system prompt rather than a turn. */
export const SYSTEM_ROLES: ReadonlySet<string> = new Set(['system', 'developer']);

/** Content part types that only OpenAI has (both have `text`). */
export const OPENAI_PART_TYPES: ReadonlySet<string> = new Set(['image_url', 'input_audio', 'file', 'refusal']);

/** An OpenAI tool definition is `{type: "function", function: {...}}` (or a custom tool). */
export function isOpenAITool(tool: unknown): boolean {
  return isObject(tool) && (isObject(tool.function) || isObject(tool.custom));
}

/**
 * Fill the OpenAI knobs still unset in `f`: max_completion_tokens (over max_tokens), n, logprobs,
 * top_logprobs, reasoning_effort, safety_identifier / user, legacy `functions`.
 */
export function readOpenAIKnobs(req: JsonObject, f: BodyFacts): void {
  const mct = optInt(req, 'max_completion_tokens', P, 0, INT32_MAX);
  if (f.maxTokens === undefined) f.maxTokens = mct ?? optInt(req, 'max_tokens', P, 0, INT32_MAX);
  f.n = optInt(req, 'n', P, 1, 128) ?? 1; // the Chat Completions API takes 1..128
  f.logprobs = optBool(req, 'logprobs', P) ?? false;
  f.topLogprobs = optInt(req, 'top_logprobs', P, 0, 20);
  const effort = optString(req, 'reasoning_effort', P);
  if (effort !== undefined) {
    f.reasoningEffort = effort;
    // `none` (GPT-5.1+) explicitly turns reasoning off.
    if (effort !== 'none') f.thinking = true;
  }
  // safety_identifier replaced `user`; prefer it when both are sent.
  const endUser = optString(req, 'safety_identifier', P) ?? optString(req, 'user', P);
  if (f.endUser === undefined) f.endUser = endUser;
  const functions = optArray(req, 'functions', P);
  if (functions !== undefined) f.tools += functions.length;
}
