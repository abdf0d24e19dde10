import { describe, expect, it } from 'vitest';
import { Deduper } from './dedupe.js';

const NONE = Number.NEGATIVE_INFINITY;

describe('Deduper', () => {
  it('reports a repeated id, once remembered', () => {
    const d = new Deduper();
    expect(d.seen('req_1', 0, NONE)).toBe(false);
    expect(d.seen('req_2', 0, NONE)).toBe(false);
    expect(d.seen('req_1', 0, NONE)).toBe(true);
    expect(d.seen('req_1', 5, NONE)).toBe(true);
    expect(d.size).toBe(2);
  });

  it('tells apart ids that differ in one character, length or order', () => {
    const d = new Deduper();
    for (const id of ['a', 'b', 'ab', 'ba', 'abc', 'abd', '', ' ', 'é', 'e\u0301', 'x'.repeat(1000), 'x'.repeat(1001)]) {
      expect(d.seen(id, 0, NONE)).toBe(false);
    }
  });

  it('grows without losing ids or inventing duplicates while every id is in the window', () => {
    const d = new Deduper(1024);
    const n = 300_000;
    let wrong = 0;
    for (let i = 0; i < n; i++) if (d.seen(`chatcmpl-${i.toString(36)}`, i, 0)) wrong++;
    for (let i = 0; i < n; i += 7) if (!d.seen(`chatcmpl-${i.toString(36)}`, i, 0)) wrong++;
    expect(wrong).toBe(0);
    expect(d.size).toBe(n);
    // 16 bytes a slot, load between 0.375 and 0.75 after growing: at most 43 bytes an id.
    expect(d.bytes).toBeLessThanOrEqual(n * 43);
  });

  it('forgets an id exactly when its record falls behind the bound', () => {
    const d = new Deduper();
    expect(d.seen('a', 100, 0)).toBe(false);
    expect(d.seen('a', 100, 100)).toBe(true); // at the bound: a copy could still be accepted
    expect(d.seen('a', 200, 101)).toBe(false); // behind it: forgotten, the new record takes its place
    expect(d.seen('a', 200, 150)).toBe(true);
  });

  it('holds one window of ids, not every id seen: memory stays flat as exchanges go on', () => {
    const d = new Deduper(1024);
    const window = 5_000;
    let maxBytes = 0;
    for (let i = 0; i < 1_000_000; i++) {
      d.seen(`req-${i}`, i, i - window);
      if (i === 100_000) maxBytes = d.bytes;
      // Every id of the window is still known.
      if (i % 9973 === 0 && i > window) expect(d.seen(`req-${i - window + 1}`, i, i - window)).toBe(true);
    }
    expect(d.bytes).toBe(maxBytes);
    expect(d.size).toBeLessThan(4 * window);
  });
});
