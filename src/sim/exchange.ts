// Simulated accounts and the serialization of contract records (account / exchange lines).
// One serializer for every actor: label-irrelevant fields (key order, usage shape, status
// codes) come out the same whoever sends the request.
import { toIso } from '../core/time.js';
import { CEILING } from './catalog.js';
import { opaqueId } from './ids.js';
import type { Rng } from './rng.js';
import type { ClientProfile, Net } from './world.js';
import type { AccountInit } from './ctx.js';

export type Label = 'distillation' | 'organic';
export type Group =
  | 'organic' | 'university' | 'enterprise' | 'benchmark' | 'coding_agent' | 'reseller' | 'shared_nat'
  | 'mooc' | 'prompt_library' | 'eval_org' | 'edtech' | 'outage_region'
  | 'farm' | 'hydra' | 'trace_harvest' | 'evasive' | 'pivot' | 'hidden';

/** What the provider knows about an account (the `account` record), plus ground truth. */
export interface SimAccount extends Omit<AccountInit, 'campaign'> {
  id: string;
  campaign: string | null;
  /** Set once its first account record has been produced. */
  emitted: boolean;
}

export interface SimEvent {
  ts: number;
  /** 0 for account records, 1 for exchanges: an account's record sorts before its exchanges. */
  order: 0 | 1;
  /** Tie-break among equal (ts, order): a random id, so ties reveal nothing. */
  key: string;
  line: string;
  acct: SimAccount;
}

export interface Msg {
  role: 'user' | 'assistant';
  text: string;
}

/** How a client shapes its bodies: fixed per account (or per pipeline). */
export interface Style {
  /** Anthropic: user content as [{type:'text',text}] blocks instead of a string. */
  blocks: boolean;
  /** Anthropic: system as blocks. */
  systemBlocks: boolean;
  /** OpenAI: the instructions message has role `developer`. */
  developerRole: boolean;
  /** OpenAI: max_completion_tokens instead of max_tokens. */
  completionField: boolean;
  stream: boolean;
}

export function drawStyle(r: Rng, format: 'anthropic' | 'openai'): Style {
  return {
    blocks: format === 'anthropic' && r.chance(0.3),
    systemBlocks: format === 'anthropic' && r.chance(0.15),
    developerRole: format === 'openai' && r.chance(0.2),
    completionField: format === 'openai' && r.chance(0.35),
    stream: r.chance(0.45),
  };
}

/** A tool set: names into AGENT_TOOLS-like tuples. */
export type ToolDef = readonly [string, string, readonly string[]];

export interface ExSpec {
  ts: number;
  model: string;
  client: ClientProfile;
  net: Net;
  style: Style;
  keyId?: string;
  orgId?: string;
  conversationId?: string;
  system?: string;
  messages: Msg[];
  maxTokens?: number;
  temperature?: number;
  tools?: readonly ToolDef[];
  thinkingBudget?: number;
  reasoningEffort?: string;
  n?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  endUser?: string;
  /** Visible output tokens the model would write if not capped. */
  outTokens: number;
  /** Hidden reasoning tokens (thinking / reasoning models). */
  reasoningTokens?: number;
  /** Input tokens abbreviated away in the body (long agent histories). */
  extraInputTokens?: number;
  cacheRead?: number;
  toolCall?: boolean;
}

export class Emitter {
  constructor(
    readonly rng: Rng,
    private readonly rate429: number,
    private readonly rate5xx: number,
  ) {}

  /** The account's record, emitted once, at `ts`. */
  account(a: SimAccount, at: number): SimEvent {
    const ts = Math.floor(at);
    a.emitted = true;
    const rec: Record<string, unknown> = {
      type: 'account',
      account_id: a.id,
      ts: toIso(ts),
      created_at: toIso(Math.floor(a.createdAt)),
      email: a.email,
      email_domain: a.email.slice(a.email.indexOf('@') + 1),
    };
    if (a.payment) {
      rec.payment_fingerprint = a.payment.fingerprint;
      rec.payment_bin = a.payment.bin;
    }
    rec.country = a.country;
    if (a.orgId) rec.org_id = a.orgId;
    rec.verification = a.verification;
    rec.plan = a.plan;
    rec.signup_ip = a.signupIp;
    rec.signup_user_agent = a.signupUserAgent;
    if (a.links) rec.links = a.links;
    return { ts, order: 0, key: a.id, line: JSON.stringify(rec), acct: a };
  }

  /** A later record updating some fields of an emitted account. */
  update(a: SimAccount, at: number, fields: Record<string, string>): SimEvent {
    const ts = Math.floor(at);
    return { ts, order: 0, key: a.id, line: JSON.stringify({ type: 'account', account_id: a.id, ts: toIso(ts), ...fields }), acct: a };
  }

