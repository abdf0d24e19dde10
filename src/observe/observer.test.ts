import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import { CAPABILITIES, type Capability } from '../core/capabilities.js';
import type { AccountEvent, CanonicalRecord } from '../core/records.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import { account, exchange, harvestPrompt, organicPrompt, T0 } from '../../test/helpers/records.js';
import { RECENT_HOURS, type AccountState } from './account-state.js';
import { Observed } from '../../test/helpers/observe.js';
import { Hll } from '../sketches/hll.js';
import { murmur3 } from '../sketches/hash.js';
import { Observer } from './observer.js';

const CEILING = 64000;

function observer(...recs: CanonicalRecord[]): Observed {
  const obs = new Observed(buildEngineConfig({ modelCeilings: { 'model-x': CEILING } }));
  feed(obs, ...recs);
  return obs;
}

function feed(obs: Observed, ...recs: CanonicalRecord[]): void {
  for (const r of recs) {
    if (r.kind === 'exchange') obs.exchange(r);
    else obs.account(r);
  }
}

const cap = (s: AccountState, c: Capability): number => s.caps[CAPABILITIES.indexOf(c)];
const capsOf = (s: AccountState): Partial<Record<Capability, number>> =>
  Object.fromEntries(CAPABILITIES.filter((c) => cap(s, c) > 0).map((c) => [c, cap(s, c)]));

/** Absolute hour (since the epoch) of T0, a UTC midnight. */
const H0 = Math.floor(T0 / HOUR);

function recent(s: AccountState, endHour: number): number[] {
  return [...s.recentVector(endHour, new Float64Array(RECENT_HOURS))];
}

/** The non-zero entries of a recent vector as {hours before the end: count}. */
function recentByAge(s: AccountState, endHour: number): Record<number, number> {
  const v = recent(s, endHour);
  const out: Record<number, number> = {};
  v.forEach((c, i) => {
    if (c > 0) out[RECENT_HOURS - 1 - i] = c;
  });
  return out;
}

