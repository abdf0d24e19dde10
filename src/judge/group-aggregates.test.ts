import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING } from '../config/scoring.js';
import { buildEngineConfig } from '../config/schema.js';
import { runSimulate } from '../sim/index.js';
import { Engine } from '../engine/engine.js';
import { Hll } from '../sketches/hll.js';
import { account, exchange, harvestPrompt, T0 } from '../../test/helpers/records.js';
import { HOUR, MINUTE } from '../core/time.js';
import { replayChecking } from '../../test/helpers/replay.js';
import { aggregate, CAPS, EXCHANGES, FRESH, HARVESTING, memberFlags } from './group-aggregates.js';

/** Every group's running sums equal a pass over its current members; so does its item union. */
function expectSumsExact(engine: Engine): number {
  const accounts = engine.observer.list;
  const flagsOf = (idx: number): number => engine.judge.verdicts.groupFlags(idx);
  let checked = 0;
  for (const g of engine.linker.groups.groups.values()) {
    const members = [...g.members].map((i) => accounts[i]);
    const sc = engine.judge.groupScores.of(g.slot);
    if (sc?.agg !== undefined) {
      expect(Array.from(sc.agg), g.key).toEqual(Array.from(aggregate(members, flagsOf)));
      checked++;
    }
    if (sc?.items !== undefined) {
      const union = new Hll();
      for (const m of members) union.merge(m.reasoningItems);
      expect(Array.from(sc.items.regs), g.key).toEqual(Array.from(union.regs));
    }
  }
  return checked;
}

describe('group aggregates', () => {
  let tmp: string;
  let input: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-agg-'));
    input = (await runSimulate({ scenario: 'tiny', scale: 1, seed: 3, out: join(tmp, 'sim'), days: 2 })).path;
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('stay equal to a pass over the members through a simulated world (joins, leaves, harvest changes)', async () => {
    let checks = 0;
    let groupsChecked = 0;
    // Mid-stream too, after judgements (exchanges since the last one are counted into the sums at the next).
    const engine = await replayChecking(
      input,
      25,
      (e) => {
        groupsChecked += expectSumsExact(e);
        checks++;
      },
      'judgements',
    );
    expect(checks).toBeGreaterThan(3);
    expect(groupsChecked).toBeGreaterThan(50);
    // Members moved between groups (template and traffic keys follow the accounts' current behaviour).
    expect([...engine.linker.groups.groups.values()].some((g) => (engine.judge.groupScores.of(g.slot)?.agg?.[HARVESTING] ?? 0) > 0)).toBe(true);
  });

  it('move a member whose flags changed out of the groups it leaves with what it put in', () => {
    const engine = new Engine(buildEngineConfig({}));
    // Three fresh accounts on one card: the card's group is scored, so it keeps sums.
    for (let a = 0; a < 3; a++) engine.push(account(`f${a}`, T0 + a, { createdAt: T0, paymentFingerprint: 'card', plan: 'free', verification: 'email' }));
    let t = T0 + MINUTE;
    for (let k = 0; k < 40; k++) for (let a = 0; a < 3; a++) engine.push(exchange(`f${a}`, (t += MINUTE), harvestPrompt(a * 100 + k), { maxTokens: 32000, model: 'm' }));
    engine.advance(t + HOUR);
    const card = engine.linker.groups.get([...engine.linker.groups.groups.keys()].find((k) => k.startsWith('payment:'))!)!;
    const v = engine.judge.verdicts;
    const sums = (): Float64Array => engine.judge.groupScores.of(card.slot)!.agg!;
    expect(sums()).toBeDefined();
    expect(sums()[EXCHANGES]).toBe(120);
    expect(sums()[FRESH]).toBe(3);
    const f0 = engine.observer.accounts.get('f0')!;
    expect(v.groupFlags(f0.idx)).toBe(memberFlags(f0, v.harvest(f0.idx), DEFAULT_SCORING));
    // f0 changes card: it leaves the group with its exchanges and flags.
    engine.push(account('f0', t + 2 * HOUR, { paymentFingerprint: 'other-card' }));
    engine.advance(t + 3 * HOUR);
    expect(card.members.size).toBe(2);
    expect(sums()[EXCHANGES]).toBe(80);
    expect(sums()[FRESH]).toBe(2);
    expect(Array.from(sums())).toEqual(Array.from(aggregate([...card.members].map((i) => engine.observer.list[i]), (i) => v.groupFlags(i))));
    expect(sums().subarray(CAPS).some((c) => c > 0)).toBe(true);
  });
});
