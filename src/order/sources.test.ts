import { describe, expect, it } from 'vitest';
import { SourceClocks } from './sources.js';

const L = 60_000;
const clocks = (): SourceClocks => new SourceClocks({ maxLatenessMs: L, idleMs: 30_000, maxSources: 3 });

describe('SourceClocks', () => {
  it('releases up to the slowest active source, each source judged by its own bound', () => {
    const c = clocks();
    c.touch('a', 0);
    c.saw('a', 10 * L);
    c.touch('b', 0);
    c.saw('b', 3 * L);
    expect(c.bound('a')).toBe(9 * L);
    expect(c.bound('b')).toBe(2 * L);
    expect(c.releasePoint(0, -Infinity)).toBe(2 * L);
    c.promise('b', 8 * L); // b: nothing older than 8 min will come
    expect(c.releasePoint(1, -Infinity)).toBe(8 * L);
  });

  it('an idle source stops holding the release point back and is then forgotten; the point never goes back', () => {
    const c = clocks();
    c.touch('a', 0);
    c.saw('a', 2 * L);
    c.touch('b', 0);
    c.saw('b', 10 * L);
    expect(c.releasePoint(0, -Infinity)).toBe(L);
    c.touch('b', 40_000);
    expect(c.releasePoint(40_000, L)).toBe(9 * L); // a silent for 40 s > 30 s
    expect(c.size).toBe(1);
    expect(c.releasePoint(40_001, 9 * L)).toBe(9 * L);
    expect(c.releasePoint(200_000, 9 * L)).toBe(9 * L); // everyone idle: the highest bound
  });

  it('an expected source holds the release point where it is until it sends, or until it is idle', () => {
    const c = clocks();
    c.expect('a', 0);
    c.touch('b', 0);
    c.saw('b', 10 * L);
    expect(c.releasePoint(10_000, -Infinity)).toBe(-Infinity); // a has said nothing yet: nothing goes
    c.touch('a', 20_000);
    c.saw('a', 4 * L);
    expect(c.releasePoint(20_000, -Infinity)).toBe(3 * L);
    const d = clocks();
    d.expect('a', 0);
    d.touch('b', 0);
    d.saw('b', 10 * L);
    expect(d.releasePoint(30_001, -Infinity)).toBe(9 * L); // a silent past its idle time
    d.expect('a', 30_002); // expected again: it was forgotten, so it is a new source
    expect(d.releasePoint(30_002, 9 * L)).toBe(9 * L); // the point never goes back
  });

  it('tracks at most maxSources', () => {
    const c = clocks();
    for (const s of ['a', 'b', 'c']) c.touch(s, 0);
    expect(c.admits('a')).toBe(true);
    expect(c.admits('d')).toBe(false);
  });
});
