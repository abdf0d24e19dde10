// Indicators imported from peers, matched inside the online engine (judge/peer.ts's PeerEvidence).
//
// Event-time honest: an indicator counts only from its `valid_from` (the producer's detection time), so
// a replay never uses what a peer learned later. Trust: every indicator keeps its producer; a match is
// weak evidence alone and strong only when corroborated, by a second producer or by local evidence
// (the account's own traffic harvests). A warninglist drops indicators naming shared infrastructure or
// benign scaffolds, and an indicator matched mostly by accounts that do not harvest is treated as
// shared infrastructure (a local warninglist), so a poisoned feed cannot ban real customers. Alone an
// account is capped below `distillation` by the judge anyway: peer evidence speeds up a conviction the
// local engine can reach; it never makes one by itself.
import type { Reason } from '../core/reasons.js';
import type { Millis } from '../core/records.js';
import type { PeerEvidence } from '../judge/peer.js';
import type { AccountState } from '../observe/account-state.js';
import type { Observer } from '../observe/observer.js';
import { Allowlist } from './allowlist.js';
import { decodeFingerprint, fingerprintSimilarity, MATCH_SIMILARITY, TemplateFingerprinter, WINDOW_SALT, type TemplateFingerprint } from './fingerprint.js';
import { parseKeyed, type Keyring } from './keyring.js';

export interface ImportedIndicator {
  /** STIX id of the indicator (sightings refer to it). */
  stixId: string;
  kind: string;
  value: string;
  /** Identity that produced it (created_by_ref), or where it came from. */
  producer: string;
  /** From when it may be used (valid_from), epoch ms. */
  validFrom: Millis;
  validUntil?: Millis;
}

/** Evidence weight of one matched kind, before corroboration. */
const KIND_WEIGHT: Record<string, number> = {
  payment_hmac: 0.8,
  email_hmac: 0.8,
  template_fingerprint: 0.5,
  ip_prefix: 0.25,
  asn: 0.15,
  user_agent: 0.15,
  tls_fingerprint: 0.15,
};
/** Most peer evidence one account can carry. */
const MAX_WEIGHT = 1.4;
/** Exchanges from which a vouched-for account's shares count (the local engine waits for 5). */
const VOUCHED_MIN_EXCHANGES = 2;
/** Share of the weight an uncorroborated match keeps. */
const UNCORROBORATED = 0.25;
/** An indicator matched by this many local accounts, most of them not harvesting, is shared infrastructure. */
const PREVALENT_ACCOUNTS = 20;
const PREVALENT_BENIGN_SHARE = 0.5;

interface Known extends ImportedIndicator {
  fingerprint?: TemplateFingerprint;
  /** Local accounts that matched it, and whether each harvested when it last matched. */
  accounts: Map<number, boolean>;
  first: Millis;
  last: Millis;
}

export interface Sighting {
  indicator: ImportedIndicator;
  accounts: number;
  firstSeen: Millis;
  lastSeen: Millis;
}

export class PeerIndicators implements PeerEvidence {
  private readonly byValue = new Map<string, Known[]>();
  private readonly templates: Known[] = [];
  /** Local template cluster id → the template indicators it matched. */
  private readonly matchedTemplates = new Map<number, Known[]>();
  private readonly fingerprinter: TemplateFingerprinter;
  private readonly paymentKeys = new Set<string>();
  /** Payment fingerprint → its keyed hashes under the keys peers used (HMAC once per instrument). */
  private readonly paymentHashes = new Map<string, string[]>();
  private observer: Observer | undefined;
  private clock = -Infinity;
  /** Accounts whose latest evaluation matched corroborated peer evidence of an identity or a pipeline. */
  private readonly vouched = new Set<number>();
  readonly minExchanges = VOUCHED_MIN_EXCHANGES;
  readonly suppressed: ImportedIndicator[] = [];
  readonly unmatchable: ImportedIndicator[] = [];

  constructor(
    indicators: readonly ImportedIndicator[],
    private readonly keyring: Keyring,
    allowlist: Allowlist = new Allowlist({}, keyring),
  ) {
    this.fingerprinter = new TemplateFingerprinter(keyring);
    for (const ind of indicators) {
      const k: Known = { ...ind, accounts: new Map(), first: Infinity, last: -Infinity };
      if (ind.kind === 'template_fingerprint') k.fingerprint = decodeFingerprint(ind.value);
      const keyId = ind.kind === 'template_fingerprint' ? k.fingerprint?.keyId : ind.kind.endsWith('_hmac') ? parseKeyed(ind.value)?.keyId : undefined;
      if (KIND_WEIGHT[ind.kind] === undefined || (ind.kind.endsWith('_hmac') || ind.kind === 'template_fingerprint') && (keyId === undefined || !keyring.has(keyId))) {
        this.unmatchable.push(ind);
        continue;
      }
      if (allowlist.suppresses(ind.kind, ind.value, k.fingerprint)) {
        this.suppressed.push(ind);
        continue;
      }
      if (ind.kind === 'template_fingerprint') this.templates.push(k);
      else {
        if (ind.kind === 'payment_hmac') this.paymentKeys.add(keyId!);
        const key = `${ind.kind}\u0000${ind.value}`;
        const list = this.byValue.get(key);
        if (list) list.push(k);
        else this.byValue.set(key, [k]);
      }
    }
  }

  get size(): number {
    return this.templates.length + [...this.byValue.values()].reduce((n, l) => n + l.length, 0);
  }

  /** The engine's observer, for the readable names behind its hashed prefixes and clients. */
  bind(observer: Observer): this {
    this.observer = observer;
    return this;
  }

