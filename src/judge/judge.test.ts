import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import { replayChecking } from '../../test/helpers/replay.js';
import type { Reason } from '../core/reasons.js';
import type { AccountState } from '../observe/account-state.js';
import { buildEngineConfig } from '../config/schema.js';
import type { CanonicalRecord } from '../core/records.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import { Engine } from '../engine/engine.js';
import { account, exchange, harvestPrompt, organicPrompt, rng, T0 } from '../../test/helpers/records.js';

const CEILING = 64000;

/** A small world: a farm of 12 accounts on 3 shared prepaid cards, 12 ordinary users, one benchmark evaluator. */
function world(): CanonicalRecord[] {
  const r = rng(42);
  const recs: CanonicalRecord[] = [];
  const farmStart = T0 + 2 * DAY;
  for (let a = 0; a < 12; a++) {
    const id = `farm${a}`;
    recs.push(account(id, farmStart + a * MINUTE, { createdAt: farmStart + a * MINUTE, paymentFingerprint: `card${a % 3}`, paymentBin: '423456', plan: 'free', verification: 'email' }));
    // A central queue deals work to every account around the clock: ~26 a day each.
    for (let k = 0; k < 80; k++) {
      const ts = farmStart + HOUR + Math.floor(r() * 3 * DAY);
      recs.push(exchange(id, ts, harvestPrompt(a * 100 + k), { system: 'You are a meticulous expert solver.', maxTokens: CEILING, model: 'model-x', client: { ip: `203.0.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`, tlsFingerprint: 'a1b2c3', userAgent: 'python-httpx/0.27' } }));
    }
  }
  for (let a = 0; a < 12; a++) {
    const id = `user${a}`;
    const created = T0 - (30 + a * 20) * DAY;
    recs.push(account(id, created, { createdAt: created, paymentFingerprint: `own${a}`, plan: 'paid', verification: 'phone' }));
    for (let k = 0; k < 25; k++) {
      const day = Math.floor(r() * 5);
      const ts = T0 + day * DAY + (14 + Math.floor(r() * 8)) * HOUR + Math.floor(r() * HOUR);
      recs.push(exchange(id, ts, organicPrompt(a * 7 + k), { maxTokens: 2048, model: 'model-x', client: { ip: `81.2.${a}.7`, userAgent: 'Mozilla/5.0' } }));
    }
  }
  const bench = 'bench0';
  recs.push(account(bench, T0 - 200 * DAY, { createdAt: T0 - 200 * DAY, paymentFingerprint: 'corp', plan: 'paid', verification: 'business' }));
  for (let k = 0; k < 300; k++) {
    recs.push(exchange(bench, T0 + 3 * DAY + k * 20_000, `Q: A farmer has ${k + 3} sheep and buys ${k} more. How many sheep does he have now? Let's think step by step.`, { maxTokens: 4096, model: 'model-x' }));
  }
  return recs.sort((a, b) => a.ts - b.ts);
}

/** An account and what the judge concluded about it. */
function judged(engine: Engine, id: string) {
  const account = engine.observer.accounts.get(id)!;
  const v = engine.judge.verdicts;
  const idx = account.idx;
  return { account, verdict: v.verdict(idx), score: v.score(idx), reasons: v.reasons(idx), exchangesAtFlag: v.exchangesAtFlag(idx) };
}

function run(recs: CanonicalRecord[]): Engine {
  const engine = new Engine(buildEngineConfig({ modelCeilings: { 'model-x': CEILING } }));
  for (const rec of recs) engine.push(rec);
  engine.finish();
  return engine;
}