describe('Observed: one exchange, counted', () => {
  it('counts the exchange, its time span and its capability tags', () => {
    const obs = observer(
      exchange('a', T0 + HOUR, harvestPrompt(0)), // reasoning + math (+ knowledge)
      exchange('a', T0 + 2 * HOUR, harvestPrompt(1)), // reasoning + coding (+ knowledge)
      exchange('a', T0 + 3 * HOUR, 'translate this into spanish: where is the nearest train station'),
    );
    const s = obs.accounts.get('a')!;
    expect(s.exchanges).toBe(3);
    expect(s.firstTs).toBe(T0 + HOUR);
    expect(s.lastTs).toBe(T0 + 3 * HOUR);
    expect(capsOf(s)).toEqual({ reasoning: 2, math: 1, coding: 1, knowledge: 3, translation: 1 });
    expect(s.capShare(CAPABILITIES.indexOf('reasoning'))).toBeCloseTo(2 / 3);
  });

  it('tags the system prompt and tool definitions as well as the prompt', () => {
    const obs = observer(
      exchange('a', T0, 'ok, go on', { system: "Let's think step by step before answering.", tools: 3 }),
      exchange('a', T0 + 1, 'ok, go on'),
    );
    const s = obs.accounts.get('a')!;
    expect(capsOf(s)).toEqual({ reasoning: 1, agentic: 1 });
    expect(s.withTools).toBe(1);
  });

  it('counts the harvesting knobs of each request', () => {
    const obs = observer(
      exchange('a', T0, 'p1', { n: 4, logprobs: true, thinking: true, turns: 1 }),
      exchange('a', T0 + 1, 'p2', { n: 1, turns: 7, orgId: 'org-9' }),
      exchange('a', T0 + 2, 'p3', { n: 2, turns: 0 }),
    );
    const s = obs.accounts.get('a')!;
    expect({ multi: s.multiSample, logprobs: s.logprobs, thinking: s.thinking, single: s.singleTurn }).toEqual({
      multi: 2,
      logprobs: 1,
      thinking: 1,
      single: 2,
    });
    expect(s.exchangeOrg).toBe('org-9');
  });

  it('keeps accounts apart and indexes them in order of first appearance', () => {
    const obs = observer(account('b', T0), exchange('a', T0 + 1, 'hello there'), exchange('b', T0 + 2, 'hello there'));
    expect(obs.list.map((s) => s.id)).toEqual(['b', 'a']);
    expect(obs.accounts.get('a')!.idx).toBe(1);
    expect(obs.accounts.get('b')!.exchanges).toBe(1);
    expect(obs.accounts.get('a')!.exchanges).toBe(1);
  });

  it('estimates distinct prompts: repeats do not count', () => {
    const recs = [];
    for (let i = 0; i < 40; i++) recs.push(exchange('a', T0 + i * MINUTE, `prompt number ${i % 10}`));
    const s = observer(...recs).accounts.get('a')!;
    expect(s.exchanges).toBe(40);
    expect(s.prompts.estimate()).toBeGreaterThan(7);
    expect(s.prompts.estimate()).toBeLessThan(13);
  });

  it('records the running mean and spread of log inter-arrival gaps (sub-second gaps count as 1 s)', () => {
    const regular = observer(...[0, 1, 2, 3, 4].map((k) => exchange('a', T0 + k * MINUTE, `p${k}`))).accounts.get('a')!;
    expect(regular.gaps).toBe(4);
    expect(regular.gapMean).toBeCloseTo(Math.log(60));
    expect(regular.gapM2).toBeCloseTo(0);
    const burst = observer(...[0, 100, 200].map((ms) => exchange('b', T0 + ms, `p${ms}`))).accounts.get('b')!;
    expect(burst.gapMean).toBe(0);
    const mixed = observer(exchange('c', T0, 'x'), exchange('c', T0 + 10_000, 'y'), exchange('c', T0 + 10_000 + 1_000_000, 'z')).accounts.get('c')!;
    expect(mixed.gapMean).toBeCloseTo((Math.log(10) + Math.log(1000)) / 2);
    expect(mixed.gapM2).toBeCloseTo((Math.log(1000) - Math.log(10)) ** 2 / 2);
  });

  it('folds network and client facts into bounded sketches, keeping readable names for indicators', () => {
    const client = { tlsFingerprint: 'ja3-abc', userAgent: 'python-httpx/0.27' };
    const obs = observer(
      exchange('a', T0, 'p1', { client: { ...client, ip: '203.0.113.5', asn: 64500 }, endUser: 'u1' }),
      exchange('a', T0 + 1, 'p2', { client: { ...client, ip: '203.0.113.77', asn: 64500 }, endUser: 'u2' }),
      exchange('a', T0 + 2, 'p3', { client: { ip: '198.51.100.1', asn: 64501, userAgent: 'curl/8.0' }, endUser: 'u1' }),
    );
    const s = obs.accounts.get('a')!;
    const [prefix] = s.ipPrefixes.heavy(2);
    expect(obs.prefixNames.get(prefix)).toBe('203.0.113.0/24');
    expect(s.ipPrefixes.size).toBe(2);
    expect(s.ips.estimate()).toBeCloseTo(3, 0);
    expect(s.asns.heavy(2)).toEqual([64500]);
    const [main] = s.clients.heavy(2);
    expect(obs.clientNames.get(main)).toBe('ja3-abc|python-httpx/0.27');
    expect(s.clients.size).toBe(2);
    expect(s.endUsers.estimate()).toBeCloseTo(2, 0);
  });

  it('counts recurring scaffolds as templates of the account', () => {
    const obs = observer(...[0, 1, 2, 3, 4, 5].map((k) => exchange('a', T0 + k * MINUTE, harvestPrompt(k))));
    const s = obs.accounts.get('a')!;
    // The scaffold's head is in every exchange; its tails end in six different payloads.
    const ids: number[] = [];
    obs.templates.assign(harvestPrompt(99), ids);
    const [head] = ids;
    expect(s.templates.heavy(6)).toEqual([head]);
    expect(s.templates.count(head)).toBe(6);
    expect(s.templates.size).toBeGreaterThan(1);
  });
});

