import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/prng.js';
import { TopK } from './topk.js';
import { Hll } from '../sketches/hll.js';

/** Everything a table answers, for comparing two tables. */
function contents(t: TopK): unknown {
  const slots = Array.from({ length: t.size }, (_, i) => [t.key(i), t.slotCount(i), t.guaranteed(i)]);
  return { size: t.size, slots, heavy: t.heavy(2), top: t.top() };
}

describe('TopK', () => {
  it('keeps heavy hitters exactly while bounded', () => {
    const t = new TopK(8); // error bound N/k = 2500/8 ≈ 312 < 400
    for (let i = 0; i < 1000; i++) {
      t.add(7);
      if (i % 2 === 0) t.add(9);
      t.add(1000 + i); // a stream of singletons
    }
    expect(t.size).toBe(8);
    expect(t.heavy(400)).toEqual([7, 9]);
    expect(t.top()).toEqual({ key: 7, count: 1000 });
  });

  it('answers the same in shared arrays, and after outgrowing its first rooms, as in arrays of its own', () => {
    const rand = mulberry32(7);
    const own = new TopK(12);
    // Two tables side by side in shared arrays; the second starts with 3 rooms of its 12.
    const keys = new Float64Array(8);
    const counts = new Uint32Array(16);
    const first = new TopK(5, keys, 0, counts, 0);
    const shared = new TopK(12, keys, 5, counts, 10, 3);
    for (let i = 0; i < 500; i++) {
      const k = Math.floor(rand() * rand() * 40);
      expect(shared.add(k)).toBe(own.add(k));
      first.add(99);
      if (i === 2) expect(contents(shared)).toEqual(contents(own)); // still in its rooms
    }
    expect(contents(shared)).toEqual(contents(own));
    expect(first.top()).toEqual({ key: 99, count: 500 }); // the neighbour's slots were never touched
    expect(first.size).toBe(1);
  });
});

describe('Hll', () => {
  it('estimates distinct counts within a few standard errors', () => {
    for (const n of [10, 100, 1000, 20000]) {
      const h = new Hll();
      let x = 12345;
      for (let i = 0; i < n; i++) {
        x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
        h.add(x);
        h.add(x); // repeats do not count
      }
      expect(Math.abs(h.estimate() - n) / n).toBeLessThan(0.4);
    }
  });

  it('keeps sketches sharing one byte array apart, and merges across arrays', () => {
    const bytes = new Uint8Array(2 * Hll.BYTES);
    const a = new Hll(bytes, 0);
    const b = new Hll(bytes, Hll.BYTES);
    const alone = new Hll();
    for (let i = 0; i < 300; i++) {
      a.add(Math.imul(i, 0x9e3779b1) >>> 0);
      alone.add(Math.imul(i, 0x9e3779b1) >>> 0);
    }
    expect(b.estimate()).toBe(0);
    expect(a.estimate()).toBe(alone.estimate());
    expect(Array.from(a.regs)).toEqual(Array.from(alone.regs));
    b.merge(alone);
    expect(Array.from(b.regs)).toEqual(Array.from(a.regs));
    b.clear();
    expect(b.estimate()).toBe(0);
    expect(a.estimate()).toBe(alone.estimate());
  });
});
