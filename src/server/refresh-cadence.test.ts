// The read view's cadence under a burst: every --flush-ms while the engine keeps up, every two once
// it is a second or more of processing behind (src/server/live.ts, refreshDue).
import { describe, expect, it } from 'vitest';
import { BUSY_BEHIND_SECONDS, BUSY_REFRESH_FACTOR, refreshDue } from './live.js';

describe('refreshDue', () => {
  const flushMs = 1000;
  it('refreshes at every tick while the engine is less than a second behind', () => {
    for (const behind of [0, 0.2, BUSY_BEHIND_SECONDS - 0.01]) expect(refreshDue(10_000 + flushMs, 10_000, behind, flushMs)).toBe(true);
  });
  it('skips ticks younger than two intervals while it is a second or more behind, and takes the next', () => {
    for (const behind of [BUSY_BEHIND_SECONDS, 3, 5]) {
      expect(refreshDue(10_000 + flushMs, 10_000, behind, flushMs)).toBe(false);
      expect(refreshDue(10_000 + BUSY_REFRESH_FACTOR * flushMs - 1, 10_000, behind, flushMs)).toBe(false);
      expect(refreshDue(10_000 + BUSY_REFRESH_FACTOR * flushMs, 10_000, behind, flushMs)).toBe(true);
    }
  });
  it('never holds the first refresh (nothing published yet)', () => {
    expect(refreshDue(5_000, 0, 4, flushMs)).toBe(true);
  });
});
