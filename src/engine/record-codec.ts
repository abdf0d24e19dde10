// How a decode worker's results cross to the engine's thread. Structured-cloning one object graph per
// exchange (record, client, sketch, templates, a Float64Array with its own ArrayBuffer) cost the engine's
// thread ~3.5 µs per exchange to deserialize, and that thread is the scan's bottleneck. Exchanges
// travel instead as columns: every number in one Float64Array per batch (transferred, not copied),
// every string in one array; the receiver builds each record with one object literal of the same
// shape decode builds. Account records and rejections are rare and travel as they are.
//
// Exchanges travel without their text (`prompt` and `system` arrive as ''): the engine reads only
// the sketch, which every encoded exchange must carry. Numbers that are undefined travel as NaN,
// which JSON cannot produce, so every value, -0 and ±Infinity included, comes back as it was.
import type { BodyFormat, CanonicalRecord, Exchange, ExchangeSketch } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';

/** One decoded batch, in line order: `kinds[i]` says whether line i is the next exchange or the next other record. */
export interface EncodedBatch {
  count: number;
  /** LSH bands per scaffold window (the receiver need not derive the LSH params again: ~0.25 s). */
  bands: number;
  kinds: Uint8Array<ArrayBuffer>;
  nums: Float64Array<ArrayBuffer>;
  /** Every exchange's phrase hashes, one after the other (N_PHRASES says how many each has). */
  phrases: Uint32Array<ArrayBuffer>;
  strs: (string | undefined)[];
  others: (CanonicalRecord | Rejection)[];
}

const EXCHANGE = 0;
const OTHER = 1;

// Number slots of one exchange, then its 2 × bands LSH keys.
const N_TS = 0;
const N_TURNS = 1;
const N_INPUT_CHARS = 2;
const N_MAX_TOKENS = 3;
const N_N = 4;
const N_LOGPROBS = 5;
const N_TOP_LOGPROBS = 6;
const N_THINKING = 7;
const N_THINKING_BUDGET = 8;
const N_TEMPERATURE = 9;
const N_TOOLS = 10;
const N_INPUT_TOKENS = 11;
const N_OUTPUT_TOKENS = 12;
const N_REASONING_TOKENS = 13;
const N_ASN = 14;
const N_STATUS = 15;
const N_FORMAT = 16;
const N_MASK = 17;
const N_PROMPT_HASH = 18;
const N_SYSTEM_HASH = 19;
const N_ITEM = 20;
const N_WINDOWS = 21;
const N_SALT0 = 22;
const N_SALT1 = 23;
const N_PHRASES = 24;
const N_NUMBERS = 25;
const N_FIXED = 26;
/** Most scaffold windows per prompt (head and tail, link/templates.ts). */
const MAX_WINDOWS = 2;

// String slots of one exchange.
const S_ID = 0;
const S_ACCOUNT = 1;
const S_KEY = 2;
const S_ORG = 3;
const S_CONVERSATION = 4;
const S_MODEL = 5;
const S_REASONING_EFFORT = 6;
const S_END_USER = 7;
const S_STOP_REASON = 8;
const S_IP = 9;
const S_AS_ORG = 10;
const S_COUNTRY = 11;
const S_USER_AGENT = 12;
const S_TLS = 13;
const S_SDK = 14;
const S_WINDOW0 = 15;
const S_WINDOW1 = 16;
const S_FIXED = 17;

const num = (v: number | undefined): number => (v === undefined ? NaN : v);
const opt = (v: number): number | undefined => (v !== v ? undefined : v); // NaN → undefined

/** Collects one batch's records; `finish` hands the batch over and starts the next. */
export class RecordEncoder {
  private readonly stride: number;
  private nums: Float64Array;
  private exchanges = 0;
  private phrases = new Uint32Array(1 << 14);
  private phraseCount = 0;
  private kinds: Uint8Array;
  private count = 0;
  private strs: (string | undefined)[] = [];
  private others: (CanonicalRecord | Rejection)[] = [];

  /** `bands`: LSH bands per scaffold window of the configuration the sketches come from. */
  constructor(private readonly bands: number) {
    this.stride = N_FIXED + MAX_WINDOWS * bands;
    this.nums = new Float64Array(this.stride * 256);
    this.kinds = new Uint8Array(1024);
  }