  /** Engine hook: a new local template; does it match a peer's fingerprint (under any key we hold)? */
  readonly onTemplate = (id: number, window: string, salt: number): void => {
    if (this.templates.length === 0) return;
    const name = salt === WINDOW_SALT.tail ? 'tail' : 'head';
    const signed = new Map<string, TemplateFingerprint>();
    const hits: Known[] = [];
    for (const t of this.templates) {
      const fp = t.fingerprint!;
      if (fp.window !== name) continue;
      let mine = signed.get(fp.keyId);
      if (!mine) signed.set(fp.keyId, (mine = this.fingerprinter.sign(window, name, fp.keyId)));
      if (fingerprintSimilarity(mine, fp) >= MATCH_SIMILARITY) hits.push(t);
    }
    if (hits.length > 0) this.matchedTemplates.set(id, hits);
  };

  isKnownTemplate(key: string): boolean {
    const hits = this.matchedTemplates.get(Number(key.slice(key.indexOf(':') + 1)));
    return hits !== undefined && hits.some((k) => this.usable(k, this.clock));
  }

  evaluate(s: AccountState, harvesting: boolean, now: Millis, out: Reason[]): void {
    if (now > this.clock) this.clock = now;
    this.vouched.delete(s.idx);
    const matched = this.matches(s, now);
    if (matched.length === 0) return;
    const producers = new Set<string>();
    const kinds = new Set<string>();
    for (const k of matched) {
      k.accounts.set(s.idx, harvesting);
      // Sighted at the judgement's event time (an account record alone has no traffic times).
      if (now < k.first) k.first = now;
      if (now > k.last) k.last = now;
      if (this.prevalentBenign(k)) continue;
      producers.add(k.producer);
      kinds.add(k.kind);
    }
    if (kinds.size === 0) return;
    let weight = 0;
    for (const kind of kinds) weight += KIND_WEIGHT[kind];
    const corroborated = harvesting || producers.size >= 2;
    // Vouched for: corroborated, and the peer's evidence names this operation's identity or pipeline along
    // two kinds (a card and a scaffold, say), not merely a network or a client library.
    const specific = [...kinds].filter((k) => k === 'payment_hmac' || k === 'email_hmac' || k === 'template_fingerprint').length;
    if (corroborated && specific >= 1 && kinds.size >= 2) this.vouched.add(s.idx);
    weight = Math.min(MAX_WEIGHT, weight) * (corroborated ? 1 : UNCORROBORATED);
    out.push({ code: 'peer_indicator', weight, detail: { kinds: [...kinds].sort().join(','), producers: producers.size, corroborated } });
  }

  vouches(s: AccountState): boolean {
    return this.vouched.has(s.idx);
  }

  /** What matched, by indicator: STIX sightings to send back. */
  sightings(): Sighting[] {
    const out: Sighting[] = [];
    const all = [...this.templates, ...[...this.byValue.values()].flat()];
    for (const k of all) {
      if (k.accounts.size === 0 || this.prevalentBenign(k)) continue;
      const { accounts: _a, first, last, fingerprint: _f, ...indicator } = k;
      out.push({ indicator, accounts: k.accounts.size, firstSeen: first, lastSeen: last });
    }
    return out.sort((a, b) => a.indicator.stixId.localeCompare(b.indicator.stixId));
  }

  private usable(k: Known, now: Millis): boolean {
    return k.validFrom <= now && (k.validUntil === undefined || now < k.validUntil);
  }

  /** Matched mostly by accounts that do not harvest: shared infrastructure, whatever the feed says. */
  private prevalentBenign(k: Known): boolean {
    if (k.accounts.size < PREVALENT_ACCOUNTS) return false;
    let benign = 0;
    for (const h of k.accounts.values()) if (!h) benign++;
    return benign / k.accounts.size >= PREVALENT_BENIGN_SHARE;
  }

  private matches(s: AccountState, now: Millis): Known[] {
    const out: Known[] = [];
    const take = (kind: string, value: string): void => {
      const list = this.byValue.get(`${kind}\u0000${value}`);
      if (list) for (const k of list) if (this.usable(k, now) && !out.includes(k)) out.push(k);
    };
    if (s.paymentFingerprint && this.paymentKeys.size > 0) {
      let hashes = this.paymentHashes.get(s.paymentFingerprint);
      if (!hashes) {
        hashes = [...this.paymentKeys].map((keyId) => `${keyId}:${this.keyring.hash('payment_fingerprint', s.paymentFingerprint!, keyId).hash}`);
        this.paymentHashes.set(s.paymentFingerprint, hashes);
      }
      for (const h of hashes) take('payment_hmac', h);
    }
    for (const e of s.emailShared ?? []) take('email_hmac', e);
    for (let i = 0; i < s.templates.size; i++) {
      const hits = this.matchedTemplates.get(s.templates.key(i));
      if (hits) for (const k of hits) if (this.usable(k, now) && !out.includes(k)) out.push(k);
    }
    if (s.exchanges > 0) {
      const min = Math.max(1, 0.3 * s.exchanges);
      for (const a of s.asns.heavy(min)) take('asn', String(a));
      if (this.observer) {
        for (const h of s.ipPrefixes.heavy(min)) {
          const name = this.observer.prefixNames.get(h);
          if (name) take('ip_prefix', name);
        }
        for (const h of s.clients.heavy(min)) {
          const [tls, ua] = (this.observer.clientNames.get(h) ?? '|').split('|');
          if (tls) take('tls_fingerprint', tls);
          if (ua) take('user_agent', ua);
        }
      }
    }
    return out;
  }
}
