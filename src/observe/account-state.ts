// Bounded per-account state: counters, fixed histograms and small sketches, never a list of exchanges.
// Self-contained (no references to other accounts) so accounts can later be partitioned across processes.
import { CAPABILITIES } from '../core/capabilities.js';
import { PLANS, type AccountEvent, type Millis, type Plan, type Verification } from '../core/records.js';
import { ipPrefix } from '../sketches/keyed-hash.js';
import { Hll } from '../sketches/hll.js';
import { TopK } from './topk.js';
import type { StateKinds } from '../core/state-graph.js';

/** Hours of recent activity kept per account for co-activity (lockstep / load-balance) tests. */
export const RECENT_HOURS = 48;

/** A sketch that stays empty: writing to it is a bug (an account observed without startTraffic). */
class EmptyHll extends Hll {
  override add(): void {
    throw new Error('AccountState: traffic sketch written before startTraffic()');
  }
  override merge(): void {
    throw new Error('AccountState: traffic sketch written before startTraffic()');
  }
}
class EmptyTopK extends TopK {
  override add(): boolean {
    throw new Error('AccountState: traffic sketch written before startTraffic()');
  }
}

const NCAPS = CAPABILITIES.length;
const HLLS = 4;
/** Capacity of each top-k table, and the slots it starts with in the account's buffer (templates outgrow theirs). */
const TABLES = { ipPrefixes: [4, 4], asns: [4, 4], clients: [3, 3], systems: [3, 3], templates: [32, 4], models: [4, 4] } as const;
const SLOTS = Object.values(TABLES).reduce((n, [, room]) => n + room, 0);
// One buffer per account with traffic: top-k keys (f64), top-k counts and errors, capabilities and
// hours of day (u32), the recent-hours ring (u16), the HLL registers (u8).
const COUNTS_AT = 8 * SLOTS;
const CAPS_AT = COUNTS_AT + 4 * 2 * SLOTS;
const HOURS_AT = CAPS_AT + 4 * NCAPS;
const RECENT_AT = HOURS_AT + 4 * 24;
const HLL_AT = RECENT_AT + 2 * RECENT_HOURS;
const BUFFER_BYTES = HLL_AT + HLLS * Hll.BYTES;

/**
 * An account's traffic: counters and sketches. Accounts without exchanges all share one empty, read-only
 * instance (NO_TRAFFIC): a provider's many idle accounts cost their profile, not their traffic's ~2 KiB.
 */
export class Traffic {
  firstTs = Infinity;
  lastTs = -Infinity;
  exchanges = 0;
  atCeiling = 0;
  multiSample = 0;
  logprobs = 0;
  thinking = 0;
  singleTurn = 0;
  withTools = 0;
  /** Declared org_id on exchanges (keys of one organization). */
  exchangeOrg: string | undefined = undefined;
  reasoningPrompts = 0;
  recentHour = -1;
  activeDays = 0;
  lastDay = -1;
  // Welford over log inter-arrival gaps (seconds).
  gaps = 0;
  gapMean = 0;
  gapM2 = 0;
  // The latest model release this account saw traffic during: exchanges in its first day, and on it.
  releaseModel = -1;
  releaseWindowTotal = 0;
  releaseWindowOnNew = 0;
  readonly caps: Uint32Array;
  readonly prompts: Hll;
  readonly endUsers: Hll;
  readonly ips: Hll;
  readonly ipPrefixes: TopK;
  readonly asns: TopK;
  readonly clients: TopK; // hash of tls fingerprint + user agent
  readonly systems: TopK; // hash of the system prompt
  readonly templates: TopK; // template cluster ids (head and tail scaffolds)
  /** Distinct items (masked whole prompts) among the prompts that elicit reasoning. */
  readonly reasoningItems: Hll;
  readonly models: TopK;
  /** Exchanges by UTC hour of day. */
  readonly hourOfDay: Uint32Array;
  /** Exchanges per hour over the last RECENT_HOURS hours, a ring indexed by absolute hour. */
  readonly recent: Uint16Array;

