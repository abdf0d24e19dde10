import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, runSimulate } from './run.js';
import { applyOverrides, cloneParams } from './params.js';
import { run } from './testkit.js';

describe('determinism', () => {
  it('same seed and options give the same bytes; another seed differs', async () => {
    const opts = { scenario: 'tiny', scale: 0.5, seed: 42, days: 2 } as const;
    const a = await run(opts);
    const b = await run(opts);
    const c = await run({ ...opts, seed: 43 });
    try {
      const read = (dir: string, f: string) => readFileSync(join(dir, f));
      expect(read(a.dir, 'input.ndjson').equals(read(b.dir, 'input.ndjson'))).toBe(true);
      expect(read(a.dir, 'truth.json').equals(read(b.dir, 'truth.json'))).toBe(true);
      expect(read(a.dir, 'input.ndjson').equals(read(c.dir, 'input.ndjson'))).toBe(false);
    } finally {
      a.cleanup();
      b.cleanup();
      c.cleanup();
    }
  });
});

describe('scenarios', () => {
  it('each single-campaign scenario runs only its campaign; hard-negatives runs none', async () => {
    const want: Record<string, string[]> = {
      farm: ['farm'], hydra: ['hydra'], 'trace-harvest': ['trace_harvest'], evasive: ['evasive'], pivot: ['pivot'], 'hard-negatives': [],
    };
    for (const [name, kinds] of Object.entries(want)) {
      const r = await run({ scenario: name, scale: 0.05, seed: 1, days: 4 });
      try {
        expect(Object.values(r.truth.campaigns).map((c) => c.kind), name).toEqual(kinds);
        const labels = new Set(Object.values(r.truth.accounts).map((a) => a.label));
        expect(labels.has('distillation'), name).toBe(kinds.length > 0);
        expect(labels.has('organic'), name).toBe(true);
      } finally {
        r.cleanup();
      }
    }
  });

  it('honours --start and --days', async () => {
    const r = await run({ scenario: 'hard-negatives', scale: 0.05, seed: 5, days: 2, start: Date.parse('2026-06-15T13:30:00Z') });
    try {
      expect(r.truth.start).toBe('2026-06-15T13:30:00.000Z');
      expect(r.truth.end).toBe('2026-06-17T13:30:00.000Z');
      for (const o of r.records) {
        expect(o.ts as string >= r.truth.start && (o.ts as string) < r.truth.end).toBe(true);
      }
    } finally {
      r.cleanup();
    }
  });

  it('lists every scenario for --help', () => {
    expect(SCENARIOS.map((s) => s.name)).toEqual([
      'default', 'farm', 'hydra', 'trace-harvest', 'evasive', 'pivot', 'hard-negatives',
      'hidden-50', 'hidden-careful-50', 'hidden-250', 'hidden-careful-250', 'hidden-1000', 'hidden-careful-1000', 'hidden-two', 'hidden-negatives',
      'tiny',
    ]);
    for (const s of SCENARIOS) expect(s.description.length).toBeGreaterThan(10);
  });
});

describe('options', () => {
  const base = { scenario: 'tiny', scale: 1, seed: 1, out: '/tmp/never-written' };
  it.each([
    [{ scenario: 'nope' }, /unknown scenario "nope"/],
    [{ scale: 0 }, /bad --scale/],
    [{ scale: Number.NaN }, /bad --scale/],
    [{ seed: -1 }, /bad --seed/],
    [{ seed: 1.5 }, /bad --seed/],
    [{ days: 0 }, /bad --days/],
    [{ start: 'yesterday' }, /bad --start/],
    [{ out: '' }, /missing --out/],
    [{ prompts: '/definitely/not/here' }, /prompts directory not found/],
    [{ set: ['farm.nope=3'] }, /unknown parameter "farm.nope"/],
    [{ set: ['farm.liveAccounts'] }, /expected path=value/],
  ])('rejects %o', async (bad, msg) => {
    await expect(runSimulate({ ...base, ...bad })).rejects.toThrow(msg);
  });

  it('applies numeric overrides', () => {
    const p = applyOverrides(cloneParams(), ['farm.liveAccounts=12', 'organic.rateMedian=2.5']);
    expect(p.farm.liveAccounts).toBe(12);
    expect(p.organic.rateMedian).toBe(2.5);
    expect(() => applyOverrides(cloneParams(), ['organic.rateMedian=x'])).toThrow(/must be a number/);
  });
});

describe('one operation across providers (operationSeed)', () => {
  it('two seeds with one operation seed share the farm infrastructure, not its accounts', async () => {
    const opts = { scenario: 'farm', scale: 0.1, days: 3 } as const;
    const a = await run({ ...opts, seed: 1, operationSeed: 5 });
    const b = await run({ ...opts, seed: 2, operationSeed: 5 });
    try {
      const farm = (r: typeof a) => {
        const ids = new Set(Object.entries(r.truth.accounts).filter(([, t]) => t.campaign !== null).map(([id]) => id));
        const recs = r.records.filter((x) => ids.has(x.account_id as string));
        const cards = new Set(recs.map((x) => x.payment_fingerprint).filter(Boolean));
        const uas = new Set(recs.map((x) => (x.client as { user_agent?: string } | undefined)?.user_agent).filter(Boolean));
        return { ids, cards, uas };
      };
      const fa = farm(a);
      const fb = farm(b);
      expect([...fa.ids].some((id) => fb.ids.has(id))).toBe(false);
      expect(fa.cards.size).toBeGreaterThan(0);
      expect([...fb.cards].filter((c) => fa.cards.has(c)).length).toBeGreaterThanOrEqual(Math.min(fa.cards.size, fb.cards.size) - 1);
      expect([...fb.uas]).toEqual([...fa.uas]);
      // organic traffic is the provider's own
      expect(a.lines.slice(0, 50)).not.toEqual(b.lines.slice(0, 50));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
