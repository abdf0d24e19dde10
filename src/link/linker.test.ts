import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import type { Engine } from '../engine/engine.js';
import { replayChecking } from '../../test/helpers/replay.js';
import { buildEngineConfig } from '../config/schema.js';
import { T0 } from '../../test/helpers/records.js';
import { build } from './config.js';
import type { LinkFeedback } from './linker.js';

describe('Linker: merging established campaigns', () => {
  // Drives the linking step directly: two established operations, then links across them. The
  // feedback only merges (the judge's answers do not matter once a pair is found linked).
  const feedback: LinkFeedback = {
    harvestMin: 0.45,
    suspicionMin: 0.25,
    harvest: () => 1,
    suspicion: () => 0,
    suspiciousRefs: () => [],
    minLinkExchanges: () => 0,
    merge: (_ra, _rb, union) => union(),
  };
  function twoCampaigns() {
    const linker = build(buildEngineConfig({}), []);
    const link = (a: number, b: number): void => void linker.link(a, b, T0, feedback);
    for (let i = 1; i < 10; i++) link(0, i); // campaign A: accounts 0..9
    for (let i = 11; i < 20; i++) link(10, i); // campaign B: accounts 10..19
    return { uf: linker.uf, linker, link };
  }

  it('names each linked set once, the older name surviving a merge', () => {
    const { uf, linker } = twoCampaigns();
    expect(linker.setOf(uf.find(0))!.id).toBe('cmp_00001');
    expect(linker.setOf(uf.find(10))!.id).toBe('cmp_00002');
    expect(linker.setOf(uf.find(30))).toBeUndefined();
    expect(linker.setCount).toBe(2);
  });

  it('does not merge two established campaigns on one coincidental pair', () => {
    const { uf, link } = twoCampaigns();
    link(3, 14);
    expect(uf.find(3)).not.toBe(uf.find(14));
  });

  it('merges them once enough accounts on both sides link across (30% of the smaller)', () => {
    const { uf, linker, link } = twoCampaigns();
    link(1, 11);
    link(2, 12);
    expect(uf.find(1)).not.toBe(uf.find(11));
    link(3, 13);
    expect(uf.find(1)).toBe(uf.find(11));
    expect(uf.membersOf(uf.find(0))).toHaveLength(20);
    expect(linker.setOf(uf.find(0))!.id).toBe('cmp_00001');
    expect(linker.setCount).toBe(1);
  });

  it('records why two campaigns were joined: the bridge rule, with the accounts that linked across', () => {
    const { linker, link } = twoCampaigns();
    link(1, 11);
    link(2, 12);
    expect(linker.joinLog).toHaveLength(0);
    link(3, 13);
    expect(linker.joinLog).toHaveLength(1);
    const j = linker.joinLog[0];
    expect(j.rule).toBe('bridge');
    expect(j.kept).toEqual({ id: 'cmp_00001', accounts: 10 });
    expect(j.joined).toEqual({ id: 'cmp_00002', accounts: 10 });
    expect(j.across).toEqual([3, 3]);
    expect([j.a, j.b]).toEqual([3, 13]);
  });

  it('records a part smaller than a campaign joined by one pairwise link as small_part, and lone accounts not at all', () => {
    const linker = build(buildEngineConfig({}), []);
    const link = (a: number, b: number): void => void linker.link(a, b, T0, feedback);
    for (let i = 1; i < 10; i++) link(0, i);
    linker.link(20, 21, T0 + 60_000, feedback); // a later set of two
    expect(linker.joinLog).toHaveLength(0);
    linker.link(21, 5, T0 + 120_000, feedback);
    expect(linker.uf.find(20)).toBe(linker.uf.find(0));
    expect(linker.joinLog.map((j) => [j.rule, j.kept.accounts, j.joined.accounts, j.kept.id])).toEqual([['small_part', 10, 2, 'cmp_00001']]);
    // The older set keeps its id and is named first, whichever account the link started from.
    expect([linker.joinLog[0].a, linker.joinLog[0].b]).toEqual([5, 21]);
  });

  it('takes the bridge numbers from the configuration', () => {
    const linker = build(buildEngineConfig({ scoring: { bridgeMin: 1, bridgeShare: 0 } }), []);
    const link = (a: number, b: number): void => void linker.link(a, b, T0, feedback);
    for (let i = 1; i < 10; i++) link(0, i);
    for (let i = 11; i < 20; i++) link(10, i);
    link(3, 14);
    expect(linker.uf.find(3)).toBe(linker.uf.find(14));
  });
});

describe('Linker.linkSuspicious through a simulated world', () => {
  // linkSuspicious tests each judged account through the judge's list of its suspicious groups: that
  // list must be a pass over the account's groups at the judge's suspicionMin, at every judgement.
  it("reads the judge's suspicious groups of an account, which equal a pass over its groups", async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dg-linker-'));
    try {
      const input = (await runSimulate({ scenario: 'tiny', scale: 1, seed: 3, out: join(tmp, 'sim'), days: 2 })).path;
      let compared = 0;
      let suspicious = 0;
      const check = (e: Engine): void => {
        const { judge, linker } = e;
        for (let idx = 0; idx < e.observer.list.length; idx++) {
          const pass = linker.refs(idx).filter((g) => judge.suspicion(g) >= judge.suspicionMin);
          expect(judge.suspiciousRefs(idx)).toEqual(pass);
          compared++;
          suspicious += pass.length;
        }
      };
      await replayChecking(input, 1, check, 'judgements');
      expect(compared).toBeGreaterThan(10_000);
      expect(suspicious).toBeGreaterThan(1000);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
