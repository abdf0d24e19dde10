import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../core/time.js';
import { pipelineStops } from './hidden.js';
import { DEFAULTS } from './params.js';
import { Rng } from './rng.js';
import { contractError, run } from './testkit.js';
import type { Run } from './testkit.js';

// Two hidden operators (plain and careful) beside every hard negative, old and new, small and short.
const SEED = 11;
const DAYS = 5;
let R: Run;
type Msg = { role: string; content: string | { text: string }[] };
type Ex = {
  ts: string; account_id: string; model: string;
  request: { system?: unknown; messages: Msg[]; max_tokens?: number; max_completion_tokens?: number; temperature?: number };
  client: { ip: string; user_agent: string };
};
type Acct = { account_id: string; created_at: string; email_domain: string; payment_fingerprint?: string; signup_ip: string; verification: string; plan: string; links: Record<string, string> };
let ex: Ex[] = [];
let accts: Map<string, Acct>;

beforeAll(async () => {
  // The older hard negatives' volumes are cut so the run stays small; their shapes are tested elsewhere.
  const set = [
    'enterprise.orgDaily=100', 'benchmark.itemsMin=50', 'benchmark.itemsMax=100', 'reseller.dailyMin=20', 'reseller.dailyMax=40',
    'edtech.schoolsMin=4', 'edtech.schoolsMax=6', 'evalOrg.accountsMin=4', 'evalOrg.accountsMax=6', 'evalOrg.itemsMin=100', 'evalOrg.itemsMax=200',
    'mooc.studentsMin=20', 'mooc.studentsMax=30',
  ];
  R = await run({ scenario: 'hidden-two', scale: 0.1, seed: SEED, days: DAYS, set });
  ex = R.records.filter((o) => o.type === 'exchange') as unknown as Ex[];
  accts = new Map();
  for (const o of R.records) if (o.type === 'account' && !accts.has(o.account_id as string)) accts.set(o.account_id as string, o as unknown as Acct);
}, 120_000);
afterAll(() => R?.cleanup());

const opOf = (a: string) => R.truth.accounts[a].campaign;
const text = (m: Msg) => (typeof m.content === 'string' ? m.content : m.content[0].text);

describe('the operator who hides its infrastructure', () => {
  it('writes contract-shaped lines, two hidden operations and every new hard-negative group', () => {
    expect(R.records.map(contractError).filter(Boolean)).toEqual([]);
    expect(Object.values(R.truth.campaigns).map((c) => [c.kind, c.accounts.length])).toEqual([['hidden', 25], ['hidden', 25]]);
    const groups = new Set(Object.values(R.truth.accounts).map((a) => a.group));
    for (const g of ['mooc', 'prompt_library', 'eval_org', 'edtech', 'outage_region', 'university', 'enterprise', 'benchmark'] as const) expect(groups.has(g), g).toBe(true);
  });

  it('hides its infrastructure: aged, verified, paid accounts, each with its own address, card, device and big-provider e-mail', () => {
    const hidden = [...accts.values()].filter((a) => opOf(a.account_id));
    expect(hidden).toHaveLength(50);
    const start = Date.parse(R.truth.start);
    for (const a of hidden) {
      expect(start - Date.parse(a.created_at)).toBeGreaterThanOrEqual(30 * DAY);
      expect(['phone', 'id']).toContain(a.verification);
      expect(a.plan).toBe('paid');
      expect(['gmail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com']).toContain(a.email_domain);
    }
    for (const f of [(a: Acct) => a.payment_fingerprint, (a: Acct) => a.signup_ip, (a: Acct) => a.links.device_id]) {
      expect(new Set(hidden.map(f)).size).toBe(hidden.length);
    }
    // Traffic from each account's own home address: no address shared between two of its accounts.
    const ipOwners = new Map<string, Set<string>>();
    for (const e of ex) if (opOf(e.account_id)) (ipOwners.get(e.client.ip) ?? ipOwners.set(e.client.ip, new Set()).get(e.client.ip)!).add(e.account_id);
    expect([...ipOwners.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('rewords every payload and sends no system prompt of its own; its rate is a heavy human one', () => {
    const mine = ex.filter((e) => opOf(e.account_id));
    // Harvest requests carry the pipeline's max_tokens (cover traffic: the account's ordinary habits).
    const budget = (e: Ex) => e.request.max_tokens ?? e.request.max_completion_tokens ?? 0;
    const harvest = mine.filter((e) => budget(e) >= 6000 && ![8192, 32000, 64000].includes(budget(e)));
    const openers = harvest.filter((e) => e.request.messages.length === 1).map((e) => text(e.request.messages[0]));
    expect(openers.length).toBeGreaterThan(200);
    expect(new Set(openers).size / openers.length).toBeGreaterThan(0.97);
    expect(mine.filter((e) => e.request.system !== undefined).length / mine.length).toBeLessThan(0.25);
    const perAccountDay = mine.length / 50 / DAYS;
    expect(perAccountDay).toBeGreaterThan(2);
    expect(perAccountDay).toBeLessThan(30);
  });

  it('keeps its two operations distinct: no shared card, address or client configuration', () => {
    const by = (op: string) => ex.filter((e) => opOf(e.account_id) === op);
    const a = by('hidden-1');
    const b = by('hidden-2');
    const cards = (xs: Ex[]) => new Set(xs.map((e) => accts.get(e.account_id)!.payment_fingerprint));
    const ips = (xs: Ex[]) => new Set(xs.map((e) => e.client.ip));
    const configs = (xs: Ex[]) => new Set(xs.filter((e) => e.request.temperature !== undefined && (e.request.max_tokens ?? e.request.max_completion_tokens ?? 0) >= 6000)
      .map((e) => `${e.client.user_agent}|${e.request.max_tokens ?? e.request.max_completion_tokens}|${e.request.temperature}`));
    const overlap = <T>(x: Set<T>, y: Set<T>) => [...x].filter((v) => y.has(v));
    expect(overlap(cards(a), cards(b))).toEqual([]);
    expect(overlap(ips(a), ips(b))).toEqual([]);
    expect(overlap(configs(a), configs(b))).toEqual([]);
    // The plain operator runs one configuration for every account, the careful one at most three.
    const perOp = (xs: Ex[]) => new Set(xs.filter((e) => (e.request.max_tokens ?? e.request.max_completion_tokens ?? 0) >= 6000 && e.request.temperature !== undefined && e.request.messages.length === 1)
      .map((e) => e.client.user_agent)).size;
    expect(perOp(a)).toBe(1);
    expect(perOp(b)).toBeLessThanOrEqual(3);
  });

  it('falls silent during its pipeline stops', () => {
    const start = Date.parse(R.truth.start);
    const end = Date.parse(R.truth.end);
    const c = DEFAULTS.hidden.plain;
    const t0 = start + c.startFraction * (end - start);
    const stops = pipelineStops(new Rng(`distillguard-sim/${SEED}`).fork('campaign/hidden-1').fork('stops'), t0, end, c);
    const mine = ex.filter((e) => opOf(e.account_id) === 'hidden-1').map((e) => Date.parse(e.ts));
    const down = stops.reduce((s, [a, b]) => s + Math.min(b, end) - a, 0);
    const inside = mine.filter((t) => stops.some(([a, b]) => t >= a && t < b)).length;
    const rate = mine.length / (end - t0 - down);
    expect(down).toBeGreaterThan(0);
    // Only conversations already under way when the pipeline stopped finish inside a stop.
    expect(inside).toBeLessThan(0.1 * rate * down);
  });
});
