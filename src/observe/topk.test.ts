import { describe, expect, it } from 'vitest';
import { TopK } from './topk.js';
import { Hll } from './hll.js';

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
});
