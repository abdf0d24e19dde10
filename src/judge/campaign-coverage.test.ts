import { DEFAULT_SCORING } from '../config/scoring.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import type { Engine } from '../engine/engine.js';
import { replayChecking } from '../../test/helpers/replay.js';
import { campaignCoverage, CoverageSums } from './campaign-coverage.js';

/** Every judged set's running sums equal a pass over its current members. */
function expectSumsExact(engine: Engine): number {
  let checked = 0;
  for (const [root, sums] of engine.judge.coverage.entries()) {
    expect(engine.linker.uf.find(root), 'sums are filed under live roots only').toBe(root);
    const fresh = new CoverageSums();
    for (const i of engine.linker.uf.membersOf(root)) fresh.add(engine.observer.list[i]);
    expect({ exchanges: sums.exchanges, eliciting: sums.eliciting, caps: Array.from(sums.caps), items: Array.from(sums.items.regs) }).toEqual({
      exchanges: fresh.exchanges,
      eliciting: fresh.eliciting,
      caps: Array.from(fresh.caps),
      items: Array.from(fresh.items.regs),
    });
    checked++;
  }
  return checked;
}

describe('campaign coverage sums', () => {
  let tmp: string;
  let input: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-cov-'));
    // Four days: each operation is its own campaign, and one needs that long to pass 200 exchanges.
    input = (await runSimulate({ scenario: 'tiny', scale: 1, seed: 1, out: join(tmp, 'sim'), days: 4 })).path;
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('stay equal to a pass over the members as campaigns grow and merge, and give the coverage reason', async () => {
    let checked = 0;
    const engine = await replayChecking(input, 20, (e) => (checked += expectSumsExact(e)), 'judgements');
    expect(checked).toBeGreaterThan(10);
    // The simulated operations cover several capabilities with distinct items: the campaign-level reason fires.
    const covered = [...engine.judge.coverage.entries()].map(([root, sums]) => campaignCoverage(sums, engine.linker.uf.membersOf(root).length, DEFAULT_SCORING.campaign, DEFAULT_SCORING.content.breadthShare));
    expect(covered.some((r) => r?.code === 'topic_coverage')).toBe(true);
  });
});