  /** `empty`: the shared placeholder of accounts without exchanges, whose sketches refuse writes. */
  constructor(empty = false) {
    if (empty) {
      const hll = new EmptyHll();
      const topk = new EmptyTopK(0);
      this.caps = new Uint32Array(NCAPS);
      this.prompts = this.endUsers = this.ips = this.reasoningItems = hll;
      this.ipPrefixes = this.asns = this.clients = this.systems = this.templates = this.models = topk;
      this.hourOfDay = new Uint32Array(24);
      this.recent = new Uint16Array(RECENT_HOURS);
      return;
    }
    const buf = new ArrayBuffer(BUFFER_BYTES);
    const keys = new Float64Array(buf, 0, SLOTS);
    const counts = new Uint32Array(buf, COUNTS_AT, 2 * SLOTS);
    let slot = 0;
    const table = ([capacity, room]: readonly [number, number]): TopK => {
      const t = new TopK(capacity, keys, slot, counts, 2 * slot, room);
      slot += room;
      return t;
    };
    this.ipPrefixes = table(TABLES.ipPrefixes);
    this.asns = table(TABLES.asns);
    this.clients = table(TABLES.clients);
    this.systems = table(TABLES.systems);
    this.templates = table(TABLES.templates);
    this.models = table(TABLES.models);
    this.caps = new Uint32Array(buf, CAPS_AT, NCAPS);
    this.hourOfDay = new Uint32Array(buf, HOURS_AT, 24);
    this.recent = new Uint16Array(buf, RECENT_AT, RECENT_HOURS);
    const regs = new Uint8Array(buf, HLL_AT, HLLS * Hll.BYTES);
    this.prompts = new Hll(regs, 0);
    this.endUsers = new Hll(regs, Hll.BYTES);
    this.ips = new Hll(regs, 2 * Hll.BYTES);
    this.reasoningItems = new Hll(regs, 3 * Hll.BYTES);
  }
}

/** What an account without exchanges reads: zero counts, empty sketches, shared by all of them. */
const NO_TRAFFIC = new Traffic(true);

/** Profile fields few accounts have: kept apart so the many accounts without them do not carry five empty fields. */
class ProfileExtras {
  orgId: string | undefined = undefined;
  /** Community-keyed hashes of the e-mail (`keyId:hex`), for sharing and peer matching. */
  emailShared: string[] | undefined = undefined;
  paymentBin: string | undefined = undefined;
  signupUserAgent: string | undefined = undefined;
  links: Record<string, string> | undefined = undefined;
}

// Small facts packed into one integer (`AccountState.packed`): bit 0 dirty, bits 1-3 the plan, bits
// 4-6 the verification (0: none given).
const DIRTY = 1;
const PLAN_AT = 1;
const VERIFICATION_AT = 4;
const PLAN_CODES: readonly (Plan | undefined)[] = [undefined, ...PLANS];
const VERIFICATIONS: readonly (Verification | undefined)[] = [undefined, 'none', 'email', 'phone', 'id', 'business'];

function code<T>(values: readonly T[], v: T, what: string): number {
  const i = values.indexOf(v);
  if (i < 0) throw new Error(`AccountState: unknown ${what} ${String(v)}`);
  return i;
}

/**
 * One account's bounded state: what observe saw of it (profile and traffic), nothing later stages
 * concluded (link's groups and the judge's scores and verdicts live in their own columns, by `idx`).
 * Idle accounts are most of a provider's accounts, so what most of them never have lives apart, made
 * when first written: traffic (Traffic), rare profile fields (ProfileExtras); small facts share one
 * integer. Readers and writers use the plain field names (accessors below).
 */
export class AccountState {
  // --- profile, from account records
  createdAt?: Millis;
  country?: string;
  emailPattern?: string;
  emailDomain?: string;
  /** The card's fingerprint (an empty fingerprint reads as none: neither links anything). */
  paymentFingerprint?: string;
  /**
   * The network (/24 or /48 prefix) the account signed up from: what links accounts. The address
   * itself is not kept (nothing else reads it, and one string per account is a tenth of its cost).
   */
  signupNetwork?: string;
  private extras: ProfileExtras | undefined = undefined;

  /** Counters and sketches of the account's exchanges: the shared empty NO_TRAFFIC until the first. */
  traffic: Traffic = NO_TRAFFIC;

  private packed = 0;

  constructor(
    readonly idx: number,
    readonly id: string,
  ) {}

  private extra(): ProfileExtras {
    return (this.extras ??= new ProfileExtras());
  }

