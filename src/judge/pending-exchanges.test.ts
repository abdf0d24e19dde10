import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../core/capabilities.js';
import { CAPS, emptyAggregate, EXCHANGES, HOURS, REASONING_PROMPTS } from './group-aggregates.js';
import { PendingExchanges, type Tally } from './pending-exchanges.js';

const NCAPS = CAPABILITIES.length;

/** A small deterministic generator (tests need the same exchanges every run). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('PendingExchanges: exchanges tallied per account, counted once a judgement', () => {
  it('adds up to what counting each exchange into the sums gives, for every account, over two periods', () => {
    const rnd = lcg(7);
    const pending = new PendingExchanges();
    const want = new Map<number, Float64Array>();
    const got = new Map<number, Float64Array>();
    const wantItems = new Map<number, number[]>();
    const gotItems = new Map<number, number[]>();
    for (let period = 0; period < 2; period++) {
      for (let n = 0; n < 2000; n++) {
        const idx = Math.floor(rnd() * 40) * 37; // sparse account indexes
        // Capability bits, plus a bit above them (flags the sums must not count).
        const mask = Math.floor(rnd() * (1 << NCAPS)) | (rnd() < 0.1 ? 1 << (NCAPS + 2) : 0);
        const elicits = rnd() < 0.3;
        const item = Math.floor(rnd() * 1e6);
        const hour = (period * 5 + Math.floor(rnd() * 2)) % 24;
        pending.add(idx, mask, elicits, item, hour);
        if (!want.has(idx)) want.set(idx, emptyAggregate());
        const w = want.get(idx)!;
        w[EXCHANGES]++;
        if (elicits) {
          w[REASONING_PROMPTS]++;
          wantItems.set(idx, [...(wantItems.get(idx) ?? []), item]);
        }
        for (let i = 0; i < NCAPS; i++) if (mask & (1 << i)) w[CAPS + i]++;
        w[HOURS + hour]++;
      }
      const seen = new Set<number>();
      pending.flush((t: Tally) => {
        expect(seen.has(t.idx)).toBe(false); // one tally per account and period
        seen.add(t.idx);
        if (!got.has(t.idx)) got.set(t.idx, emptyAggregate());
        t.addInto(got.get(t.idx)!);
        gotItems.set(t.idx, [...(gotItems.get(t.idx) ?? []), ...t.items]);
      });
    }
    expect(got).toEqual(want);
    for (const [idx, items] of wantItems) expect(gotItems.get(idx)).toEqual(items);
  });

  it('hands out nothing when no exchange came since the last flush', () => {
    const pending = new PendingExchanges();
    pending.add(3, 1, true, 42, 5);
    pending.flush(() => undefined);
    let calls = 0;
    pending.flush(() => calls++);
    expect(calls).toBe(0);
  });
});
