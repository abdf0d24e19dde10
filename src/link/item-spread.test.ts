import { describe, expect, it } from 'vitest';
import { lshParams } from '../sketches/lsh.js';
import { MinHasher } from '../sketches/minhash.js';
import { Rng } from '../sim/rng.js';
import { DEFAULT_SPREAD, ItemSpread } from './item-spread.js';

const hasher = new MinHasher({ seed: 'item-spread-test', numPerm: 16 });
const lsh = lshParams(0.5, 16);

/** Item `i`'s phrases as one sender words it: 20 phrases of the item, 3 of them replaced by the sender's wording. */
function worded(r: Rng, i: number): number[] {
  const out = Array.from({ length: 20 }, (_, k) => (i * 1000 + k) >>> 0);
  for (let k = 0; k < 3; k++) out[r.below(20)] = r.u32();
  return out;
}

function spread(send: (r: Rng, s: ItemSpread) => void): ItemSpread {
  const s = new ItemSpread(hasher, lsh);
  send(new Rng('spread'), s);
  return s;
}

describe('item spread of a candidate group', () => {
  it('one work queue: each of 600 items reworded to two of 30 accounts, no account repeating itself', () => {
    const s = spread((r, sp) => {
      for (let i = 0; i < 600; i++) {
        const a = r.below(30);
        sp.observe(a, worded(r, i));
        sp.observe((a + 1 + r.below(29)) % 30, worded(r, i));
      }
    });
    const st = s.stats();
    expect(st.accountsPerItem).toBeGreaterThanOrEqual(DEFAULT_SPREAD.queueMin);
    expect(st.accountsPerItem).toBeLessThan(DEFAULT_SPREAD.classMin);
    expect(s.spread()).toBe('queue');
  });

  it('a class: 30 students asking the same 20 items is not a queue', () => {
    const s = spread((r, sp) => {
      for (let a = 0; a < 30; a++) for (let i = 0; i < 20; i++) sp.observe(a, worded(r, i));
    });
    expect(s.stats().accountsPerItem).toBeGreaterThanOrEqual(DEFAULT_SPREAD.classMin);
    expect(s.spread()).toBe('class');
  });

  it('unrelated people asking unrelated things share no item', () => {
    const s = spread((r, sp) => {
      for (let a = 0; a < 30; a++) for (let i = 0; i < 20; i++) sp.observe(a, worded(r, a * 100 + i));
    });
    expect(s.stats().accountsPerItem).toBeLessThan(DEFAULT_SPREAD.queueMin);
    expect(s.spread()).toBe('unrelated');
  });

  it('accounts that mostly repeat their own items are not a queue handing out new ones', () => {
    const s = spread((r, sp) => {
      for (let a = 0; a < 30; a++) {
        for (let k = 0; k < 20; k++) sp.observe(a, worded(r, a * 10 + (k % 4) + (k % 3 === 0 ? 1000 : 0)));
        sp.observe((a + 1) % 30, worded(r, a * 10));
      }
    });
    expect(s.stats().repeat).toBeGreaterThan(DEFAULT_SPREAD.maxRepeat);
    expect(s.spread()).not.toBe('queue');
  });

  it('says nothing before enough exchanges, and ignores prompts with no item phrases', () => {
    const s = spread((r, sp) => {
      for (let i = 0; i < 50; i++) sp.observe(i % 5, worded(r, i >> 1));
      sp.observe(1, []);
    });
    expect(s.stats().exchanges).toBe(50);
    expect(s.spread()).toBe('unknown');
  });
});