  private setBits(at: number, mask: number, value: number): void {
    this.packed = (this.packed & ~(mask << at)) | (value << at);
  }

  get plan(): Plan | undefined {
    return PLAN_CODES[(this.packed >>> PLAN_AT) & 7];
  }
  set plan(p: Plan | undefined) {
    this.setBits(PLAN_AT, 7, code(PLAN_CODES, p, 'plan'));
  }
  get verification(): Verification | undefined {
    return VERIFICATIONS[(this.packed >>> VERIFICATION_AT) & 7];
  }
  set verification(v: Verification | undefined) {
    this.setBits(VERIFICATION_AT, 7, code(VERIFICATIONS, v, 'verification'));
  }
  get orgId(): string | undefined {
    return this.extras?.orgId;
  }
  set orgId(v: string | undefined) {
    if (v !== undefined || this.extras) this.extra().orgId = v;
  }
  /** Community-keyed hashes of the e-mail (`keyId:hex`), for sharing and peer matching. */
  get emailShared(): string[] | undefined {
    return this.extras?.emailShared;
  }
  set emailShared(v: string[] | undefined) {
    if (v !== undefined || this.extras) this.extra().emailShared = v;
  }
  get paymentBin(): string | undefined {
    return this.extras?.paymentBin;
  }
  set paymentBin(v: string | undefined) {
    if (v !== undefined || this.extras) this.extra().paymentBin = v;
  }
  get signupUserAgent(): string | undefined {
    return this.extras?.signupUserAgent;
  }
  set signupUserAgent(v: string | undefined) {
    if (v !== undefined || this.extras) this.extra().signupUserAgent = v;
  }
  get links(): Record<string, string> | undefined {
    return this.extras?.links;
  }
  set links(v: Record<string, string> | undefined) {
    if (v !== undefined || this.extras) this.extra().links = v;
  }

  /** Touched since the last judgement. */
  get dirty(): boolean {
    return (this.packed & DIRTY) !== 0;
  }
  set dirty(on: boolean) {
    this.packed = on ? this.packed | DIRTY : this.packed & ~DIRTY;
  }
  /** Gives the account its own traffic counters and sketches; the observer calls it before the first exchange. */
  startTraffic(): Traffic {
    if (this.traffic === NO_TRAFFIC) this.traffic = new Traffic();
    return this.traffic;
  }

  // The traffic, read through the account (signals, judge, results read these names).
  get firstTs(): Millis {
    return this.traffic.firstTs;
  }
  get lastTs(): Millis {
    return this.traffic.lastTs;
  }
  get exchanges(): number {
    return this.traffic.exchanges;
  }
  get caps(): Uint32Array {
    return this.traffic.caps;
  }
  get atCeiling(): number {
    return this.traffic.atCeiling;
  }
  get multiSample(): number {
    return this.traffic.multiSample;
  }
  get logprobs(): number {
    return this.traffic.logprobs;
  }
  get thinking(): number {
    return this.traffic.thinking;
  }
  get singleTurn(): number {
    return this.traffic.singleTurn;
  }
  get withTools(): number {
    return this.traffic.withTools;
  }
  get exchangeOrg(): string | undefined {
    return this.traffic.exchangeOrg;
  }
  get prompts(): Hll {
    return this.traffic.prompts;
  }
  get endUsers(): Hll {
    return this.traffic.endUsers;
  }
  get ips(): Hll {
    return this.traffic.ips;
  }
  get ipPrefixes(): TopK {
    return this.traffic.ipPrefixes;
  }
  get asns(): TopK {
    return this.traffic.asns;
  }
  get clients(): TopK {
    return this.traffic.clients;
  }
  get systems(): TopK {
    return this.traffic.systems;
  }
  get templates(): TopK {
    return this.traffic.templates;
  }
  get reasoningItems(): Hll {
    return this.traffic.reasoningItems;
  }
  get reasoningPrompts(): number {
    return this.traffic.reasoningPrompts;
  }
  get models(): TopK {
    return this.traffic.models;
  }
  get hourOfDay(): Uint32Array {
    return this.traffic.hourOfDay;
  }
  get recent(): Uint16Array {
    return this.traffic.recent;
  }
  get recentHour(): number {
    return this.traffic.recentHour;
  }
  get activeDays(): number {
    return this.traffic.activeDays;
  }
  get lastDay(): number {
    return this.traffic.lastDay;
  }
  get gaps(): number {
    return this.traffic.gaps;
  }
  get gapMean(): number {
    return this.traffic.gapMean;
  }
  get gapM2(): number {
    return this.traffic.gapM2;
  }
  get releaseModel(): number {
    return this.traffic.releaseModel;
  }
  get releaseWindowTotal(): number {
    return this.traffic.releaseWindowTotal;
  }
  get releaseWindowOnNew(): number {
    return this.traffic.releaseWindowOnNew;
  }