  exchange(a: SimAccount, s: ExSpec): SimEvent {
    const r = this.rng;
    const id = opaqueId(r, 'ex_');
    const u = r.float();
    const status = u < this.rate429 ? 429 : u < this.rate429 + this.rate5xx ? (r.chance(0.7) ? 529 : 500) : 200;
    const ts = Math.floor(s.ts);
    const rec: Record<string, unknown> = { type: 'exchange', id, ts: toIso(ts), account_id: a.id };
    if (s.keyId) rec.key_id = s.keyId;
    if (s.orgId) rec.org_id = s.orgId;
    if (s.conversationId) rec.conversation_id = s.conversationId;
    rec.model = s.model;
    let inChars = s.system ? s.system.length : 0;
    for (const m of s.messages) inChars += m.text.length;
    if (s.client.format === 'anthropic') {
      rec.request = anthropicBody(s);
    } else {
      rec.request = openaiBody(s);
    }
    if (status === 200) rec.response = response(r, s, inChars);
    const c: Record<string, unknown> = {
      ip: s.net.ip,
      asn: s.net.asn,
      as_org: s.net.asOrg,
      country: s.net.country,
      user_agent: s.client.userAgent,
      tls_fingerprint: s.client.tls,
    };
    if (s.client.sdk) c.sdk = s.client.sdk;
    rec.client = c;
    if (status !== 200) rec.status = status;
    return { ts, order: 1, key: id, line: JSON.stringify(rec), acct: a };
  }
}

function anthropicBody(s: ExSpec): Record<string, unknown> {
  const b: Record<string, unknown> = { model: s.model, max_tokens: s.maxTokens ?? 4096 };
  if (s.system) b.system = s.style.systemBlocks ? [{ type: 'text', text: s.system }] : s.system;
  const last = s.messages.length - 1;
  b.messages = s.messages.map((m, i) => ({
    role: m.role,
    content: s.style.blocks && (i === last || m.role === 'user') ? [{ type: 'text', text: m.text }] : m.text,
  }));
  if (s.temperature !== undefined) b.temperature = s.temperature;
  if (s.tools && s.tools.length) b.tools = anthropicTools(s.tools);
  if (s.thinkingBudget) b.thinking = { type: 'enabled', budget_tokens: s.thinkingBudget };
  if (s.endUser) b.metadata = { user_id: s.endUser };
  if (s.style.stream) b.stream = true;
  return b;
}

function openaiBody(s: ExSpec): Record<string, unknown> {
  const b: Record<string, unknown> = { model: s.model };
  const msgs: { role: string; content: string }[] = [];
  if (s.system) msgs.push({ role: s.style.developerRole ? 'developer' : 'system', content: s.system });
  for (const m of s.messages) msgs.push({ role: m.role, content: m.text });
  b.messages = msgs;
  if (s.maxTokens !== undefined) {
    if (s.style.completionField) b.max_completion_tokens = s.maxTokens;
    else b.max_tokens = s.maxTokens;
  }
  if (s.temperature !== undefined) b.temperature = s.temperature;
  if (s.n && s.n > 1) b.n = s.n;
  if (s.logprobs) {
    b.logprobs = true;
    if (s.topLogprobs) b.top_logprobs = s.topLogprobs;
  }
  if (s.tools && s.tools.length) b.tools = openaiTools(s.tools);
  if (s.reasoningEffort) b.reasoning_effort = s.reasoningEffort;
  if (s.endUser) b.user = s.endUser;
  if (s.style.stream) b.stream = true;
  return b;
}

// A memo of pure derived values, keyed by the tool lists' identity (module constants, never changed):
// weak, so it holds nothing a caller dropped, and two simulations sharing it see the same values.
const toolCache = new WeakMap<readonly ToolDef[], { a: unknown[]; o: unknown[] }>();

function schema(params: readonly string[]): Record<string, unknown> {
  const s: Record<string, unknown> = { type: 'object', properties: Object.fromEntries(params.map((p) => [p, { type: 'string' }])) };
  if (params.length) s.required = params.slice(0, 1);
  return s;
}

function tools(ts: readonly ToolDef[]): { a: unknown[]; o: unknown[] } {
  let t = toolCache.get(ts);
  if (!t) {
    t = {
      a: ts.map(([name, description, params]) => ({ name, description, input_schema: schema(params) })),
      o: ts.map(([name, description, params]) => ({ type: 'function', function: { name, description, parameters: schema(params) } })),
    };
    toolCache.set(ts, t);
  }
  return t;
}

const anthropicTools = (ts: readonly ToolDef[]) => tools(ts).a;
const openaiTools = (ts: readonly ToolDef[]) => tools(ts).o;

function response(r: Rng, s: ExSpec, inChars: number): Record<string, unknown> {
  let input = Math.ceil(inChars / 3.8) + 8 * s.messages.length + (s.extraInputTokens ?? 0);
  if (s.tools) input += 60 * s.tools.length;
  const cap = s.maxTokens ?? CEILING[s.model] ?? 8192;
  const reasoning = s.reasoningTokens ?? 0;
  const want = Math.max(1, Math.round(s.outTokens)) + reasoning;
  const hitCap = want >= cap;
  const n = s.n && s.n > 1 ? s.n : 1;
  const out = Math.min(want, cap);
  if (s.client.format === 'anthropic') {
    const usage: Record<string, number> = { input_tokens: input, output_tokens: out };
    if (s.cacheRead) {
      const cached = Math.min(s.cacheRead, Math.max(0, input - 500));
      usage.input_tokens = input - cached;
      usage.cache_read_input_tokens = cached;
    }
    return { usage, stop_reason: hitCap ? 'max_tokens' : s.toolCall ? 'tool_use' : 'end_turn' };
  }
  const completion = out * n + (n > 1 ? r.int(0, 40) : 0);
  return {
    usage: {
      prompt_tokens: input,
      completion_tokens: completion,
      total_tokens: input + completion,
      completion_tokens_details: { reasoning_tokens: Math.min(reasoning, out) * n },
    },
    finish_reason: hitCap ? 'length' : s.toolCall ? 'tool_calls' : 'stop',
  };
}
