// The counts bench:split reads off the engine (bench/split-seam.ts): one account judgement per dirty
// account per judgement, and every group joined or left. They size the deltas a split by account would
// send to the cross-account side, so they must count exactly what judgeAt does.
import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import { churningFarm } from '../../test/helpers/churning-farm.js';
import { Engine } from './engine.js';

describe('engine seam counts', () => {
  it('counts each account judged at each judgement, and at least every group membership held at the end', () => {
    const engine = new Engine(buildEngineConfig({}));
    let judged = 0;
    let judgements = 0;
    engine.onJudgement((_at, accounts) => {
      judged += accounts.length;
      judgements++;
    });
    for (const rec of churningFarm(7)) engine.push(rec);
    engine.finish();
    expect(judgements).toBe(engine.judgements);
    expect(engine.accountJudgements).toBe(judged);
    expect(judged).toBeGreaterThan(engine.observer.list.length);
    // Each membership held now was joined once; leaving and joining again counts twice more.
    let held = 0;
    for (const s of engine.observer.list) held += engine.linker.refs(s.idx).length;
    expect(held).toBeGreaterThan(0);
    expect(engine.membershipMoves).toBeGreaterThanOrEqual(held);
  });
});
