// Online honesty (contract): flagged_at = T means the verdict was reached from records with ts <= T,
// so a run over the prefix of the input ending at T flags every account the full run flagged by T.
import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import type { CanonicalRecord } from '../core/records.js';
import { churningFarm } from '../../test/helpers/churning-farm.js';
import { Engine } from './engine.js';

function flags(recs: CanonicalRecord[]): Map<string, number> {
  const engine = new Engine(buildEngineConfig({}));
  for (const rec of recs) engine.push(rec);
  engine.finish();
  const out = new Map<string, number>();
  for (const s of engine.observer.list) {
    const at = engine.judge.verdicts.flaggedAt(s.idx);
    if (at !== null) out.set(s.id, at);
  }
  return out;
}

describe('online honesty', () => {
  const recs = churningFarm(7);
  const full = flags(recs);

  it('flags the farm in the full run (the test has something to check)', () => {
    expect(full.size).toBeGreaterThanOrEqual(20);
  });

  it('a prefix ending at T flags every account the full run flagged at or before T', () => {
    const times = [...new Set(full.values())].sort((a, b) => a - b);
    // Cut exactly at flag times (the hardest case) and just before the next record after them.
    const cuts = times.filter((_, i) => i % Math.max(1, Math.floor(times.length / 12)) === 0);
    expect(cuts.length).toBeGreaterThan(3);
    for (const T of cuts) {
      const prefix = flags(recs.filter((r) => r.ts <= T));
      for (const [id, at] of full) {
        if (at <= T) expect(prefix.has(id), `${id} flagged at ${new Date(at).toISOString()} but not in the prefix to ${new Date(T).toISOString()}`).toBe(true);
      }
    }
  });

  it('never flags before the account has sent anything', () => {
    const first = new Map<string, number>();
    for (const r of recs) if (r.kind === 'exchange' && !first.has(r.accountId)) first.set(r.accountId, r.ts);
    for (const [id, at] of full) expect(at).toBeGreaterThanOrEqual(first.get(id)!);
  });
});
