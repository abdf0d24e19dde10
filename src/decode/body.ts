// The `request` body of an exchange: which shape it is (Anthropic Messages or OpenAI Chat
// Completions), and the normalized facts the detectors read from it.
//
// Shape detection, in order (deterministic):
//  1. Structural markers decide: Anthropic = top-level `system`, an Anthropic-only content block
//     (tool_use, tool_result, thinking, image, document, ...), a tool with `input_schema`;
//     OpenAI = a system/developer/tool/function role, `tool_calls`, an OpenAI-only content part
//     (image_url, input_audio, file, refusal), a `{type:"function", function}` tool.
//     Structural markers of both shapes at once → `bad_body` (valid in neither API).
//  2. Otherwise parameter markers decide (Anthropic: thinking, stop_sequences, top_k, ...; OpenAI:
//     n, logprobs, max_completion_tokens, reasoning_effort, user, safety_identifier, ...), when
//     only one shape has them.
//  3. Otherwise (a bare `messages` array of user/assistant turns, or parameters of both shapes
//     without structure): `anthropic` when `max_tokens` is present (Anthropic requires it),
//     else `openai`. For a bare body this choice only sets `format`: every other field reads
//     the same from either shape.
// Knobs are then read from the detected shape's vocabulary first and the other's second
// (fill-only), so gateway bodies that mix vocabularies (an OpenAI body with Anthropic `thinking`)
// lose nothing.
import type { BodyFormat } from '../core/records.js';
import { ANTHROPIC_BLOCK_TYPES, ANTHROPIC_PARAM_KEYS, isAnthropicTool, readAnthropicKnobs, readTopLevelSystem } from './anthropic.js';
import { fail, type JsonObject, isObject, optArray, optNumber } from './check.js';
import { OPENAI_PARAM_KEYS, OPENAI_PART_TYPES, OPENAI_ROLES, SYSTEM_ROLES, isOpenAITool, readOpenAIKnobs } from './openai.js';

/** What decode takes from a request body into the Exchange. */
export interface BodyFacts {
  format: BodyFormat;
  system: string;
  prompt: string;
  turns: number;
  inputChars: number;
  maxTokens: number | undefined;
  n: number;
  logprobs: boolean;
  topLogprobs: number | undefined;
  thinking: boolean;
  thinkingBudget: number | undefined;
  reasoningEffort: string | undefined;
  temperature: number | undefined;
  tools: number;
  endUser: string | undefined;
}

const ROLES: ReadonlySet<string> = new Set(['user', 'assistant', 'system', 'developer', 'tool', 'function']);

/** Which shape a top-level key belongs to, for keys that exist in only one. */
const PARAM_SHAPE = new Map<string, BodyFormat>([
  ...ANTHROPIC_PARAM_KEYS.map((k): [string, BodyFormat] => [k, 'anthropic']),
  ...OPENAI_PARAM_KEYS.map((k): [string, BodyFormat] => [k, 'openai']),
]);

/** Running state of one body walk. */
interface Walk {
  chars: number;
  /** First structural marker of each shape, as a field path for messages. */
  anthropic: string | undefined;
  openai: string | undefined;
}

export function readBody(req: JsonObject): BodyFacts {
  const messages = req.messages;
  if (messages === undefined || messages === null) {
    fail('bad_body', 'request.messages', 'missing: neither an Anthropic Messages nor an OpenAI Chat Completions body');
  }
  if (!Array.isArray(messages)) fail('bad_body', 'request.messages', 'expected an array of messages');

  const systemParts: string[] = [];
  const w: Walk = { chars: readTopLevelSystem(req, systemParts), anthropic: undefined, openai: undefined };
  if (req.system !== undefined && req.system !== null) w.anthropic = 'request.system';

  let turns = 0;
  let lastUser = -1;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (!isObject(m)) fail('bad_body', `request.messages[${i}]`, 'expected a message object');
    const role = m.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      fail('bad_body', `request.messages[${i}].role`, 'expected user, assistant, system, developer, tool or function');
    }
    if (OPENAI_ROLES.has(role)) w.openai ??= `request.messages[${i}].role (${role})`;
    if ((m.tool_calls !== undefined && m.tool_calls !== null) || (m.function_call !== undefined && m.function_call !== null)) {
      w.openai ??= `request.messages[${i}].tool_calls`;
    }
    if (SYSTEM_ROLES.has(role)) {
      walkContent(m.content, i, w, systemParts);
    } else {
      turns++;
      // The prompt is the last user turn that has text: in agentic loops, user turns that only
      // carry tool results are not the human's instruction.
      if (walkContent(m.content, i, w, undefined) && role === 'user') lastUser = i;
    }
  }

  const tools = optArray(req, 'tools', 'request.');
  if (tools !== undefined) {
    for (let i = 0; i < tools.length; i++) {
      const t: unknown = tools[i];
      if (isOpenAITool(t)) w.openai ??= `request.tools[${i}].function`;
      else if (isAnthropicTool(t)) w.anthropic ??= `request.tools[${i}].input_schema`;
    }
  }

  const format = detectFormat(req, w);
  const f: BodyFacts = {
    format,
    system: systemParts.length === 0 ? '' : systemParts.length === 1 ? systemParts[0] : systemParts.join('\n'),
    prompt: lastUser < 0 ? '' : promptText((messages[lastUser] as JsonObject).content),
    turns,
    inputChars: w.chars,
    maxTokens: undefined,
    n: 1,
    logprobs: false,
    topLogprobs: undefined,
    thinking: false,
    thinkingBudget: undefined,
    reasoningEffort: undefined,
    temperature: optNumber(req, 'temperature', 'request.', 0, 2), // OpenAI's range (Anthropic's 0..1 lies within)
    tools: tools === undefined ? 0 : tools.length,
    endUser: undefined,
  };
  if (format === 'anthropic') {
    readAnthropicKnobs(req, f);
    readOpenAIKnobs(req, f);
  } else {
    readOpenAIKnobs(req, f);
    readAnthropicKnobs(req, f);
  }
  return f;
}

