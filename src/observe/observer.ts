// observe: fold each exchange into its account's bounded state. What an exchange shares with other
// accounts' (its template clusters, its model) is link's to know and comes in as ExchangeKeys; nothing
// here looks at other accounts' state.
import { CAPABILITIES, CAPABILITY_BIT } from '../core/capabilities.js';
import type { AccountEvent, Exchange } from '../core/records.js';
import { DAY, HOUR } from '../core/time.js';
import { ipPrefix } from '../sketches/keyed-hash.js';
import { murmur3 as hash32 } from '../sketches/hash.js';
import { CapabilityTagger } from './content-tags.js';
import { AccountState, RECENT_HOURS } from './account-state.js';
import type { StageTimes } from '../core/stage-times.js';

const NCAPS = CAPABILITIES.length;
/** Seeds of the prompt and system-prompt hashes (observe/presketch.ts computes the same). */
export const PROMPT_SEED = 1;
export const SYSTEM_SEED = 2;
export const REASONING_MASK = CAPABILITY_BIT.reasoning | CAPABILITY_BIT.reasoning_reconstruction | CAPABILITY_BIT.rubric_grading;

/** What an exchange shares with other accounts' exchanges, as link found it (Linker.keysOf). */
export interface ExchangeKeys {
  /** Template ids of the prompt's head and tail scaffold windows (0, 1 or 2; may be equal). */
  templates: readonly number[];
  /** Hash of the whole masked prompt: the item asked. */
  item: number;
  /** Model id in link's catalogue. */
  model: number;
  /** max_tokens at the model's output ceiling (maxed out). */
  atCeiling: boolean;
  /** The model released less than a day before the exchange (-1: none). */
  release: number;
}

/** What observing an account record gives link: the account, and whether its identity keys may have changed. */
export interface ObservedProfile {
  account: AccountState;
  /** A field that defines link's identity keys (card, links, sign-up time and network, e-mail pattern) or the org changed. */
  identityChanged: boolean;
}

export class Observer {
  readonly accounts = new Map<string, AccountState>();
  readonly list: AccountState[] = [];
  /** Readable values behind the hashed keys of IP prefixes and client fingerprints, for indicators. */
  readonly prefixNames = new Map<number, string>();
  readonly clientNames = new Map<number, string>();
  /** One copy of each value of the profile fields accounts have in common (see AccountState.applyProfile). */
  private readonly profileValues = new Map<string, string>();
  /** Tags exchanges that come without a decode worker's sketch. */
  private readonly tagger = new CapabilityTagger();
  private readonly shared = (v: string): string => {
    const known = this.profileValues.get(v);
    if (known !== undefined) return known;
    this.profileValues.set(v, v);
    return v;
  };

  constructor(private readonly times?: StageTimes) {}

  account(id: string): AccountState {
    let s = this.accounts.get(id);
    if (!s) {
      s = new AccountState(this.list.length, id);
      this.accounts.set(id, s);
      this.list.push(s);
    }
    return s;
  }

  /** Takes an account record's profile fields into its account. */
  observeAccount(ev: AccountEvent): ObservedProfile {
    const account = this.account(ev.accountId);
    return { account, identityChanged: account.applyProfile(ev, this.shared) };
  }

  /**
   * Folds the exchange into its account (`s`, when the caller already looked it up); returns the
   * exchange's capability bits (what it asks for).
   */
  observeExchange(ex: Exchange, keys: ExchangeKeys, s: AccountState = this.account(ex.accountId)): number {
    const times = this.times;
    let t0 = times ? performance.now() : 0;
    const tr = s.startTraffic();
    const t = ex.ts;
    if (tr.exchanges > 0) {
      const gap = Math.max(1, (t - tr.lastTs) / 1000);
      const lg = Math.log(gap);
      tr.gaps++;
      const d = lg - tr.gapMean;
      tr.gapMean += d / tr.gaps;
      tr.gapM2 += d * (lg - tr.gapMean);
    }
    if (t < tr.firstTs) tr.firstTs = t;
    if (t > tr.lastTs) tr.lastTs = t;
    tr.exchanges++;
    s.dirty = true;

    // content
    if (times) t0 = times.add('observe', t0);
    const pre = ex.sketch;
    const mask = pre ? pre.mask : this.tagger.tag(ex.prompt, ex.system, ex.tools, ex.thinking);
    if (times) t0 = times.add('tag', t0);
    if (mask !== 0) for (let i = 0; i < NCAPS; i++) if (mask & (1 << i)) tr.caps[i]++;
    if (ex.n > 1) tr.multiSample++;
    if (ex.logprobs) tr.logprobs++;
    if (ex.thinking) tr.thinking++;
    if (ex.turns <= 1) tr.singleTurn++;
    if (ex.tools > 0) tr.withTools++;
    if (ex.orgId !== undefined) tr.exchangeOrg = ex.orgId;
    tr.prompts.add(pre ? pre.promptHash : hash32(ex.prompt, PROMPT_SEED));
    if (pre) {
      if (pre.systemHash !== undefined) tr.systems.add(pre.systemHash);
    } else if (ex.system) tr.systems.add(hash32(ex.system, SYSTEM_SEED));
    const elicits = (mask & REASONING_MASK) !== 0;
    if (elicits) tr.reasoningPrompts++;
    for (const id of keys.templates) tr.templates.add(id);
    if (elicits) tr.reasoningItems.add(keys.item);

    // model: ceiling and release pivot
    tr.models.add(keys.model);
    if (keys.atCeiling) tr.atCeiling++;
    const rel = keys.release;
    if (rel >= 0) {
      if (tr.releaseModel !== rel) {
        tr.releaseModel = rel;
        tr.releaseWindowTotal = 0;
        tr.releaseWindowOnNew = 0;
      }
      tr.releaseWindowTotal++;
      if (keys.model === rel) tr.releaseWindowOnNew++;
    }

    // network and client
    const c = ex.client;
    if (c.ip) {
      tr.ips.add(hash32(c.ip, 3));
      const prefix = ipPrefix(c.ip);
      const ph = hash32(prefix, 4);
      if (tr.ipPrefixes.add(ph) && !this.prefixNames.has(ph)) this.prefixNames.set(ph, prefix);
    }
    if (c.asn !== undefined) tr.asns.add(c.asn);
    if (c.tlsFingerprint || c.userAgent) {
      const client = `${c.tlsFingerprint ?? ''}|${c.userAgent ?? ''}`;
      const ch = hash32(client, 5);
      if (tr.clients.add(ch) && !this.clientNames.has(ch)) this.clientNames.set(ch, client);
    }
    if (ex.endUser) tr.endUsers.add(hash32(ex.endUser, 6));

    // time
    const hour = Math.floor(t / HOUR);
    tr.hourOfDay[hour % 24]++;
    if (hour > tr.recentHour) {
      const clear = Math.min(RECENT_HOURS, hour - tr.recentHour);
      for (let i = 1; i <= clear; i++) tr.recent[(tr.recentHour + i) % RECENT_HOURS] = 0;
      tr.recentHour = hour;
    }
    if (hour > tr.recentHour - RECENT_HOURS) {
      const slot = hour % RECENT_HOURS;
      if (tr.recent[slot] < 0xffff) tr.recent[slot]++;
    }
    const day = Math.floor(t / DAY);
    if (day !== tr.lastDay) {
      tr.activeDays++;
      tr.lastDay = day;
    }
    times?.add('observe', t0);
    return mask;
  }
}
