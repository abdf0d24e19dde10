// Bounded per-account state: counters, fixed histograms and small sketches, never a list of exchanges.
// Self-contained (no references to other accounts) so accounts can later be partitioned across processes.
import { CAPABILITIES } from '../core/capabilities.js';
import type { Reason } from '../core/reasons.js';
import type { AccountEvent, Millis, Plan, Verification } from '../core/records.js';
import type { VerdictLevel } from '../core/output.js';
import { Hll } from './hll.js';
import { TopK } from './topk.js';

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

/** What an account without exchanges reads: zero counts, empty sketches, shared by all of them. */
const NO_TRAFFIC = {
  caps: new Uint32Array(CAPABILITIES.length),
  hll: new EmptyHll(),
  topk: new EmptyTopK(0),
  hours: new Uint32Array(24),
  recent: new Uint16Array(RECENT_HOURS),
};

export class AccountState {
  // --- profile, from account records
  createdAt?: Millis;
  plan?: Plan;
  verification?: Verification;
  orgId?: string;
  country?: string;
  emailHash?: string;
  /** Community-keyed hashes of the e-mail (`keyId:hex`), for sharing and peer matching. */
  emailShared?: string[];
  emailPattern?: string;
  emailDomain?: string;
  paymentFingerprint?: string;
  paymentBin?: string;
  signupIp?: string;
  signupUserAgent?: string;
  links?: Record<string, string>;
  /** Set when a profile field that defines link groups changed since the last judgement. */
  profileDirty = false;
  /** Counts changes of the profile fields that define link groups (identity keys are cached on it). */
  profileVersion = 0;

  // --- traffic. The sketches below are shared, empty, read-only placeholders until the account's
  // first exchange (startTraffic): a provider's many idle accounts cost their profile, not ~6 KiB each.
  firstTs = Infinity;
  lastTs = -Infinity;
  exchanges = 0;
  caps: Uint32Array = NO_TRAFFIC.caps;
  atCeiling = 0;
  multiSample = 0;
  logprobs = 0;
  thinking = 0;
  singleTurn = 0;
  withTools = 0;
  /** Declared org_id on exchanges (keys of one organization). */
  exchangeOrg?: string;
  prompts: Hll = NO_TRAFFIC.hll;
  endUsers: Hll = NO_TRAFFIC.hll;
  ips: Hll = NO_TRAFFIC.hll;
  ipPrefixes: TopK = NO_TRAFFIC.topk;
  asns: TopK = NO_TRAFFIC.topk;
  clients: TopK = NO_TRAFFIC.topk; // hash of tls fingerprint + user agent
  systems: TopK = NO_TRAFFIC.topk; // hash of the system prompt
  templates: TopK = NO_TRAFFIC.topk; // template cluster ids (head and tail scaffolds)
  /** Distinct items (masked whole prompts) among the prompts that elicit reasoning, and their count. */
  reasoningItems: Hll = NO_TRAFFIC.hll;
  reasoningPrompts = 0;
  models: TopK = NO_TRAFFIC.topk;
  /** Exchanges by UTC hour of day. */
  hourOfDay: Uint32Array = NO_TRAFFIC.hours;
  /** Exchanges per hour over the last RECENT_HOURS hours, a ring indexed by absolute hour. */
  recent: Uint16Array = NO_TRAFFIC.recent;
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

  // --- judgement
  dirty = false;
  score = 0;
  verdict: VerdictLevel = 'benign';
  flaggedAt: Millis | null = null;
  suspiciousAt: Millis | null = null;
  exchangesAtFlag: number | null = null;
  reasons: Reason[] = [];
  /** Harvest (content) score of the latest judgement, in [0, 1]. */
  harvest = 0;
  /** The flags this account last contributed to its groups' member sums (judge/group-aggregates.ts). */
  groupFlags = 0;

  constructor(
    readonly idx: number,
    readonly id: string,
  ) {}

  /** Gives the account its own traffic sketches; the observer calls it before the first exchange. */
  startTraffic(): void {
    if (this.templates !== NO_TRAFFIC.topk) return;
    this.caps = new Uint32Array(CAPABILITIES.length);
    this.prompts = new Hll();
    this.endUsers = new Hll();
    this.ips = new Hll();
    this.ipPrefixes = new TopK(4);
    this.asns = new TopK(4);
    this.clients = new TopK(3);
    this.systems = new TopK(3);
    this.templates = new TopK(32);
    this.reasoningItems = new Hll();
    this.models = new TopK(4);
    this.hourOfDay = new Uint32Array(24);
    this.recent = new Uint16Array(RECENT_HOURS);
  }

  applyProfile(ev: AccountEvent): void {
    const before = this.linkSignature();
    if (ev.createdAt !== undefined) this.createdAt = ev.createdAt;
    if (ev.plan !== undefined) this.plan = ev.plan;
    if (ev.verification !== undefined) this.verification = ev.verification;
    if (ev.orgId !== undefined) this.orgId = ev.orgId;
    if (ev.country !== undefined) this.country = ev.country;
    if (ev.emailHash !== undefined) this.emailHash = ev.emailHash;
    if (ev.emailShared !== undefined) this.emailShared = ev.emailShared;
    if (ev.emailPattern !== undefined) this.emailPattern = ev.emailPattern;
    if (ev.emailDomain !== undefined) this.emailDomain = ev.emailDomain;
    if (ev.paymentFingerprint !== undefined) this.paymentFingerprint = ev.paymentFingerprint;
    if (ev.paymentBin !== undefined) this.paymentBin = ev.paymentBin;
    if (ev.signupIp !== undefined) this.signupIp = ev.signupIp;
    if (ev.signupUserAgent !== undefined) this.signupUserAgent = ev.signupUserAgent;
    if (ev.links !== undefined) this.links = { ...this.links, ...ev.links };
    if (this.linkSignature() !== before) {
      this.profileDirty = true;
      this.profileVersion++;
    }
    this.dirty = true;
  }

  private linkSignature(): string {
    return [
      this.createdAt,
      this.emailPattern,
      this.emailDomain,
      this.emailHash,
      this.paymentFingerprint,
      this.paymentBin,
      this.signupIp,
      this.orgId,
      this.links ? JSON.stringify(this.links) : '',
    ].join('|');
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
