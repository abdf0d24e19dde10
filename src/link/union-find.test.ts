import { describe, expect, it } from 'vitest';
import { UnionFind } from './union-find.js';

/** The set of each index in 0..n-1, as sorted member lists keyed by root. */
function sets(uf: UnionFind, n: number): number[][] {
  const roots = new Set<number>();
  for (let i = 0; i < n; i++) roots.add(uf.find(i));
  return [...roots].map((r) => [...uf.membersOf(r)].sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);
}

describe('UnionFind', () => {
  it('starts with every index alone, growing on demand', () => {
    const uf = new UnionFind();
    expect(uf.find(5)).toBe(5);
    expect(uf.find(0)).toBe(0);
    expect(uf.membersOf(uf.find(3))).toEqual([3]);
    expect(sets(uf, 4)).toEqual([[0], [1], [2], [3]]);
  });

  it('joins sets transitively and lists every member under the one root', () => {
    const uf = new UnionFind();
    uf.union(0, 1);
    uf.union(2, 3);
    uf.union(3, 4);
    expect(uf.find(0)).toBe(uf.find(1));
    expect(uf.find(2)).toBe(uf.find(4));
    expect(uf.find(0)).not.toBe(uf.find(2));
    uf.union(1, 4);
    const root = uf.find(0);
    for (let i = 0; i <= 4; i++) expect(uf.find(i)).toBe(root);
    expect([...uf.membersOf(root)].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(sets(uf, 6)).toEqual([[0, 1, 2, 3, 4], [5]]);
  });

  it('keeps the larger set\'s root, whichever side it is passed on', () => {
    const uf = new UnionFind();
    uf.union(10, 11);
    uf.union(10, 12); // {10, 11, 12}
    const big = uf.find(12);
    expect(uf.union(20, 11)).toBe(big); // small set first
    expect(uf.union(12, 21)).toBe(big); // small set second
    expect(uf.find(20)).toBe(big);
    expect(uf.find(21)).toBe(big);
    expect(uf.membersOf(big)).toHaveLength(5);
  });

  it('returns the existing root without change when both are already joined', () => {
    const uf = new UnionFind();
    const r = uf.union(1, 2);
    expect(uf.union(2, 1)).toBe(r);
    expect(uf.union(1, 1)).toBe(r);
    expect(uf.membersOf(r)).toHaveLength(2);
  });

  it('stays consistent over many unions in both orders', () => {
    const uf = new UnionFind();
    const n = 2000;
    // Odd indexes chained from the far end, even ones from the near end, then the two chains joined.
    for (let i = n - 3; i >= 1; i -= 2) uf.union(i + 2, i);
    for (let i = 0; i + 2 < n; i += 2) uf.union(i, i + 2);
    uf.union(n - 1, 0);
    const root = uf.find(0);
    for (let i = 0; i < n; i++) expect(uf.find(i)).toBe(root);
    const members = uf.membersOf(root);
    expect(members).toHaveLength(n);
    expect(new Set(members).size).toBe(n);
  });

  it('merges two large sets into one member list without duplicates', () => {
    const uf = new UnionFind();
    for (let i = 1; i < 50; i++) uf.union(0, i); // {0..49}
    for (let i = 101; i < 130; i++) uf.union(100, i); // {100..129}
    const root = uf.union(129, 49);
    expect(root).toBe(uf.find(0)); // 50 members beat 30
    const members = [...uf.membersOf(root)].sort((a, b) => a - b);
    expect(members).toHaveLength(80);
    expect(new Set(members).size).toBe(80);
    expect(members[0]).toBe(0);
    expect(members[79]).toBe(129);
  });

  it('splits some members out of a set into their own, whatever path ran through them', () => {
    const uf = new UnionFind();
    // A chain 0-1-2-3-4-5 joined so that parents run through 2 and 3.
    uf.union(2, 3);
    uf.union(1, 2);
    uf.union(3, 4);
    uf.union(0, 1);
    uf.union(4, 5);
    const [rest, out] = uf.split([2, 3]);
    expect(sets(uf, 6)).toEqual([[0, 1, 4, 5], [2, 3]]);
    expect(uf.find(0)).toBe(rest);
    expect(uf.find(3)).toBe(out);
    // Unions go on as before.
    uf.union(5, 2);
    expect(sets(uf, 6)).toEqual([[0, 1, 2, 3, 4, 5]]);
  });

  it('refuses a split of a whole set or across two sets', () => {
    const uf = new UnionFind();
    uf.union(0, 1);
    uf.union(2, 3);
    expect(() => uf.split([0, 1])).toThrow(/some, not all/);
    expect(() => uf.split([0, 2])).toThrow(/some, not all/);
  });
});
