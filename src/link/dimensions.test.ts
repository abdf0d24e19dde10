import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import type { AccountEvent, CanonicalRecord, Exchange } from '../core/records.js';
import { REASON_CODES } from '../core/reasons.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import { Observed } from '../../test/helpers/observe.js';
import { account, exchange, harvestPrompt, organicPrompt, rng, T0 } from '../../test/helpers/records.js';
import { DEFAULT_SCORING } from '../config/scoring.js';
import { accountKeys, DIMENSIONS, dimensionOf, type Dimension, type TemplateKeys } from './dimensions.js';

const WINDOW = 2 * HOUR;

// One observer for the file; each call below observes its accounts under fresh ids.
const obs = new Observed(buildEngineConfig());
let seq = 0;

/** Observes the records (account ids as written) and returns a lookup of their states. */
function observe(...recs: CanonicalRecord[]): (id: string) => AccountState {
  const prefix = `call${seq++}-`;
  for (const r of [...recs].sort((a, b) => a.ts - b.ts)) {
    if (r.kind === 'exchange') obs.exchange({ ...r, accountId: prefix + r.accountId });
    else obs.account({ ...r, accountId: prefix + r.accountId });
  }
  return (id) => obs.accounts.get(prefix + id)!;
}

function keys(s: AccountState): string[] {
  return [...accountKeys(s, WINDOW, [])];
}

function profileKeys(ev: Partial<AccountEvent>): string[] {
  return keys(observe(account('a', T0, ev))('a'));
}

/** Keys of `dim` only. */
const along = (ks: string[], dim: Dimension): string[] => ks.filter((k) => dimensionOf(k) === dim);

/** Account 'a' sending `n` exchanges (one a minute), the i-th with `extra(i)`. */
function sender(n: number, extra: (i: number) => Partial<Exchange>, prompt: (i: number) => string = organicPrompt): AccountState {
  const recs = Array.from({ length: n }, (_, i) => exchange('a', T0 + i * MINUTE, prompt(i), extra(i)));
  return observe(...recs)('a');
}