  add(rec: CanonicalRecord | Rejection): void {
    if (this.count === this.kinds.length) this.kinds = grow(this.kinds, this.kinds.length * 2);
    if ((rec as Partial<Exchange>).kind !== 'exchange') {
      this.kinds[this.count++] = OTHER;
      this.others.push(rec);
      return;
    }
    this.kinds[this.count++] = EXCHANGE;
    this.addExchange(rec as Exchange);
  }

  finish(): EncodedBatch {
    const out: EncodedBatch = {
      count: this.count,
      bands: this.bands,
      kinds: this.kinds.slice(0, this.count),
      nums: this.nums.slice(0, this.exchanges * this.stride),
      phrases: this.phrases.slice(0, this.phraseCount),
      strs: this.strs,
      others: this.others,
    };
    this.count = 0;
    this.exchanges = 0;
    this.phraseCount = 0;
    this.strs = [];
    this.others = [];
    return out;
  }

  private addExchange(ex: Exchange): void {
    const sk = ex.sketch;
    if (sk === undefined) throw new Error('record codec: an exchange must carry its sketch');
    const t = sk.templates;
    const windows = t.windows.length;
    if (windows > MAX_WINDOWS || t.keys.length !== MAX_WINDOWS * this.bands) {
      throw new Error(`record codec: expected at most ${MAX_WINDOWS} windows of ${this.bands} band keys`);
    }
    const stride = this.stride;
    let o = this.exchanges * stride;
    if (o + stride > this.nums.length) this.nums = grow(this.nums, this.nums.length * 2);
    this.exchanges++;
    const a = this.nums;
    const c = ex.client;
    a[o + N_TS] = ex.ts;
    a[o + N_TURNS] = ex.turns;
    a[o + N_INPUT_CHARS] = ex.inputChars;
    a[o + N_MAX_TOKENS] = num(ex.maxTokens);
    a[o + N_N] = ex.n;
    a[o + N_LOGPROBS] = ex.logprobs ? 1 : 0;
    a[o + N_TOP_LOGPROBS] = num(ex.topLogprobs);
    a[o + N_THINKING] = ex.thinking ? 1 : 0;
    a[o + N_THINKING_BUDGET] = num(ex.thinkingBudget);
    a[o + N_TEMPERATURE] = num(ex.temperature);
    a[o + N_TOOLS] = ex.tools;
    a[o + N_INPUT_TOKENS] = num(ex.inputTokens);
    a[o + N_OUTPUT_TOKENS] = num(ex.outputTokens);
    a[o + N_REASONING_TOKENS] = num(ex.reasoningTokens);
    a[o + N_ASN] = num(c.asn);
    a[o + N_STATUS] = ex.status;
    a[o + N_FORMAT] = ex.format === 'anthropic' ? 0 : 1;
    a[o + N_MASK] = sk.mask;
    a[o + N_PROMPT_HASH] = sk.promptHash;
    a[o + N_SYSTEM_HASH] = num(sk.systemHash);
    a[o + N_ITEM] = t.item;
    a[o + N_WINDOWS] = windows;
    a[o + N_SALT0] = windows > 0 ? t.salts[0] : 0;
    a[o + N_SALT1] = windows > 1 ? t.salts[1] : 0;
    const ph = sk.phrases ?? [];
    a[o + N_PHRASES] = ph.length;
    a[o + N_NUMBERS] = sk.numbers ?? 0;
    if (this.phraseCount + ph.length > this.phrases.length) this.phrases = grow(this.phrases, Math.max(this.phrases.length * 2, this.phraseCount + ph.length));
    for (let i = 0; i < ph.length; i++) this.phrases[this.phraseCount + i] = ph[i];
    this.phraseCount += ph.length;
    // Only the used windows' keys: a reused sketch may hold stale ones beyond them (read as zeros).
    o += N_FIXED;
    const used = windows * this.bands;
    a.set(used === t.keys.length ? t.keys : t.keys.subarray(0, used), o);
    a.fill(0, o + used, o + MAX_WINDOWS * this.bands);
    const s = this.strs;
    s.push(
      ex.id,
      ex.accountId,
      ex.keyId,
      ex.orgId,
      ex.conversationId,
      ex.model,
      ex.reasoningEffort,
      ex.endUser,
      ex.stopReason,
      c.ip,
      c.asOrg,
      c.country,
      c.userAgent,
      c.tlsFingerprint,
      c.sdk,
      windows > 0 ? t.windows[0] : undefined,
      windows > 1 ? t.windows[1] : undefined,
    );
  }
}

