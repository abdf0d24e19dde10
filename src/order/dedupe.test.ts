import { describe, expect, it } from 'vitest';
import { Deduper } from './dedupe.js';

describe('Deduper', () => {
  it('reports a repeated id, once remembered', () => {
    const d = new Deduper();
    expect(d.seen('req_1')).toBe(false);
    expect(d.seen('req_2')).toBe(false);
    expect(d.seen('req_1')).toBe(true);
    expect(d.seen('req_1')).toBe(true);
    expect(d.size).toBe(2);
  });

  it('tells apart ids that differ in one character, length or order', () => {
    const d = new Deduper();
    for (const id of ['a', 'b', 'ab', 'ba', 'abc', 'abd', '', ' ', 'é', 'e\u0301', 'x'.repeat(1000), 'x'.repeat(1001)]) {
      expect(d.seen(id)).toBe(false);
    }
  });

  it('grows without losing ids or inventing duplicates', () => {
    const d = new Deduper(1024);
    const n = 300_000;
    let wrong = 0;
    for (let i = 0; i < n; i++) if (d.seen(`chatcmpl-${i.toString(36)}`)) wrong++;
    for (let i = 0; i < n; i += 7) if (!d.seen(`chatcmpl-${i.toString(36)}`)) wrong++;
    expect(wrong).toBe(0);
    expect(d.size).toBe(n);
    expect(d.bytes).toBeLessThanOrEqual(n * 22);
  });
});
