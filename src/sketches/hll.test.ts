import { describe, expect, it } from 'vitest';
import { fmix32 } from './hash.js';
import { Hll } from './hll.js';

/** A sketch of `n` distinct hashes drawn from `seed`. */
function sketch(seed: number, n: number): Hll {
  const h = new Hll();
  for (let i = 0; i < n; i++) h.add(fmix32((seed * 7919 + i * 104729 + 1) >>> 0));
  return h;
}

function unionOf(parts: readonly Hll[]): Hll {
  const u = new Hll();
  for (const p of parts) u.merge(p);
  return u;
}

describe('Hll.dominates', () => {
  it('says true only when the union of the others is the union of all (taking the sketch out changes nothing)', () => {
    let yes = 0;
    let no = 0;
    for (const [members, items] of [
      [3, 2],
      [20, 3],
      [200, 4],
      [50, 40],
    ] as const) {
      const parts = Array.from({ length: members }, (_, i) => sketch(members * 1000 + i, 1 + ((i * items) % (2 * items))));
      const all = unionOf(parts);
      for (let i = 0; i < parts.length; i++) {
        const rest = unionOf(parts.filter((_, j) => j !== i));
        if (all.dominates(parts[i])) {
          yes++;
          expect(Array.from(rest.regs)).toEqual(Array.from(all.regs));
        } else no++;
      }
    }
    // Both answers occur: most members of a large union hold no maximum, a lone heavy one does.
    expect(yes).toBeGreaterThan(100);
    expect(no).toBeGreaterThan(10);
  });

  it('is false for a sketch holding a maximum alone, true for an empty one, false for itself when not empty', () => {
    const a = sketch(1, 50);
    const b = sketch(2, 1);
    const u = unionOf([a, b]);
    expect(u.dominates(new Hll())).toBe(true);
    expect(u.dominates(a)).toBe(false);
    expect(a.dominates(a)).toBe(false);
  });

  it('reads registers at an offset in a shared buffer', () => {
    const buf = new Uint8Array(2 * Hll.BYTES);
    const x = new Hll(buf, Hll.BYTES);
    for (let i = 0; i < 10; i++) x.add(fmix32(i + 1));
    const u = new Hll();
    u.merge(x);
    expect(u.dominates(x)).toBe(false);
    // Every register x uses one rank higher in the union: another sketch holds each maximum.
    const regs = u.regs;
    for (let i = 0; i < regs.length; i++) if (regs[i] > 0) regs[i]++;
    expect(u.dominates(x)).toBe(true);
    expect(buf.subarray(0, Hll.BYTES).every((r) => r === 0)).toBe(true);
  });
});