describe('Observed: output ceiling', () => {
  it('counts max_tokens at 90% or more of a configured ceiling', () => {
    const obs = observer(
      exchange('a', T0, 'p', { model: 'model-x', maxTokens: CEILING }),
      exchange('a', T0 + 1, 'p', { model: 'model-x', maxTokens: 0.9 * CEILING }),
      exchange('a', T0 + 2, 'p', { model: 'model-x', maxTokens: 0.9 * CEILING - 1 }),
      exchange('a', T0 + 3, 'p', { model: 'model-x', maxTokens: 1024 }),
      exchange('a', T0 + 4, 'p', { model: 'model-x', maxTokens: undefined }),
    );
    const s = obs.accounts.get('a')!;
    expect(s.atCeiling).toBe(2);
    expect(s.share(s.atCeiling)).toBeCloseTo(0.4);
  });

  it('judges a configured model by its configured ceiling, however high others send', () => {
    const obs = observer(
      exchange('big', T0, 'p', { model: 'model-x', maxTokens: 10 * CEILING }),
      exchange('a', T0 + 1, 'p', { model: 'model-x', maxTokens: CEILING }),
    );
    expect(obs.accounts.get('a')!.atCeiling).toBe(1);
  });

  it('learns the ceiling of an unconfigured model from every account, online, after 200 exchanges', () => {
    const warmup = Array.from({ length: 200 }, (_, i) => exchange(`w${i % 20}`, T0 + i, 'p', { model: 'model-y', maxTokens: 1024 }));
    const obs = observer(
      ...warmup,
      exchange('a', T0 + 1000, 'p', { model: 'model-y', maxTokens: 4096 }), // the largest so far: at the ceiling
      exchange('a', T0 + 1001, 'p', { model: 'model-y', maxTokens: 1024 }),
      exchange('b', T0 + 1002, 'p', { model: 'model-y', maxTokens: 32000 }), // raises the ceiling for everyone
      exchange('a', T0 + 1003, 'p', { model: 'model-y', maxTokens: 4096 }), // no longer near it
      exchange('a', T0 + 1004, 'p', { model: 'model-y', maxTokens: 30000 }),
    );
    expect(obs.accounts.get('a')!.atCeiling).toBe(2);
    expect(obs.accounts.get('b')!.atCeiling).toBe(1);
    expect(obs.accounts.get('w0')!.atCeiling).toBe(0); // nothing counts before the ceiling is learned
    expect(obs.models.ceiling(obs.models.list[0])).toBe(32000);
  });
});