describe('accountKeys: identity', () => {
  it('derives one key per shared identity thing', () => {
    const created = T0 + 3 * HOUR;
    const ks = profileKeys({
      createdAt: created,
      paymentFingerprint: 'fp_123',
      paymentBin: '423456',
      signupIp: '198.51.100.23',
      emailPattern: 'a.a9',
      emailDomain: 'mail.example',
      links: { device_id: 'dev-1', phone_hash: 'ph-9' },
    });
    const day = Math.floor(created / DAY);
    expect(ks).toEqual(
      expect.arrayContaining([
        'payment:fp_123',
        'link:device_id=dev-1',
        'link:phone_hash=ph-9',
        `payment_bin:423456:${day}`,
        `signup_ip:198.51.100.0/24:${day}`,
        `email_pattern:a.a9@mail.example:${Math.floor(day / 7)}`,
      ]),
    );
    expect(along(ks, 'signup_cohort')).toHaveLength(1);
    expect(ks).toHaveLength(7);
  });

  it('gives no keys to an account nothing is known about', () => {
    expect(profileKeys({})).toEqual([]);
    expect(profileKeys({ plan: 'free', verification: 'email', country: 'US' })).toEqual([]);
  });

  it('puts accounts created in one window in one cohort, and a later window in another', () => {
    const get = observe(
      account('a', T0, { createdAt: T0 + 10 * MINUTE }),
      account('b', T0, { createdAt: T0 + 70 * MINUTE }),
      account('c', T0, { createdAt: T0 + WINDOW + 10 * MINUTE }),
    );
    const [a, b, c] = ['a', 'b', 'c'].map((id) => along(keys(get(id)), 'signup_cohort'));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('scopes card issuers and sign-up networks to the sign-up day: sharing them across months is coincidence', () => {
    const get = observe(
      account('a', T0, { createdAt: T0 + HOUR, paymentBin: '423456', signupIp: '198.51.100.23' }),
      account('b', T0, { createdAt: T0 + 20 * HOUR, paymentBin: '423456', signupIp: '198.51.100.99' }),
      account('c', T0, { createdAt: T0 + 40 * DAY, paymentBin: '423456', signupIp: '198.51.100.23' }),
    );
    const [a, b, c] = ['a', 'b', 'c'].map((id) => keys(get(id)));
    for (const dim of ['payment_bin', 'signup_ip'] as const) {
      expect(along(a, dim)).toEqual(along(b, dim));
      expect(along(a, dim)).not.toEqual(along(c, dim));
    }
  });

  it('needs sign-up time for the sign-up dimensions and a domain for an e-mail pattern', () => {
    expect(profileKeys({ paymentBin: '423456', signupIp: '198.51.100.23', emailPattern: 'a9', emailDomain: 'x.example' })).toEqual([]);
    expect(along(profileKeys({ createdAt: T0, emailPattern: 'a9' }), 'email_pattern')).toEqual([]);
  });

  it('takes the organization from the account, else from its exchanges', () => {
    expect(along(profileKeys({ orgId: 'org-1' }), 'org')).toEqual(['org:org-1']);
    const s = sender(1, () => ({ orgId: 'org-2' }));
    expect(along(keys(s), 'org')).toEqual(['org:org-2']);
  });
});

describe('accountKeys: traffic', () => {
  const client = { tlsFingerprint: 'ja3-x', userAgent: 'python-httpx/0.27' };

  it('describes an account by the client, network and system prompt of most of its traffic', () => {
    const s = sender(10, (i) => ({ system: 'You are a meticulous solver.', client: i < 8 ? { ...client, ip: `203.0.113.${i}` } : { userAgent: 'Mozilla/5.0', ip: '198.51.100.1' } }));
    const ks = keys(s);
    expect(along(ks, 'client')).toHaveLength(1);
    expect(along(ks, 'ip_prefix')).toHaveLength(1);
    expect(along(ks, 'system')).toHaveLength(1);
    const other = sender(5, () => ({ system: 'You are a meticulous solver.', client: { ...client, ip: '203.0.113.200' } }));
    expect(along(keys(other), 'client')).toEqual(along(ks, 'client'));
    expect(along(keys(other), 'ip_prefix')).toEqual(along(ks, 'ip_prefix'));
    expect(along(keys(other), 'system')).toEqual(along(ks, 'system'));
  });

  it('does not link on autonomous systems: too coarse (a cloud ASN holds evaluators and farms alike)', () => {
    const s = sender(10, (i) => ({ client: { ip: `203.0.113.${i}`, asn: 64500 } }));
    expect(keys(s).filter((k) => k.startsWith('asn:'))).toEqual([]);
  });

  it('keys a traffic thing only from 30% of the account\'s exchanges', () => {
    // 3 of 10 from the datacenter client: a key; 2 of 10: none.
    const at30 = sender(10, (i) => ({ client: i < 3 ? client : { userAgent: 'Mozilla/5.0' } }));
    expect(along(keys(at30), 'client')).toHaveLength(2);
    const below = sender(10, (i) => ({ client: i < 2 ? client : { userAgent: 'Mozilla/5.0' } }));
    expect(along(keys(below), 'client')).toHaveLength(1);
  });

  it('gives no traffic keys before three exchanges', () => {
    const two = sender(2, () => ({ system: 'You are a meticulous solver.', client: { ...client, ip: '203.0.113.1' } }), harvestPrompt);
    expect(keys(two)).toEqual([]);
    const three = sender(3, () => ({ system: 'You are a meticulous solver.', client: { ...client, ip: '203.0.113.1' } }), harvestPrompt);
    expect(keys(three).map(dimensionOf).sort()).toEqual(['client', 'ip_prefix', 'system', 'template']);
  });

  it('keys a prompt template from two uses and 5% of the traffic', () => {
    // The harvesting scaffold's head in 2 of 40 exchanges (5%); the rest are one-liners too short for templates.
    const s = sender(40, () => ({}), (i) => (i % 20 === 0 ? harvestPrompt(i) : 'thanks!'));
    expect(along(keys(s), 'template')).toHaveLength(1);
    const rare = sender(41, () => ({}), (i) => (i % 40 === 0 ? harvestPrompt(i) : 'thanks!')); // 2 of 41
    expect(along(keys(rare), 'template')).toEqual([]);
    const once = sender(10, () => ({}), (i) => (i === 0 ? harvestPrompt(i) : 'thanks!')); // 1 of 10
    expect(along(keys(once), 'template')).toEqual([]);
  });

  it('keys a template already marked hot from its first use, even before three exchanges', () => {
    const s = sender(1, () => ({}), harvestPrompt);
    const own = [...s.templates.heavy(1)].map((k) => `template:${k}`);
    expect(own.length).toBeGreaterThan(0);
    expect(keys(s)).toEqual([]);
    const [hot] = own;
    const hotWhen = (pred: (key: string) => boolean): TemplateKeys => ({ key: (id) => `template:${id}`, hot: (id) => pred(`template:${id}`) });
    expect(accountKeys(s, WINDOW, [], hotWhen((k) => k === hot))).toEqual([hot]);
    // Only the account's own templates can come out, however many keys are hot.
    expect(accountKeys(s, WINDOW, [], hotWhen((k) => !own.includes(k)))).toEqual([]);
  });

  /** An account whose every prompt is a one-off long text and every request a different client. */
  function rotating(): AccountState {
    const r = rng(1);
    const vocab = 'apple river stone cloud market engine silver garden window paper violet hammer ocean candle forest bridge mirror lantern'.split(' ');
    const word = (): string => vocab[Math.floor(r() * vocab.length)] + 'bcdfghjklmnpqrstvwxz'.charAt(Math.floor(r() * 20));
    return sender(30, (i) => ({ client: { userAgent: `agent-${i}` } }), () => Array.from({ length: 30 }, word).join(' '));
  }

  it('fills the sketches of an account that rotates clients and never repeats a prompt', () => {
    const s = rotating();
    expect(s.clients.size).toBe(3);
    expect(s.templates.size).toBe(s.templates.capacity); // every slot taken by one-off windows
    expect(s.prompts.estimate()).toBeGreaterThan(20);
  });

  // Space-saving counts overestimate (a newcomer inherits the evicted minimum); keys use the guaranteed
  // part, so an account rotating its client on every request has no dominant client.
  it('does not key clients that each carry a sliver of the traffic', () => {
    expect(along(keys(rotating()), 'client')).toEqual([]);
  });

  // Same for templates: one-off scaffolds in replaced slots are not keys (nor new groups in the index).
  it('does not key templates that each carry a sliver of the traffic', () => {
    expect(along(keys(rotating()), 'template')).toEqual([]);
  });

  it('reuses the output array', () => {
    const s = sender(5, () => ({ orgId: 'org-1' }));
    const out = ['stale:1', 'stale:2', 'stale:3', 'stale:4', 'stale:5'];
    expect(accountKeys(s, WINDOW, out)).toBe(out);
    expect(out).toEqual(['org:org-1']);
  });
});

describe('dimensions', () => {
  it('names the dimension of a key, whatever its value holds', () => {
    expect(dimensionOf('payment:fp_1')).toBe('payment');
    expect(dimensionOf('link:device_id=a:b:c')).toBe('link');
    expect(dimensionOf('signup_ip:2001:db8:1::/48:20544')).toBe('signup_ip');
  });

  it('treats identity things as strong, traffic things as weak, and never links by org id alone', () => {
    const strong = (Object.keys(DIMENSIONS) as Dimension[]).filter((d) => DIMENSIONS[d].strong).sort();
    expect(strong).toEqual(['link', 'payment', 'signup_ip']);
    const weights = DEFAULT_SCORING.dimensions;
    expect(weights.org).toBe(0);
    // Every dimension has its weight in the configuration, and the configuration no other.
    expect(Object.keys(weights).sort()).toEqual(Object.keys(DIMENSIONS).sort());
    for (const [d, spec] of Object.entries(DIMENSIONS)) {
      expect(REASON_CODES[spec.reason], d).toBeDefined();
      expect(weights[d as Dimension], d).toBeLessThanOrEqual(1);
    }
  });
});
