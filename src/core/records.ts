// Canonical records that flow between the pipeline stages.
// decode produces Exchange / AccountEvent; everything downstream reads only these.

/** Event time, epoch milliseconds (UTC). */
export type Millis = number;

/** What the network and client told us about one request. */
export interface ClientInfo {
  ip?: string;
  asn?: number;
  asOrg?: string;
  country?: string;
  userAgent?: string;
  tlsFingerprint?: string;
  sdk?: string;
}

export type BodyFormat = 'anthropic' | 'openai';

/** One API request and its response, normalized across body shapes. */
export interface Exchange {
  kind: 'exchange';
  id: string;
  ts: Millis;
  accountId: string;
  keyId?: string;
  orgId?: string;
  conversationId?: string;
  model?: string;
  format: BodyFormat;
  /** System prompt text (Anthropic `system`, OpenAI `system`/`developer` messages), '' when absent. */
  system: string;
  /** Text of the last user turn (text blocks joined with '\n'). */
  prompt: string;
  /** Number of messages in the request (a single-turn request has 1). */
  turns: number;
  /** Total characters of all message text in the request (context size proxy). */
  inputChars: number;
  /** max_tokens / max_completion_tokens as sent, undefined when absent. */
  maxTokens?: number;
  /** OpenAI `n` (choices requested); 1 when absent. */
  n: number;
  /** logprobs requested. */
  logprobs: boolean;
  topLogprobs?: number;
  /** Extended thinking (Anthropic `thinking.type == enabled`) or OpenAI `reasoning_effort` set. */
  thinking: boolean;
  thinkingBudget?: number;
  reasoningEffort?: string;
  temperature?: number;
  /** Number of tool definitions. */
  tools: number;
  /** End-user id passed through (`metadata.user_id`, `user`, `safety_identifier`). */
  endUser?: string;
  inputTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
  stopReason?: string;
  client: ClientInfo;
  status: number;
  /**
   * Content sketches computed by a decode worker (observe/presketch.ts); absent, the observer computes
   * them. With a sketch, `prompt` and `system` may be left empty: the engine reads only the sketch.
   */
  sketch?: ExchangeSketch;
}

/** What the observer derives from an exchange's text alone: pure, so it can be computed off the engine's thread. */
export interface ExchangeSketch {
  /** Capability tags (signals/content-tags.ts). */
  mask: number;
  promptHash: number;
  /** Hash of the system prompt; undefined when there is none. */
  systemHash: number | undefined;
  /** Scaffold windows and LSH band keys (link/templates.ts TemplateSketch). */
  templates: { item: number; windows: string[]; salts: number[]; keys: Float64Array };
  /** The prompt's distinct phrase hashes (link/phrase-frequency.ts phraseHashes); absent, link computes them. */
  phrases?: ArrayLike<number>;
  /** The prompt's numbers, order-free (link/phrase-frequency.ts numberPrint); absent, link computes it. */
  numbers?: number;
}

export type Verification = 'none' | 'email' | 'phone' | 'id' | 'business';
/** Every plan an account record may name (decode validates against it; config and policies name plans from it). */
export const PLANS = ['free', 'paid', 'enterprise', 'education', 'research', 'startup', 'reseller'] as const;
export type Plan = (typeof PLANS)[number];

/** What the provider knows about an account as of `ts`. Later events update earlier ones field by field. */
export interface AccountEvent {
  kind: 'account';
  accountId: string;
  ts: Millis;
  createdAt?: Millis;
  /** Keyed hash (HMAC-SHA-256, hex) of the normalized e-mail; the raw address never leaves decode. */
  emailHash?: string;
  /** Keyed hashes of the e-mail under each community key (`keyId:hex`), when intel sharing is configured. */
  emailShared?: string[];
  /** Shape of the local part, e.g. 'a.a9' for "john.smith1987": letters→a, digit runs→9, separators kept. */
  emailPattern?: string;
  emailDomain?: string;
  paymentFingerprint?: string;
  paymentBin?: string;
  country?: string;
  orgId?: string;
  verification?: Verification;
  plan?: Plan;
  signupIp?: string;
  signupUserAgent?: string;
  links?: Record<string, string>;
}

export type CanonicalRecord = Exchange | AccountEvent;