describe('Observed: time', () => {
  it('counts exchanges by UTC hour of day', () => {
    const obs = observer(
      exchange('a', T0 + 3 * HOUR, 'p'),
      exchange('a', T0 + 3 * HOUR + 59 * MINUTE, 'p'),
      exchange('a', T0 + DAY + 3 * HOUR, 'p'),
      exchange('a', T0 + DAY + 23 * HOUR + 30 * MINUTE, 'p'),
    );
    const s = obs.accounts.get('a')!;
    expect(s.hourOfDay[3]).toBe(3);
    expect(s.hourOfDay[23]).toBe(1);
    expect(s.hourOfDay.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('counts active UTC days, once each', () => {
    const obs = observer(
      exchange('a', T0 + HOUR, 'p'),
      exchange('a', T0 + 5 * HOUR, 'p'),
      exchange('a', T0 + DAY - 1, 'p'),
      exchange('a', T0 + DAY, 'p'), // midnight starts a new day
      exchange('a', T0 + 5 * DAY + HOUR, 'p'),
    );
    expect(obs.accounts.get('a')!.activeDays).toBe(3);
  });

  it('keeps hourly counts of the last 48 hours in place', () => {
    const obs = observer(
      exchange('a', T0, 'p'),
      exchange('a', T0 + 10 * MINUTE, 'p'),
      exchange('a', T0 + HOUR, 'p'),
      exchange('a', T0 + 47 * HOUR, 'p'),
      exchange('a', T0 + 47 * HOUR + 1, 'p'),
      exchange('a', T0 + 47 * HOUR + 2, 'p'),
    );
    const s = obs.accounts.get('a')!;
    expect(recentByAge(s, H0 + 47)).toEqual({ 47: 2, 46: 1, 0: 3 });
    // Seen from an hour later (no new traffic), everything slides back by one and the oldest hour drops.
    expect(recentByAge(s, H0 + 48)).toEqual({ 47: 1, 1: 3 });
    // The next exchange, 48 hours after the first, reuses the first hour's slot: its old count is gone.
    feed(obs, exchange('a', T0 + 48 * HOUR, 'p'));
    expect(recentByAge(s, H0 + 48)).toEqual({ 47: 1, 1: 3, 0: 1 });
  });

  it('wraps the ring across gaps longer than 48 hours without leaking old counts', () => {
    for (const gapHours of [48, 49, 60, 96, 97, 500]) {
      const obs = observer();
      for (let h = 0; h < 10; h++) feed(obs, exchange('a', T0 + h * HOUR, 'p'), exchange('a', T0 + h * HOUR + 1, 'p'));
      const last = 9 + gapHours;
      feed(obs, exchange('a', T0 + last * HOUR, 'p'));
      const s = obs.accounts.get('a')!;
      expect(recentByAge(s, H0 + last), `gap ${gapHours} h`).toEqual({ 0: 1 });
      // ...and the old hours are not visible from any earlier vantage point either.
      expect(recent(s, H0 + 9).every((c) => c === 0), `gap ${gapHours} h`).toBe(true);
    }
  });

  it('keeps counts across a gap just inside the window', () => {
    const obs = observer(exchange('a', T0, 'p'), exchange('a', T0 + 1, 'p'), exchange('a', T0 + 47 * HOUR, 'p'));
    expect(recentByAge(obs.accounts.get('a')!, H0 + 47)).toEqual({ 47: 2, 0: 1 });
  });
});

describe('Observed: model releases', () => {
  it('counts, per account, exchanges in the first day of the latest release and those on it', () => {
    const obs = observer(
      exchange('a', T0, 'p', { model: 'old' }), // the engine starts: 'old' is in use
      exchange('a', T0 + DAY / 2, 'p', { model: 'old' }), // no release yet
      exchange('b', T0 + 2 * DAY, 'p', { model: 'new' }), // release
      exchange('a', T0 + 2 * DAY + HOUR, 'p', { model: 'old' }),
      exchange('a', T0 + 2 * DAY + 2 * HOUR, 'p', { model: 'new' }),
      exchange('a', T0 + 3 * DAY - 1, 'p', { model: 'new' }), // last moment of the window
      exchange('a', T0 + 3 * DAY, 'p', { model: 'new' }), // the window has closed
    );
    const a = obs.accounts.get('a')!;
    const b = obs.accounts.get('b')!;
    expect({ total: a.releaseWindowTotal, onNew: a.releaseWindowOnNew }).toEqual({ total: 3, onNew: 2 });
    expect({ total: b.releaseWindowTotal, onNew: b.releaseWindowOnNew }).toEqual({ total: 1, onNew: 1 });
    expect(a.releaseModel).toBe(obs.models.latestRelease!.id);
  });

  it('starts the counts afresh when a newer model is released', () => {
    const obs = observer(
      exchange('a', T0, 'p', { model: 'old' }),
      exchange('a', T0 + 2 * DAY, 'p', { model: 'new' }),
      exchange('a', T0 + 2 * DAY + 1, 'p', { model: 'new' }),
      exchange('c', T0 + 5 * DAY, 'p', { model: 'newer' }),
      exchange('a', T0 + 5 * DAY + HOUR, 'p', { model: 'new' }),
    );
    const a = obs.accounts.get('a')!;
    expect(a.releaseModel).toBe(obs.models.latestRelease!.id);
    expect(obs.models.latestRelease!.name).toBe('newer');
    expect({ total: a.releaseWindowTotal, onNew: a.releaseWindowOnNew }).toEqual({ total: 1, onNew: 0 });
  });

  it('counts nothing when no model has been released', () => {
    const obs = observer(exchange('a', T0, 'p', { model: 'old' }), exchange('a', T0 + 3 * DAY, 'p', { model: 'old' }));
    const a = obs.accounts.get('a')!;
    expect(a.releaseWindowTotal).toBe(0);
    expect(a.releaseModel).toBe(-1);
  });
});

describe('Observed: account records', () => {
  it('applies a later record field by field', () => {
    const obs = observer(
      account('a', T0, { createdAt: T0, plan: 'free', verification: 'email', links: { device_id: 'd1' } }),
      account('a', T0 + DAY, { plan: 'paid', links: { phone_hash: 'p1' } }),
    );
    const s = obs.accounts.get('a')!;
    expect(s.plan).toBe('paid');
    expect(s.verification).toBe('email');
    expect(s.createdAt).toBe(T0);
    expect(s.links).toEqual({ device_id: 'd1', phone_hash: 'p1' });
  });

  it('says an identity changed only when something accounts are linked by changes', () => {
    const obs = new Observer();
    const changed = (ev: AccountEvent): boolean => obs.observeAccount(ev).identityChanged;
    expect(changed(account('a', T0, { createdAt: T0, paymentFingerprint: 'card1' }))).toBe(true);
    expect(changed(account('a', T0 + 1, { plan: 'paid', verification: 'phone', country: 'DE' }))).toBe(false);
    expect(changed(account('a', T0 + 2, { paymentFingerprint: 'card1' }))).toBe(false); // same value
    expect(changed(account('a', T0 + 3, { paymentFingerprint: 'card2' }))).toBe(true);
    expect(changed(account('a', T0 + 4, { links: { device_id: 'd1' } }))).toBe(true);
    expect(changed(account('a', T0 + 5, { signupIp: '203.0.113.9' }))).toBe(true);
    expect(changed(account('a', T0 + 6, { signupIp: '203.0.113.8' }))).toBe(false); // same network
  });

  it('measures age from sign-up, else from the first exchange', () => {
    const obs = observer(account('a', T0, { createdAt: T0 - 10 * DAY }), exchange('b', T0, 'p'));
    expect(obs.accounts.get('a')!.ageDays(T0)).toBeCloseTo(10);
    expect(obs.accounts.get('b')!.ageDays(T0 + 3 * DAY)).toBeCloseTo(3);
  });
});

describe('AccountState: memory of idle accounts', () => {
  it('gives an account its own traffic sketches only from its first exchange', () => {
    const obs = observer(account('idle1', T0, { createdAt: T0 }), account('idle2', T0, { createdAt: T0 }));
    const [idle1, idle2] = ['idle1', 'idle2'].map((id) => obs.accounts.get(id)!);
    // Both read one shared, empty traffic part: zero counts and empty sketches, nothing of their own.
    expect(idle1.traffic).toBe(idle2.traffic);
    expect(idle1.exchanges).toBe(0);
    expect(idle1.templates.size).toBe(0);
    expect(idle1.prompts.estimate()).toBe(0);
    expect(() => idle1.prompts.add(1)).toThrow(/startTraffic/);
    feed(obs, exchange('idle1', T0 + HOUR, 'what time zone is Lisbon in?'));
    expect(idle1.traffic).not.toBe(idle2.traffic);
    expect(idle1.exchanges).toBe(1);
    expect(idle1.prompts.estimate()).toBeGreaterThan(0);
    expect(idle2.exchanges).toBe(0); // the shared part stayed empty
    expect(idle2.prompts.estimate()).toBe(0);
    expect([...idle2.caps, ...idle2.hourOfDay].every((c) => c === 0)).toBe(true);
  });

  it('keeps each sketch of one account apart in their shared buffer', () => {
    const obs = observer(
      ...Array.from({ length: 40 }, (_, i) =>
        exchange('a', T0 + i * MINUTE, `${i} ${organicPrompt(i)}`, { client: { ip: `10.0.${i % 5}.1`, userAgent: `ua${i % 2}` }, endUser: `u${i % 7}` }),
      ),
    );
    const s = obs.accounts.get('a')!;
    expect(s.ipPrefixes.size).toBe(4); // five prefixes, capacity four
    expect(s.clients.size).toBe(2);
    // Each sketch holds exactly what it was fed (the observer's hashes of end users and addresses).
    const alone = (values: string[], seed: number): number[] => {
      const h = new Hll();
      for (const v of values) h.add(murmur3(v, seed));
      return Array.from(h.regs);
    };
    expect(Array.from(s.endUsers.regs)).toEqual(alone(Array.from({ length: 7 }, (_, i) => `u${i}`), 6));
    expect(Array.from(s.ips.regs)).toEqual(alone(Array.from({ length: 5 }, (_, i) => `10.0.${i}.1`), 3));
    expect(s.prompts.estimate()).toBeGreaterThan(25);
    expect(s.systems.size).toBe(0);
    expect(s.asns.size).toBe(0);
    expect(s.hourOfDay.reduce((a, b) => a + b, 0)).toBe(40);
  });

  it('keeps the sign-up network, one copy of common values, and no e-mail hash', () => {
    const obs = observer(
      account('a', T0, { signupIp: '203.0.113.7', emailHash: 'ab'.repeat(32), emailDomain: 'example.org', plan: 'free' }),
      account('b', T0, { signupIp: '203.0.113.9', emailDomain: 'example.org', plan: 'free' }),
    );
    const [a, b] = ['a', 'b'].map((id) => obs.accounts.get(id)!);
    expect(a.signupNetwork).toBe(b.signupNetwork);
    expect(a.signupNetwork).toBe('203.0.113.0/24');
    expect(a.emailDomain).toBe('example.org');
    expect(Object.values(a)).not.toContain('ab'.repeat(32));
    expect(obs.observer.observeAccount(account('a', T0 + 1, { signupIp: '203.0.113.8' })).identityChanged).toBe(false); // same network: the identity keys stand
  });
});