  /**
   * Takes the record's profile fields. `shared` returns one string for equal values of the fields many
   * accounts have in common (country, e-mail domain and pattern, card BIN, sign-up network, user
   * agent), so a million accounts do not hold a million copies of "gmail.com". The e-mail hash itself
   * is not kept: nothing is derived from it (the keyed copies in `emailShared` are what is shared and
   * matched). Returns whether a field that defines link's identity keys or the org changed.
   */
  applyProfile(ev: AccountEvent, shared: (value: string) => string = (v) => v): boolean {
    let linked = false;
    if (ev.createdAt !== undefined) {
      linked ||= ev.createdAt !== this.createdAt;
      this.createdAt = ev.createdAt;
    }
    if (ev.plan !== undefined) this.plan = ev.plan;
    if (ev.verification !== undefined) this.verification = ev.verification;
    if (ev.orgId !== undefined) {
      linked ||= ev.orgId !== this.orgId;
      this.orgId = ev.orgId;
    }
    if (ev.country !== undefined) this.country = shared(ev.country);
    if (ev.emailShared !== undefined) this.emailShared = ev.emailShared;
    if (ev.emailPattern !== undefined) {
      linked ||= ev.emailPattern !== this.emailPattern;
      this.emailPattern = shared(ev.emailPattern);
    }
    if (ev.emailDomain !== undefined) {
      linked ||= ev.emailDomain !== this.emailDomain;
      this.emailDomain = shared(ev.emailDomain);
    }
    if (ev.paymentFingerprint !== undefined) {
      const fp = ev.paymentFingerprint || undefined;
      linked ||= fp !== this.paymentFingerprint;
      this.paymentFingerprint = fp;
    }
    if (ev.paymentBin !== undefined) {
      linked ||= ev.paymentBin !== this.paymentBin;
      this.paymentBin = shared(ev.paymentBin);
    }
    if (ev.signupIp !== undefined) {
      const network = ev.signupIp ? shared(ipPrefix(ev.signupIp)) : undefined;
      linked ||= network !== this.signupNetwork;
      this.signupNetwork = network;
    }
    if (ev.signupUserAgent !== undefined) this.signupUserAgent = shared(ev.signupUserAgent);
    if (ev.links !== undefined) {
      const before = this.links ? JSON.stringify(this.links) : '';
      this.links = { ...this.links, ...ev.links };
      linked ||= JSON.stringify(this.links) !== before;
    }
    this.dirty = true;
    return linked;
  }

  /** Account age in days at time t (from sign-up, else from first exchange). */
  ageDays(t: Millis): number {
    const born = this.createdAt ?? this.firstTs;
    return Math.max(0, (t - born) / 86_400_000);
  }

  share(count: number): number {
    return this.exchanges === 0 ? 0 : count / this.exchanges;
  }

  capShare(bitIndex: number): number {
    return this.share(this.caps[bitIndex]);
  }

  /** Hourly activity of the last RECENT_HOURS hours ending at `hour` (absolute hours since epoch). */
  recentVector(hour: number, out: Float64Array): Float64Array {
    for (let i = 0; i < RECENT_HOURS; i++) {
      const h = hour - (RECENT_HOURS - 1 - i);
      out[i] = h > this.recentHour - RECENT_HOURS && h <= this.recentHour ? this.recent[h % RECENT_HOURS] : 0;
    }
    return out;
  }
}

/** What a checkpoint of account states holds (src/core/state-graph.ts): the classes and the shared empty traffic. */
export const ACCOUNT_STATE_KINDS: StateKinds = { classes: [AccountState, Traffic, ProfileExtras, EmptyHll, EmptyTopK], constants: [NO_TRAFFIC] };