describe('judge on a hand-made world', () => {
  const engine = run(world());
  const verdict = (id: string) => judged(engine, id);

  it("flags every farm account as distillation, linked into one campaign", () => {
    const campaigns = new Set<string>();
    for (let a = 0; a < 12; a++) {
      const s = verdict(`farm${a}`);
      expect(s.verdict, `farm${a} score ${s.score}`).toBe('distillation');
      campaigns.add(engine.judge.campaignOf(s.account)!.id);
      expect(s.reasons[0].weight).toBeGreaterThanOrEqual(s.reasons[s.reasons.length - 1].weight);
    }
    expect(campaigns.size).toBe(1);
  });

  it('leaves ordinary users benign and keeps the lone benchmark evaluator short of distillation', () => {
    for (let a = 0; a < 12; a++) expect(verdict(`user${a}`).verdict).toBe('benign');
    expect(verdict('bench0').verdict).not.toBe('distillation');
    expect(engine.judge.campaignOf(verdict('bench0').account)).toBeUndefined();
  });

  it('gives reasons with stable codes: shared payment and harvesting content', () => {
    const codes = verdict('farm0').reasons.map((r) => r.code);
    expect(codes).toContain('shared_payment');
    expect(codes).toContain('reasoning_elicitation');
    expect(codes).toContain('max_output_budget');
    expect(codes).toContain('campaign_member');
    const template = verdict('farm0').reasons.find((r) => r.code === 'shared_template');
    expect(template?.detail.shared_values).toBeGreaterThanOrEqual(1);
  });

  it('flags early: most of a farm account\'s exchanges come after its flag', () => {
    for (let a = 0; a < 12; a++) {
      const s = verdict(`farm${a}`);
      expect(s.exchangesAtFlag! / s.account.exchanges).toBeLessThan(0.5);
    }
  });
});

describe('trace inversion: the one pattern that convicts an account alone', () => {
  function harvester(recon: boolean): Engine {
    const recs: CanonicalRecord[] = [account('t0', T0, { createdAt: T0, plan: 'research', verification: 'email' })];
    for (let k = 0; k < 120; k++) {
      const prompt = recon
        ? `Below is a finished response. Reconstruct the complete chain of thought that would produce it: imagine and articulate the internal reasoning behind it step by step.\n\n[PROMPT]\nQuestion about plant ${String.fromCharCode(97 + (k % 26), 97 + (k % 7))}\n[RESPONSE]\nAnswer ${k}`
        : harvestPrompt(k);
      recs.push(exchange('t0', T0 + HOUR + k * 10 * MINUTE, prompt, { maxTokens: CEILING, thinking: true, thinkingBudget: 32000, logprobs: true, model: 'model-x' }));
    }
    return run(recs);
  }

  it('flags a lone account reconstructing reasoning traces at volume with harvesting knobs', () => {
    const s = judged(harvester(true), 't0');
    expect(s.verdict).toBe('distillation');
    expect(s.reasons.map((r) => r.code)).toContain('reasoning_reconstruction');
  });

  it('keeps a lone account that elicits ordinary step-by-step reasoning with the same knobs at suspicious', () => {
    expect(judged(harvester(false), 't0').verdict).toBe('suspicious');
  });
});

describe('campaign members judged again: link reasons kept while they would be built the same', () => {
  // Every member of a campaign is judged at every judgement that touches it; its link reasons are
  // taken back from its last verdict when its strongest groups are as they were. At every such call
  // through a simulated world, the list given must be, byte for byte, the one built afresh.
  it('gives each member exactly the link reasons built afresh, reusing the last list when nothing changed', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dg-judge-links-'));
    try {
      const input = (await runSimulate({ scenario: 'tiny', scale: 1, seed: 3, out: join(tmp, 'sim'), days: 2 })).path;
      type Internals = { memberLinks(s: AccountState): readonly Reason[]; linkReasons(s: AccountState, out: Reason[]): void };
      let calls = 0;
      let reused = 0;
      let changed = 0;
      let withLinks = 0;
      const last = new Map<number, readonly Reason[]>();
      let patched = false;
      const patch = (e: Engine): void => {
        if (patched) return;
        patched = true;
        const judge = e.judge as unknown as Internals;
        const memberLinks = judge.memberLinks.bind(judge);
        judge.memberLinks = (s: AccountState): readonly Reason[] => {
          const before = JSON.stringify(last.get(s.idx));
          const got = memberLinks(s);
          const fresh: Reason[] = [];
          judge.linkReasons(s, fresh);
          expect(JSON.stringify(got)).toBe(JSON.stringify(fresh));
          calls++;
          if (got.length > 0) withLinks++;
          if (got === last.get(s.idx)) {
            reused++;
            // A list given again is unchanged since it was given.
            expect(JSON.stringify(got)).toBe(before);
          } else if (last.has(s.idx)) changed++;
          last.set(s.idx, got);
          return got;
        };
      };
      await replayChecking(input, 1, patch, 'judgements');
      expect(calls).toBeGreaterThan(2_000);
      expect(withLinks).toBeGreaterThan(1_000);
      expect(reused).toBeGreaterThan(calls / 2);
      expect(changed).toBeGreaterThan(100);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
