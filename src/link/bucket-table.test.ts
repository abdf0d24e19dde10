import { describe, expect, it } from 'vitest';
import { BucketTable } from './bucket-table.js';

/** How many of the keys the table still maps (each lookup counts a hit, so call it last). */
function present(t: BucketTable, keys: number[]): number {
  let n = 0;
  for (const k of keys) if (t.get(k) >= 0) n++;
  return n;
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('BucketTable', () => {
  it('maps a stored key to its id and an unknown key to -1', () => {
    const t = new BucketTable(4);
    expect(t.get(42)).toBe(-1);
    t.put(42, 7);
    t.put(2 ** 52 + 12345, 8); // band keys are up to 53 bits
    expect(t.get(42)).toBe(7);
    expect(t.get(2 ** 52 + 12345)).toBe(8);
    expect(t.get(43)).toBe(-1);
  });

  it('keeps the first id stored for a key', () => {
    const t = new BucketTable(4);
    t.put(42, 7);
    t.put(42, 9);
    expect(t.get(42)).toBe(7);
  });

  it('holds at most two entries per set, however many keys arrive', () => {
    const one = new BucketTable(0); // a single set of two ways
    const keys = range(1000, 500);
    keys.forEach((k, i) => one.put(k, i));
    expect(present(one, keys)).toBe(2);

    const sixteen = new BucketTable(4); // 16 sets, 32 slots
    keys.forEach((k, i) => sixteen.put(k, i));
    const n = present(sixteen, keys);
    expect(n).toBeLessThanOrEqual(32);
    expect(n).toBeGreaterThan(16); // the second way is used too
  });

  it('evicts the way with fewer hits when a set is full', () => {
    const t = new BucketTable(0);
    t.put(1, 100);
    t.put(2, 200);
    t.get(2);
    t.get(2); // key 2 recurs
    t.put(3, 300); // key 1 was seen once: it goes
    expect(t.get(1)).toBe(-1);
    expect(t.get(2)).toBe(200);
    expect(t.get(3)).toBe(300);
  });

  it('ages a busy entry before evicting it: each conflicting put halves its hits', () => {
    const t = new BucketTable(0);
    t.put(1, 100);
    t.put(2, 200);
    for (let i = 0; i < 3; i++) {
      t.get(1);
      t.get(2);
    } // both at 4 hits
    t.put(3, 300); // 1: 4 → 2, not stored
    t.put(4, 400); // 1: 2 → 1, not stored
    t.put(5, 500); // 1: 1 → 0, replaced
    expect(t.get(3)).toBe(-1);
    expect(t.get(4)).toBe(-1);
    expect(t.get(5)).toBe(500);
    expect(t.get(1)).toBe(-1);
    expect(t.get(2)).toBe(200);
  });

  it('keeps a recurring key through a flood of one-off keys in its set', () => {
    const t = new BucketTable(0);
    const recurring = 7;
    t.put(recurring, 1);
    expect(t.get(recurring)).toBe(1);
    for (let i = 0; i < 20_000; i++) {
      t.put(1_000_000 + i, 2 + i);
      if (i % 50 === 0) expect(t.get(recurring)).toBe(1);
    }
    expect(t.get(recurring)).toBe(1);
  });

  // Ties between equally cold ways evict the older entry, so no one-off window stays forever.
  it('eventually overwrites every one-off window during a flood of one-offs', () => {
    const t = new BucketTable(0);
    const flood = range(1000, 1000);
    flood.forEach((k, i) => t.put(k, i));
    // Of 1000 keys each put once, only the latest can reasonably still be there.
    expect(t.get(flood[1])).toBe(-1);
  });
});
