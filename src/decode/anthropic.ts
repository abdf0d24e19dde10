// Anthropic Messages request bodies: what marks one, and its harvesting knobs.
// https://docs.anthropic.com/en/api/messages
import { fail, INT32_MAX, type JsonObject, isObject, optInt, optObject, optString } from './check.js';
import type { BodyFacts } from './body.js';

const P = 'request.';

/** Top-level keys that exist in Anthropic Messages and not in OpenAI Chat Completions. */
export const ANTHROPIC_PARAM_KEYS: readonly string[] = [
  'thinking',
  'stop_sequences',
  'top_k',
  'container',
  'mcp_servers',
  'context_management',
];

/** Content block types that only Anthropic has (both have `text`). */
export const ANTHROPIC_BLOCK_TYPES: ReadonlySet<string> = new Set([
  'image',
  'document',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'server_tool_use',
  'web_search_tool_result',
  'search_result',
  'container_upload',
  'mcp_tool_use',
  'mcp_tool_result',
]);

/**
 * An Anthropic tool definition carries `input_schema`; server tools have a dated `type`
 * (`web_search_20250305`) and neither `function` nor `custom` (which mark OpenAI tools).
 */
export function isAnthropicTool(tool: unknown): boolean {
  if (!isObject(tool) || isObject(tool.function) || isObject(tool.custom)) return false;
  return tool.input_schema !== undefined || (typeof tool.type === 'string' && tool.type !== 'function');
}

/**
 * Top-level `system`: a string or an array of text blocks. Appends its text pieces to `parts` and
 * returns their total length.
 */
export function readTopLevelSystem(req: JsonObject, parts: string[]): number {
  const sys = req.system;
  if (sys === undefined || sys === null) return 0;
  if (typeof sys === 'string') {
    if (sys.length > 0) parts.push(sys);
    return sys.length;
  }
  if (!Array.isArray(sys)) fail('wrong_type', 'request.system', 'expected a string or an array of text blocks');
  let chars = 0;
  for (let i = 0; i < sys.length; i++) {
    const block = sys[i];
    if (!isObject(block)) fail('wrong_type', `request.system[${i}]`, 'expected a content block object');
    if (block.type === 'text') {
      const text = block.text;
      if (typeof text !== 'string') fail('wrong_type', `request.system[${i}].text`, 'expected string');
      parts.push(text);
      chars += text.length;
    }
  }
  return chars;
}

/**
 * Fill the Anthropic knobs that are still unset in `f`: max_tokens, thinking, metadata.user_id.
 * Called first for Anthropic bodies and second (fill-only) for OpenAI ones, so gateway bodies that
 * mix vocabularies lose nothing.
 */
export function readAnthropicKnobs(req: JsonObject, f: BodyFacts): void {
  if (f.maxTokens === undefined) f.maxTokens = optInt(req, 'max_tokens', P, 0, INT32_MAX);
  const thinking = req.thinking;
  if (thinking !== undefined && thinking !== null) {
    if (!isObject(thinking)) fail('wrong_type', 'request.thinking', 'expected an object with a `type`');
    const type = optString(thinking, 'type', 'request.thinking.');
    // `adaptive` lets the model decide how much to think: still extended thinking.
    if (type === 'enabled' || type === 'adaptive') f.thinking = true;
    const budget = optInt(thinking, 'budget_tokens', 'request.thinking.', 0, INT32_MAX);
    if (f.thinkingBudget === undefined) f.thinkingBudget = budget;
  }
  const metadata = optObject(req, 'metadata', P);
  if (metadata !== undefined && f.endUser === undefined) f.endUser = optString(metadata, 'user_id', 'request.metadata.');
}