function detectFormat(req: JsonObject, w: Walk): BodyFormat {
  if (w.anthropic !== undefined && w.openai !== undefined) {
    fail('bad_body', 'request', `mixes Anthropic (${w.anthropic}) and OpenAI (${w.openai}) message shapes`);
  }
  if (w.anthropic !== undefined) return 'anthropic';
  if (w.openai !== undefined) return 'openai';
  let anthropicParam = false;
  let openaiParam = false;
  for (const k in req) {
    const shape = PARAM_SHAPE.get(k);
    if (shape === undefined || req[k] === null || req[k] === undefined) continue;
    if (shape === 'anthropic') anthropicParam = true;
    else openaiParam = true;
  }
  if (anthropicParam !== openaiParam) return anthropicParam ? 'anthropic' : 'openai';
  return req.max_tokens !== undefined && req.max_tokens !== null ? 'anthropic' : 'openai';
}

/**
 * Count the text of one message's content; append its text pieces to `sink` when given. Returns
 * whether the content has text of its own (a non-empty string or a `text` block).
 */
function walkContent(content: unknown, i: number, w: Walk, sink: string[] | undefined): boolean {
  if (typeof content === 'string') {
    w.chars += content.length;
    if (sink !== undefined && content.length > 0) sink.push(content);
    return content.length > 0;
  }
  if (content === undefined || content === null) return false;
  let hasText = false;
  if (!Array.isArray(content)) fail('bad_body', `request.messages[${i}].content`, 'expected a string or an array of content blocks');
  for (let j = 0; j < content.length; j++) {
    const part: unknown = content[j];
    if (!isObject(part) || typeof part.type !== 'string') {
      fail('bad_body', `request.messages[${i}].content[${j}]`, 'expected a content block with a string `type`');
    }
    const type = part.type;
    if (type === 'text') {
      const text = part.text;
      if (typeof text !== 'string') fail('bad_body', `request.messages[${i}].content[${j}].text`, 'expected string');
      w.chars += text.length;
      hasText = true;
      if (sink !== undefined) sink.push(text);
    } else if (ANTHROPIC_BLOCK_TYPES.has(type)) {
      w.anthropic ??= `request.messages[${i}].content[${j}].type (${type})`;
      if (type === 'tool_result') w.chars += toolResultChars(part.content);
      else if (type === 'thinking' && typeof part.thinking === 'string') w.chars += part.thinking.length;
    } else if (OPENAI_PART_TYPES.has(type)) {
      w.openai ??= `request.messages[${i}].content[${j}].type (${type})`;
      if (type === 'refusal' && typeof part.refusal === 'string') w.chars += part.refusal.length;
    }
    // Other block types (new in either API) are neither markers nor text.
  }
  return hasText;
}

function toolResultChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const b of content) if (isObject(b) && b.type === 'text' && typeof b.text === 'string') chars += b.text.length;
  return chars;
}

/** Text of a user turn: a string, or its text blocks joined with '\n'. Already validated by walkContent. */
function promptText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out: string | undefined;
  for (const part of content as JsonObject[]) {
    if (part.type !== 'text') continue;
    out = out === undefined ? (part.text as string) : `${out}\n${part.text as string}`;
  }
  return out ?? '';
}
