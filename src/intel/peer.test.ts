import { describe, expect, it } from 'vitest';
import { findReason, type Reason, type ReasonOf } from '../core/reasons.js';
import { DEFAULT_SCORING } from '../config/scoring.js';
import { AccountState } from '../observe/account-state.js';
import { Allowlist } from './allowlist.js';
import { encodeFingerprint, scaffoldWindows, TemplateFingerprinter } from './fingerprint.js';
import { formatKeyed, Keyring } from './keyring.js';
import { PeerIndicators, type ImportedIndicator } from './peer.js';

const ring = Keyring.parse({ keys: [{ id: 'old', secret: 'old-community-secret-000' }, { id: 'new', secret: 'new-community-secret-000' }] });
const T0 = Date.parse('2026-04-01T00:00:00Z');
const PIPELINE = 'Solve the following problem step by step, showing all reasoning before the final answer: "x"';

function ind(kind: string, value: string, producer = 'identity--a', validFrom = T0): ImportedIndicator {
  return { stixId: `indicator--${kind}-${value.length}`, kind, value, producer, validFrom };
}

/** The content score the judge would have given each test account. */
const harvestOf = new WeakMap<AccountState, number>();

function account(idx: number, o: { card?: string; harvest?: number } = {}): AccountState {
  const s = new AccountState(idx, `acct_${idx}`);
  s.paymentFingerprint = o.card;
  harvestOf.set(s, o.harvest ?? 0);
  s.startTraffic().exchanges = 3;
  return s;
}

const evaluate = (p: PeerIndicators, s: AccountState, now = T0 + 1): ReasonOf<'peer_indicator'> | undefined => {
  const out: Reason[] = [];
  p.evaluate(s, (harvestOf.get(s) ?? 0) >= DEFAULT_SCORING.harvestMin, now, out);
  expect(out.length).toBeLessThanOrEqual(1);
  return findReason(out, 'peer_indicator');
};

describe('peer indicators', () => {
  it('matches a keyed card hash made under an older key; weak alone, strong when corroborated', () => {
    const p = new PeerIndicators([ind('payment_hmac', formatKeyed(ring.hash('payment_fingerprint', 'pm_1', 'old')))], ring);
    expect(evaluate(p, account(0, { card: 'pm_2' }))).toBeUndefined();
    const weak = evaluate(p, account(1, { card: ' pm_1 ' }))!;
    expect(weak.code).toBe('peer_indicator');
    expect(weak.detail).toMatchObject({ kinds: 'payment_hmac', producers: 1, corroborated: false });
    const strong = evaluate(p, account(2, { card: 'pm_1', harvest: 0.9 }))!;
    expect(strong.weight).toBeGreaterThan(3 * weak.weight);
    expect(p.vouches(account(2))).toBe(false); // one kind is not enough to vouch
    // An account known only from its account record (no traffic yet) is sighted at the judgement time.
    const fresh = account(3, { card: 'pm_1' });
    fresh.traffic.exchanges = 0;
    expect(evaluate(p, fresh, T0 + 7)).toBeDefined();
    expect(p.sightings().map((x) => [x.accounts, x.firstSeen, x.lastSeen])).toEqual([[3, T0 + 1, T0 + 7]]);
  });

  it('a second producer corroborates; indicators count only from their valid_from (event time)', () => {
    const v = formatKeyed(ring.hash('payment_fingerprint', 'pm_1'));
    const p = new PeerIndicators([ind('payment_hmac', v, 'identity--a', T0 + 1000), ind('payment_hmac', v, 'identity--b', T0 + 5000)], ring);
    const s = account(0, { card: 'pm_1' });
    expect(evaluate(p, s, T0)).toBeUndefined();
    expect(evaluate(p, s, T0 + 2000)!.detail.corroborated).toBe(false);
    expect(evaluate(p, s, T0 + 6000)!.detail).toMatchObject({ producers: 2, corroborated: true });
  });

  it('recognizes a peer pipeline from a local template window, and vouches with a card', () => {
    const fp = new TemplateFingerprinter(ring);
    const [w] = scaffoldWindows(PIPELINE);
    const p = new PeerIndicators([ind('template_fingerprint', encodeFingerprint(fp.sign(w.text, 'head'))), ind('payment_hmac', formatKeyed(ring.hash('payment_fingerprint', 'pm_9')))], ring);
    const [mine] = scaffoldWindows(PIPELINE.replace('"x"', '"a train leaves at noon"'));
    p.onTemplate(42, mine.text, 0x68656164);
    p.onTemplate(43, scaffoldWindows('Write me a limerick about a cat who learned to code in rust')[0].text, 0x68656164);
    const s = account(0, { card: 'pm_9', harvest: 0.8 });
    s.templates.add(42);
    const r = evaluate(p, s)!;
    expect(r.detail.kinds).toBe('payment_hmac,template_fingerprint');
    expect(p.vouches(s)).toBe(true);
    expect(p.isKnownTemplate('template:42')).toBe(true);
    expect(p.isKnownTemplate('template:43')).toBe(false);
    expect(p.sightings().map((x) => x.indicator.kind).sort()).toEqual(['payment_hmac', 'template_fingerprint']);
  });

  it('drops warninglisted indicators and unknown keys; an indicator matched mostly by non-harvesters is shared infrastructure', () => {
    const fp = new TemplateFingerprinter(ring);
    const benign = scaffoldWindows('Translate the following text into English and keep the formatting: "bonjour"')[0];
    const other = Keyring.parse({ keys: [{ id: 'zzz', secret: 'another-group-secret-00' }] });
    const p = new PeerIndicators(
      [
        ind('ip_prefix', '100.64.3.0/24'),
        ind('ip_prefix', '10.1.2.0/24'),
        ind('ip_prefix', '198.51.100.0/24'),
        ind('template_fingerprint', encodeFingerprint(fp.sign(benign.text, 'head'))),
        ind('payment_hmac', formatKeyed(other.hash('payment_fingerprint', 'pm_1'))),
        ind('asn', '64512'),
      ],
      ring,
      new Allowlist({ asns: [64512] }, ring),
    );
    expect(p.suppressed.map((x) => x.value).sort()).toEqual(['10.1.2.0/24', '100.64.3.0/24', '64512', expect.stringMatching(/^new:head:/)].sort());
    expect(p.unmatchable.length).toBe(1);
    expect(p.size).toBe(1);
    // 198.51.100.0/24 stays, but once 20+ local accounts match it and most do not harvest, it stops counting.
    const withPrefix = (idx: number, harvest: number): AccountState => {
      const s = account(idx, { harvest });
      s.asns.add(1);
      return s;
    };
    const observer = { prefixNames: new Map([[7, '198.51.100.0/24']]), clientNames: new Map<number, string>() };
    p.bind(observer as never);
    const hit = (idx: number, harvest: number): Reason | undefined => {
      const s = withPrefix(idx, harvest);
      for (let i = 0; i < 3; i++) s.ipPrefixes.add(7);
      return evaluate(p, s);
    };
    expect(hit(0, 0.9)).toBeDefined();
    for (let i = 1; i <= 25; i++) hit(i, 0);
    expect(hit(30, 0.9)).toBeUndefined();
    expect(p.sightings()).toEqual([]);
  });
});
