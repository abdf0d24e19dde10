// SlicedApply: a burst is applied in order, a slice per turn of the event loop, with timers and I/O
// running between slices; a small burst is applied before push() returns.
import { describe, expect, it } from 'vitest';
import { SlicedApply } from './sliced-apply.js';

/** Busy for `us` microseconds: an item that costs what formatting a decision does. */
const spin = (us: number): void => {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
};

describe('SlicedApply', () => {
  it('applies a small burst at once', () => {
    const seen: number[] = [];
    let slices = 0;
    const q = new SlicedApply<number>((x) => seen.push(x), () => slices++);
    q.push([1, 2, 3]);
    q.push([4]);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(slices).toBe(2);
    expect(q.pending).toBe(0);
  });

  it('applies a burst over several turns, in order, letting the event loop run between slices', async () => {
    const seen: number[] = [];
    const turnsSeen: number[] = [];
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const q = new SlicedApply<number>(
      (x) => {
        spin(50);
        seen.push(x);
        turnsSeen.push(turns);
      },
      () => undefined,
      2,
    );
    const burst = Array.from({ length: 400 }, (_, i) => i); // ~20 ms of work
    q.push(burst.slice(0, 300));
    q.push(burst.slice(300));
    expect(q.pending).toBeGreaterThan(0);
    while (q.pending > 0) await new Promise((r) => setImmediate(r));
    clearInterval(ticker);
    expect(seen).toEqual(burst);
    // Timers ran while the burst was being applied: not all of it was applied in one turn.
    expect(new Set(turnsSeen).size).toBeGreaterThan(2);
  });
});
