import { describe, expect, it } from 'vitest';
import { Coalesced } from './coalesced.js';

describe('Coalesced', () => {
  it('runs one job at a time and folds the calls made meanwhile into one more run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const gates: (() => void)[] = [];
    const c = new Coalesced(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs++;
      await new Promise<void>((r) => gates.push(r));
      active--;
    });
    const first = c.run();
    const during = [c.run(), c.run(), c.run()];
    await Promise.resolve();
    expect(runs).toBe(1);
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2); // the three calls made during the first run share the second
    gates.shift()!();
    await Promise.all([first, ...during]);
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    const later = c.run();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(3);
    gates.shift()!();
    await later;
  });

  it('rejects the callers of a failed run and runs again on the next call', async () => {
    let fail = true;
    let runs = 0;
    const c = new Coalesced(async () => {
      runs++;
      await Promise.resolve();
      if (fail) throw new Error('disk full');
    });
    await expect(c.run()).rejects.toThrow('disk full');
    fail = false;
    await c.run();
    expect(runs).toBe(2);
  });
});
