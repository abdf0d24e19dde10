import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Orderer } from './orderer.js';

interface R {
  ts: number;
  id: number;
}

/** Feed records; return [released ids in order, late ids]. */
function run(tss: number[], maxLatenessMs: number): [number[], number[]] {
  const o = new Orderer<R>({ maxLatenessMs });
  const out: R[] = [];
  const late: number[] = [];
  tss.forEach((ts, id) => {
    if (!o.push({ ts, id }, out)) late.push(id);
  });
  o.flush(out);
  expect(o.buffered).toBe(0);
  return [out.map((r) => r.id), late];
}

describe('Orderer', () => {
  it('passes in-order records through and releases them once past the watermark', () => {
    const o = new Orderer<R>({ maxLatenessMs: 10 });
    const out: R[] = [];
    o.push({ ts: 0, id: 0 }, out);
    o.push({ ts: 5, id: 1 }, out);
    expect(out).toEqual([]);
    o.push({ ts: 10, id: 2 }, out); // watermark 0: ts 0 is released
    expect(out.map((r) => r.id)).toEqual([0]);
    o.push({ ts: 100, id: 3 }, out);
    expect(out.map((r) => r.id)).toEqual([0, 1, 2]);
    expect(o.buffered).toBe(1);
    expect(o.watermark).toBe(90);
    o.flush(out);
    expect(out.map((r) => r.id)).toEqual([0, 1, 2, 3]);
  });

  it('releases up to a source watermark in order, and refuses records before it afterwards', () => {
    const o = new Orderer<R>({ maxLatenessMs: 10 });
    const out: R[] = [];
    for (const [id, ts] of [[0, 100], [1, 95], [2, 104]]) o.push({ ts, id }, out);
    expect(out).toEqual([]); // newest 104: watermark 94
    o.advance(101, out);
    expect(out.map((r) => r.id)).toEqual([1, 0]);
    expect(o.watermark).toBe(101);
    expect(o.push({ ts: 100, id: 3 }, out)).toBe(false); // before the watermark: late
    expect(o.push({ ts: 101, id: 4 }, out)).toBe(true);
    o.advance(50, out); // behind: nothing changes
    expect(o.watermark).toBe(101);
    o.flush(out);
    expect(out.map((r) => r.id)).toEqual([1, 0, 4, 2]);
  });

  it('reorders records within the lateness bound', () => {
    expect(run([10, 30, 20, 25, 15, 40], 20)).toEqual([[0, 4, 2, 3, 1, 5], []]);
  });

  it('rejects records older than newest − maxLateness, accepts exactly at the bound', () => {
    // newest 100, bound 20: 80 is accepted, 79 is late
    expect(run([100, 80, 79, 101], 20)).toEqual([[1, 0, 3], [2]]);
  });

  it('keeps arrival order for equal timestamps, across the run and the heap', () => {
    expect(run([5, 5, 3, 5, 3, 5], 10)).toEqual([[2, 4, 0, 1, 3, 5], []]);
    expect(run([1, 1, 1], 0)).toEqual([[0, 1, 2], []]);
  });

  it('held with an order of their own, records of equal ts leave in that order, whatever their arrival', () => {
    const o = new Orderer<R>({ maxLatenessMs: 0 });
    const out: R[] = [];
    // Arrival: ids 0..5; the order given says 3, 0, 4, 1, 5, 2 for the equal ts, and ts 5 first.
    const given = [1, 3, 5, 0, 2, 4];
    [10, 10, 10, 10, 10, 5].forEach((ts, id) => o.hold({ ts, id }, ts === 5 ? -1 : given[id]));
    o.releaseTo(10, out);
    expect(out.map((r) => r.id)).toEqual([5, 3, 0, 4, 1, 2]);
  });

  it('with zero lateness anything older than the newest is late', () => {
    expect(run([1, 2, 1, 3], 0)).toEqual([[0, 1, 3], [2]]);
  });

  it('matches a stable sort of the accepted records on random input', () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let trial = 0; trial < 20; trial++) {
      const lateness = Math.floor(rnd() * 50);
      const tss: number[] = [];
      let t = 0;
      for (let i = 0; i < 2000; i++) {
        t += Math.floor(rnd() * 5);
        tss.push(t - Math.floor(rnd() * 70)); // some late, many out of order, many ties
      }
      const [released, late] = run(tss, lateness);
      // reference: replay lateness, then stable sort
      let newest = -Infinity;
      const accepted: number[] = [];
      const refLate: number[] = [];
      tss.forEach((ts, id) => {
        if (ts < newest - lateness) refLate.push(id);
        else {
          accepted.push(id);
          newest = Math.max(newest, ts);
        }
      });
      expect(late).toEqual(refLate);
      expect(released).toEqual([...accepted].sort((a, b) => tss[a] - tss[b] || a - b));
    }
  });

  it('releases in order while streaming (never goes back in time)', () => {
    const o = new Orderer<R>({ maxLatenessMs: 30 });
    const out: R[] = [];
    for (let i = 0; i < 100_000; i++) o.push({ ts: i + ((i * 7919) % 29), id: i }, out);
    expect(out.length).toBeGreaterThan(99_000);
    let backwards = 0;
    for (let i = 1; i < out.length; i++) if (out[i].ts < out[i - 1].ts) backwards++;
    expect(backwards).toBe(0);
  });

  it('refuses a negative lateness', () => {
    expect(() => new Orderer<R>({ maxLatenessMs: -1 })).toThrow(RangeError);
  });
});

describe('Orderer memory', () => {
  it('holds no record it has released (the run is compacted only every so often)', async () => {
    // The engine takes a released record and drops it; had the orderer kept it until its next
    // compaction, every record would outlive thousands of others and reach V8's old generation.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const o = new Orderer<R>({ maxLatenessMs: 600_000 });
    const refs: WeakRef<R>[] = [];
    let released = 0;
    // In order, ~16 records a minute (the default scenario's rate at scale 1), a few out of order.
    for (let i = 0; i < 3000; i++) {
      const rec = { ts: i * 3750 - (i % 50 === 7 ? 90_000 : 0), id: i };
      if (i < 500) refs.push(new WeakRef(rec));
      const out: R[] = [];
      o.push(rec, out);
      released += out.length;
    }
    expect(released).toBeGreaterThan(2500);
    expect(o.buffered).toBe(3000 - released);
    await new Promise((r) => setImmediate(r)); // WeakRef targets are kept until the job that made them ends
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toEqual([]);
  });
});