function grow<T extends Uint8Array | Float64Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** The records of an encoded batch, in line order. */
export function decodeBatch(b: EncodedBatch): (CanonicalRecord | Rejection)[] {
  const bands = b.bands;
  const stride = N_FIXED + MAX_WINDOWS * bands;
  const out: (CanonicalRecord | Rejection)[] = new Array(b.count);
  const { kinds, nums: a, strs: s, others, phrases } = b;
  let o = 0;
  let po = 0;
  let so = 0;
  let other = 0;
  for (let i = 0; i < b.count; i++) {
    if (kinds[i] !== EXCHANGE) {
      out[i] = others[other++];
      continue;
    }
    const np = a[o + N_PHRASES];
    out[i] = exchangeAt(a, o, s, so, bands, phrases.subarray(po, po + np));
    po += np;
    o += stride;
    so += S_FIXED;
  }
  return out;
}

function exchangeAt(a: Float64Array, o: number, s: (string | undefined)[], so: number, bands: number, phrases: Uint32Array): Exchange {
  const windows = a[o + N_WINDOWS];
  const templates: ExchangeSketch['templates'] = {
    item: a[o + N_ITEM],
    windows: windows === 0 ? [] : windows === 1 ? [s[so + S_WINDOW0]!] : [s[so + S_WINDOW0]!, s[so + S_WINDOW1]!],
    salts: windows === 0 ? [] : windows === 1 ? [a[o + N_SALT0]] : [a[o + N_SALT0], a[o + N_SALT1]],
    keys: a.subarray(o + N_FIXED, o + N_FIXED + MAX_WINDOWS * bands),
  };
  // Same keys in the same order as decode/native.ts decodeExchange, then the sketch.
  return {
    kind: 'exchange',
    id: s[so + S_ID]!,
    ts: a[o + N_TS],
    accountId: s[so + S_ACCOUNT]!,
    keyId: s[so + S_KEY],
    orgId: s[so + S_ORG],
    conversationId: s[so + S_CONVERSATION],
    model: s[so + S_MODEL],
    format: (a[o + N_FORMAT] === 0 ? 'anthropic' : 'openai') as BodyFormat,
    system: '',
    prompt: '',
    turns: a[o + N_TURNS],
    inputChars: a[o + N_INPUT_CHARS],
    maxTokens: opt(a[o + N_MAX_TOKENS]),
    n: a[o + N_N],
    logprobs: a[o + N_LOGPROBS] === 1,
    topLogprobs: opt(a[o + N_TOP_LOGPROBS]),
    thinking: a[o + N_THINKING] === 1,
    thinkingBudget: opt(a[o + N_THINKING_BUDGET]),
    reasoningEffort: s[so + S_REASONING_EFFORT],
    temperature: opt(a[o + N_TEMPERATURE]),
    tools: a[o + N_TOOLS],
    endUser: s[so + S_END_USER],
    inputTokens: opt(a[o + N_INPUT_TOKENS]),
    outputTokens: opt(a[o + N_OUTPUT_TOKENS]),
    reasoningTokens: opt(a[o + N_REASONING_TOKENS]),
    stopReason: s[so + S_STOP_REASON],
    client: {
      ip: s[so + S_IP],
      asn: opt(a[o + N_ASN]),
      asOrg: s[so + S_AS_ORG],
      country: s[so + S_COUNTRY],
      userAgent: s[so + S_USER_AGENT],
      tlsFingerprint: s[so + S_TLS],
      sdk: s[so + S_SDK],
    },
    status: a[o + N_STATUS],
    sketch: {
      mask: a[o + N_MASK],
      promptHash: a[o + N_PROMPT_HASH],
      systemHash: opt(a[o + N_SYSTEM_HASH]),
      templates,
      phrases,
      numbers: a[o + N_NUMBERS],
    },
  };
}
