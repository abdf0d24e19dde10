// Shared client configuration: the combination of request knobs (body format, SDK, max_tokens, thinking
// budget or reasoning effort, temperature, tools, samples, logprobs) that a pipeline's config file sets
// once for all its accounts, where a person's knobs follow their habits and an SDK's defaults are shared
// by thousands. A configuration is evidence of one operator only when it is concentrated: most of
// the group sends it, and most of the accounts that ever sent it are accounts of candidate pipelines
// (rare outside them; one pipeline may be split over several candidate groups, one per phrase).
// Fixed memory for the background (count-min of accounts per configuration); 8 bytes per account
// (its dominant configuration, Misra-Gries with one counter).
import type { Exchange } from '../core/records.js';
import { U32Column } from '../core/columns.js';
import { MurmurText } from '../sketches/hash.js';
import { CountMin, SeenFilter, pairKey } from './phrase-frequency.js';

const CONFIG_SEED = 0x6b6e6f62;

/**
 * The configuration fingerprint of one request (never 0: 0 means none): murmur3 of the knobs' text
 * `format|sdk or user agent|max_tokens|thinking budget or effort|temperature|tools|n|logprobs`, hashed
 * as it is produced (MurmurText) rather than built as a string per exchange. Same value as
 * murmur3(text, CONFIG_SEED).
 */
export function configHash(ex: Exchange): number {
  const c = ex.client;
  const t = CONFIG_TEXT.start(CONFIG_SEED);
  t.value(ex.format);
  t.char(BAR);
  t.value(c.sdk ?? c.userAgent ?? '');
  t.char(BAR);
  t.value(ex.maxTokens ?? '');
  t.char(BAR);
  t.value(ex.thinkingBudget ?? ex.reasoningEffort ?? (ex.thinking ? 'on' : ''));
  t.char(BAR);
  t.value(ex.temperature ?? '');
  t.char(BAR);
  t.value(ex.tools);
  t.char(BAR);
  t.value(ex.n);
  t.char(BAR);
  t.char(ex.logprobs ? ONE : ZERO);
  return t.finish() || 1;
}

const BAR = 0x7c;
const ZERO = 0x30;
const ONE = 0x31;

/** One hasher reused for every exchange (configHash is synchronous). */
const CONFIG_TEXT = new MurmurText();

export interface ConfigAgreement {
  /** The group's most common dominant configuration (0: none). */
  config: number;
  /** Share of the group's members whose dominant configuration it is. */
  share: number;
  /** Share of the accounts that ever sent it that are in candidate pipelines (rare outside them). */
  concentration: number;
  /** Members with it. */
  members: number;
}

export class ClientConfigs {
  /** Accounts that ever sent each configuration. */
  private readonly accounts = new CountMin(16, 4);
  /** Accounts of candidate pipelines (their prompts carry tradecraft) by their dominant configuration. */
  private readonly candidates = new CountMin(14, 4);
  private readonly seen = new SeenFilter(22);
  private readonly top = new U32Column();
  private readonly count = new U32Column();

  /** One request of account `idx` with configuration `config`. */
  observe(idx: number, config: number): void {
    if (!this.seen.testAndSet(pairKey(idx, config))) this.accounts.add(config);
    // Misra-Gries with one counter: the configuration of a majority of its requests survives.
    const n = this.count.get(idx);
    if (this.top.get(idx) === config) this.count.set(idx, n + 1);
    else if (n === 0) {
      this.top.set(idx, config);
      this.count.set(idx, 1);
    } else this.count.set(idx, n - 1);
  }

  /** The account's dominant configuration when it holds at least `dominance` of its `exchanges` (lower bound), else 0. */
  dominant(idx: number, exchanges: number, dominance: number): number {
    // The counter under-counts a majority's share by the minority's: a count of c over n requests
    // means the configuration had at least (n + c) / 2 of them.
    const c = this.count.get(idx);
    return c > 0 && (exchanges + c) / 2 >= dominance * exchanges ? this.top.get(idx) : 0;
  }

  /** An account joined a candidate pipeline with this dominant configuration (0: none). */
  qualify(config: number): void {
    if (config !== 0) this.candidates.add(config);
  }

  /** Accounts that ever sent the configuration (an over-estimate, never under). */
  accountsOf(config: number): number {
    return this.accounts.estimate(config);
  }

  /** How far the members agree on one configuration, and how concentrated it is in them. */
  agreement(members: readonly number[], exchangesOf: (idx: number) => number, dominance: number): ConfigAgreement {
    const counts = new Map<number, number>();
    for (const m of members) {
      const c = this.dominant(m, exchangesOf(m), dominance);
      if (c !== 0) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    let config = 0;
    let best = 0;
    for (const [c, n] of counts) if (n > best) [config, best] = [c, n];
    if (config === 0 || members.length === 0) return { config: 0, share: 0, concentration: 0, members: 0 };
    return { config, share: best / members.length, concentration: Math.min(1, this.candidates.estimate(config) / Math.max(1, this.accountsOf(config))), members: best };
  }

  get bytes(): number {
    return this.accounts.bytes + this.candidates.bytes + this.seen.bytes;
  }
}
