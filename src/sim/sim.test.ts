import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTRIES, NEW_MODEL } from './catalog.js';
import { ID_PATTERN } from './ids.js';
import { contractError, median, run } from './testkit.js';
import type { Run } from './testkit.js';

// One tiny run shared by every test in this file (~40k exchanges over 7 days).
let R: Run;
type Ex = { id: string; ts: string; account_id: string; key_id?: string; org_id?: string; conversation_id?: string; model: string; client: { ip: string; asn: number } };
let ex: Ex[] = [];

beforeAll(async () => {
  R = await run({ scenario: 'tiny', scale: 1, seed: Number(process.env.SIM_TEST_SEED ?? 7) });
  ex = R.records.filter((o) => o.type === 'exchange') as unknown as Ex[];
});
afterAll(() => R?.cleanup());

const groupOf = (a: string) => R.truth.accounts[a].group;
const labelOf = (a: string) => R.truth.accounts[a].label;

describe('tiny scenario', () => {
  it('lands in the intended size', () => {
    expect(ex.length).toBeGreaterThan(20_000);
    expect(ex.length).toBeLessThan(60_000);
    expect(R.truth.counts.exchanges).toBe(ex.length);
  });

  it('writes every line in the contract shape', () => {
    const bad: string[] = [];
    for (let i = 0; i < R.records.length && bad.length < 5; i++) {
      const e = contractError(R.records[i]);
      if (e) bad.push(`line ${i + 1}: ${e}: ${R.lines[i].slice(0, 200)}`);
    }
    expect(bad).toEqual([]);
  });

  it('is sorted by ts with each account record before its first exchange', () => {
    let last = '';
    const seen = new Set<string>();
    for (const o of R.records) {
      const ts = o.ts as string;
      expect(ts >= last).toBe(true);
      last = ts;
      if (o.type === 'account') seen.add(o.account_id as string);
      else expect(seen.has(o.account_id as string)).toBe(true);
    }
    expect(last < R.truth.end).toBe(true);
    expect(R.records[0].ts as string >= R.truth.start).toBe(true);
  });

  it('has ground truth for every account, with every group and campaign kind', () => {
    const ids = new Set(R.records.filter((o) => o.type === 'account').map((o) => o.account_id as string));
    expect(new Set(Object.keys(R.truth.accounts))).toEqual(ids);
    const groups = new Set(Object.values(R.truth.accounts).map((a) => a.group));
    for (const g of ['organic', 'university', 'enterprise', 'benchmark', 'coding_agent', 'reseller', 'shared_nat', 'farm', 'hydra', 'trace_harvest', 'evasive', 'pivot']) {
      expect(groups.has(g as never), g).toBe(true);
    }
    expect(Object.values(R.truth.campaigns).map((c) => c.kind).sort()).toEqual(['evasive', 'farm', 'hydra', 'pivot', 'trace_harvest']);
    for (const [key, c] of Object.entries(R.truth.campaigns)) {
      expect(c.exchanges).toBeGreaterThan(0);
      for (const a of c.accounts) {
        expect(R.truth.accounts[a]).toMatchObject({ label: 'distillation', group: c.kind, campaign: key });
      }
    }
    for (const a of Object.values(R.truth.accounts)) if (a.label === 'organic') expect(a.campaign).toBeNull();
    expect(R.truth.models.released[NEW_MODEL]).toMatch(/^2026-04-0\dT17:00:00\.000Z$/);
  });

  it('ids do not reveal the label', () => {
    const shapes: Record<string, Set<string>> = { organic: new Set(), distillation: new Set() };
    for (const e of ex) {
      const s = shapes[labelOf(e.account_id)];
      for (const id of [e.id, e.account_id, e.key_id, e.conversation_id, e.org_id]) {
        if (id === undefined) continue;
        expect(id).toMatch(ID_PATTERN);
        s.add(`${id.slice(0, id.indexOf('_'))}:${id.length}`);
      }
    }
    for (const k of shapes.distillation) expect(shapes.organic.has(k), k).toBe(true);
  });

  it('organic users send ~3 exchanges on a median active day, with a heavy tail', () => {
    const perDay = new Map<string, number>();
    for (const e of ex) {
      if (groupOf(e.account_id) !== 'organic') continue;
      const k = `${e.account_id}|${e.ts.slice(0, 10)}`;
      perDay.set(k, (perDay.get(k) ?? 0) + 1);
    }
    const counts = [...perDay.values()];
    const m = median(counts);
    expect(m).toBeGreaterThanOrEqual(2);
    expect(m).toBeLessThanOrEqual(4);
    expect(Math.max(...counts)).toBeGreaterThan(40);
  });

  it('farm accounts send ~26 exchanges a day each, and churn', () => {
    const c = R.truth.campaigns['farm-1'];
    const first = new Map<string, number>();
    const last = new Map<string, number>();
    const n = new Map<string, number>();
    for (const e of ex) {
      if (R.truth.accounts[e.account_id].campaign !== 'farm-1') continue;
      const t = Date.parse(e.ts);
      if (!first.has(e.account_id)) first.set(e.account_id, t);
      last.set(e.account_id, t);
      n.set(e.account_id, (n.get(e.account_id) ?? 0) + 1);
    }
    const rates: number[] = [];
    for (const [a, k] of n) {
      const days = ((last.get(a) as number) - (first.get(a) as number)) / 86_400_000;
      if (days >= 1) rates.push(k / days);
    }
    expect(rates.length).toBeGreaterThan(5);
    const m = median(rates);
    expect(m).toBeGreaterThanOrEqual(20);
    expect(m).toBeLessThanOrEqual(32);
    // Churn: some accounts' lifetimes do not overlap at all, and more accounts are used than are ever live at once.
    const spans = [...first.keys()].map((a) => [first.get(a) as number, last.get(a) as number] as const);
    const disjoint = spans.some(([, e1]) => spans.some(([s2]) => s2 > e1)) && spans.length > 1;
    expect(disjoint).toBe(true);
    const edges = spans.flatMap(([s, e]) => [[s, 1], [e, -1]] as const).sort((x, y) => x[0] - y[0] || y[1] - x[1]);
    let live = 0;
    let peak = 0;
    for (const [, d] of edges) peak = Math.max(peak, (live += d));
    expect(spans.length).toBeGreaterThan(peak);
    expect(c.accounts.length).toBeGreaterThanOrEqual(spans.length);
  });

  it('shares CGNAT addresses among many unrelated organic accounts', () => {
    const mobile = new Set(COUNTRIES.flatMap((c) => c.mobile.map((m) => m[0])));
    const byIp = new Map<string, Set<string>>();
    for (const e of ex) {
      if (!mobile.has(e.client.asn) || labelOf(e.account_id) !== 'organic') continue;
      let s = byIp.get(e.client.ip);
      if (!s) byIp.set(e.client.ip, (s = new Set()));
      s.add(e.account_id);
    }
    const sizes = [...byIp.values()].map((s) => s.size).sort((a, b) => b - a);
    expect(sizes[0]).toBeGreaterThanOrEqual(30);
    // Unrelated: mostly different payment instruments (or none).
    const top = [...byIp.values()].find((s) => s.size === sizes[0]) as Set<string>;
    const cards = new Set(R.records.filter((o) => o.type === 'account' && top.has(o.account_id as string) && o.payment_fingerprint).map((o) => o.payment_fingerprint));
    const paying = R.records.filter((o) => o.type === 'account' && top.has(o.account_id as string) && o.payment_fingerprint).length;
    expect(cards.size).toBeGreaterThanOrEqual(Math.floor(paying * 0.8));
  });

  it('the pivot campaign moves about half its traffic to the new model within a day; organic users do not', () => {
    const rel = Date.parse(R.truth.models.released[NEW_MODEL]);
    const share = (group: string, lo: number, hi: number) => {
      const xs = ex.filter((e) => groupOf(e.account_id) === group && Date.parse(e.ts) >= lo && Date.parse(e.ts) < hi);
      return xs.filter((e) => e.model === NEW_MODEL).length / Math.max(1, xs.length);
    };
    expect(share('pivot', rel - 86_400_000, rel)).toBe(0);
    const after = share('pivot', rel + 24 * 3_600_000, rel + 72 * 3_600_000);
    expect(after).toBeGreaterThan(0.3);
    expect(after).toBeLessThan(0.7);
    expect(share('organic', rel, rel + 48 * 3_600_000)).toBeLessThan(0.15);
  });

  it('farm requests ask for the model ceiling; organic max_tokens sit mostly at SDK defaults', () => {
    const ceil: Record<string, number> = { 'atlas-2-mini': 8192, 'atlas-2': 32000, 'atlas-2-pro': 64000, 'atlas-3': 64000 };
    const farm = R.records.filter((o) => o.type === 'exchange' && groupOf(o.account_id as string) === 'farm');
    for (const o of farm.slice(0, 200)) {
      const q = o.request as Record<string, number>;
      expect(q.max_tokens ?? q.max_completion_tokens).toBe(ceil[o.model as string]);
    }
    const org = R.records.filter((o) => o.type === 'exchange' && groupOf(o.account_id as string) === 'organic');
    const mts = org.map((o) => { const q = o.request as Record<string, number>; return q.max_tokens ?? q.max_completion_tokens; });
    const defaults = mts.filter((m) => m === undefined || m === 1024 || m === 2048 || m === 4096).length;
    expect(defaults / mts.length).toBeGreaterThan(0.6);
  });
});
