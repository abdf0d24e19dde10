// observe: fold each exchange into its account's bounded state. Global, bounded helpers (template
// clusters, model catalogue) are shared; nothing here looks at other accounts' state.
import { CAPABILITIES, CAPABILITY_BIT } from '../core/capabilities.js';
import type { AccountEvent, Exchange } from '../core/records.js';
import { DAY, HOUR } from '../core/time.js';
import type { EngineConfig } from '../config/schema.js';
import { ModelCatalog } from '../link/models.js';
import { TemplateIndex } from '../link/templates.js';
import { ipPrefix } from '../sketches/keyed-hash.js';
import { murmur3 as hash32 } from '../sketches/hash.js';
import { tagCapabilities } from '../signals/content-tags.js';
import { AccountState, RECENT_HOURS } from './account-state.js';
import type { StageTimes } from '../core/stage-times.js';

/** Share of a model's ceiling at which max_tokens counts as "maxed out". */
const CEILING_SHARE = 0.9;
const NCAPS = CAPABILITIES.length;
/** Seeds of the prompt and system-prompt hashes (observe/presketch.ts computes the same). */
export const PROMPT_SEED = 1;
export const SYSTEM_SEED = 2;
export const REASONING_MASK = CAPABILITY_BIT.reasoning | CAPABILITY_BIT.reasoning_reconstruction | CAPABILITY_BIT.rubric_grading;

export class Observer {
  readonly accounts = new Map<string, AccountState>();
  readonly list: AccountState[] = [];
  readonly models: ModelCatalog;
  readonly templates: TemplateIndex;
  private readonly templateIds: number[] = [];
  /** Readable values behind the hashed keys of IP prefixes and client fingerprints, for indicators. */
  readonly prefixNames = new Map<number, string>();
  readonly clientNames = new Map<number, string>();
  /** Capability bits of the latest exchange observed (the engine counts them into its account's groups). */
  lastMask = 0;
  /** One copy of each value of the profile fields accounts have in common (see AccountState.applyProfile). */
  private readonly profileValues = new Map<string, string>();
  private readonly shared = (v: string): string => {
    const known = this.profileValues.get(v);
    if (known !== undefined) return known;
    this.profileValues.set(v, v);
    return v;
  };

  constructor(
    cfg: EngineConfig,
    private readonly times?: StageTimes,
  ) {
    this.models = new ModelCatalog(cfg.modelCeilings);
    this.templates = new TemplateIndex(cfg.template);
  }

  account(id: string): AccountState {
    let s = this.accounts.get(id);
    if (!s) {
      s = new AccountState(this.list.length, id);
      this.accounts.set(id, s);
      this.list.push(s);
    }
    return s;
  }

  observeAccount(ev: AccountEvent): AccountState {
    const s = this.account(ev.accountId);
    s.applyProfile(ev, this.shared);
    return s;
  }

  observeExchange(ex: Exchange): AccountState {
    const times = this.times;
    let t0 = times ? performance.now() : 0;
    const s = this.account(ex.accountId);
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
    const mask = pre ? pre.mask : tagCapabilities(ex.prompt, ex.system, ex.tools, ex.thinking);
    if (times) t0 = times.add('tag', t0);
    this.lastMask = mask;
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
    if (times) t0 = times.add('observe', t0);
    const ids = pre ? this.templates.assignSketch(pre.templates, this.templateIds) : this.templates.assign(ex.prompt, this.templateIds);
    for (const id of ids) tr.templates.add(id);
    if (times) t0 = times.add('sketch', t0);
    if (elicits) tr.reasoningItems.add(this.templates.lastItem);

    // model: ceiling and release pivot
    const model = this.models.observe(ex.model ?? '', t, ex.maxTokens);
    tr.models.add(model.id);
    if (ex.maxTokens !== undefined) {
      const ceiling = this.models.ceiling(model);
      if (ceiling > 0 && ex.maxTokens >= CEILING_SHARE * ceiling) tr.atCeiling++;
    }
    const rel = this.models.latestRelease;
    if (rel && t - rel.firstSeen < DAY) {
      if (tr.releaseModel !== rel.id) {
        tr.releaseModel = rel.id;
        tr.releaseWindowTotal = 0;
        tr.releaseWindowOnNew = 0;
      }
      tr.releaseWindowTotal++;
      if (model.id === rel.id) tr.releaseWindowOnNew++;
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
    return s;
  }
}
