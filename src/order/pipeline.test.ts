// Dedupe bounded by the lateness window, through the Ingestor as scan and serve use it: a copy within
// the window is a duplicate, a copy of an older record is late, and neither is ever accepted twice;
// the ids remembered stay one window's worth however many exchanges pass.
import { describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../core/records.js';
import { MINUTE } from '../core/time.js';
import { exchange, T0 } from '../../test/helpers/records.js';
import { emptyBatch, Ingestor, type Admission } from './pipeline.js';

const LATENESS = 10 * MINUTE;
const raw = { file: 't', line: 1, text: '', bytes: 0 };
const ingestor = (): Ingestor => new Ingestor({ emailKey: Buffer.alloc(32, 1), maxLatenessMs: LATENESS });
/** One exchange a second from T0, ids `x<i>`. */
const ex = (i: number, ts = T0 + i * 1000): CanonicalRecord => exchange('acct', ts, `p${i}`, { id: `x${i}` });

describe('bounded dedupe in the Ingestor (single stream, as scan)', () => {
  it('counts a copy within the window once, rejects a copy older than the window as late, and keeps one window of ids', () => {
    const ing = ingestor();
    const out = emptyBatch();
    const seen: Admission[] = [];
    const n = 150_000; // 42 hours at one a second: 250 windows
    let maxIds = 0;
    let refused = 0;
    for (let i = 0; i < n; i++) {
      if (ing.admit(ex(i), raw, out) !== 'accepted') refused++;
      // A retry 5 minutes later (within the window): a duplicate.
      if (i % 1000 === 0 && i >= 300) seen.push(ing.admit(ex(i - 300), raw, out));
      // A retry 20 minutes later (behind the window): late, never accepted again.
      if (i % 1000 === 500 && i >= 1200) seen.push(ing.admit(ex(i - 1200), raw, out));
      maxIds = Math.max(maxIds, ing.rememberedIds);
    }
    ing.flush(out);
    const c = ing.counts();
    expect(refused).toBe(0);
    expect(seen.filter((a) => a === 'duplicate').length).toBe(149);
    expect(seen.filter((a) => a === 'rejected').length).toBe(149);
    expect(c.duplicates).toBe(149);
    expect(c.late).toBe(149);
    expect(c.accepted).toBe(n);
    expect(new Set(out.records.map((r) => (r.kind === 'exchange' ? r.id : ''))).size).toBe(n);
    // 600 ids in a 10-minute window at one a second: the table sweeps them out as it fills (its
    // initial 65,536 slots hold 49,152), instead of growing with the 150,000 exchanges.
    expect(maxIds).toBeLessThanOrEqual(49_152);
    expect(ing.dedupeBytes).toBe(65_536 * 16);
  });
});

describe('bounded dedupe on the per-source path (as serve), replayed from what was accepted', () => {
  /** Batches of 100 records from one source, wall time advancing with them; returns what was accepted. */
  function feed(ing: Ingestor, batches: CanonicalRecord[][]): { accepted: CanonicalRecord[][]; admissions: Admission[][] } {
    const accepted: CanonicalRecord[][] = [];
    const admissions: Admission[][] = [];
    batches.forEach((b, k) => {
      const out = emptyBatch();
      const acc: CanonicalRecord[] = [];
      const adm = b.map((r) => {
        const a = ing.admitFrom('gw', k * 1000, r, raw, out);
        if (a === 'accepted') acc.push(r);
        return a;
      });
      ing.settle(k * 1000, out);
      accepted.push(acc);
      admissions.push(adm);
    });
    return { accepted, admissions };
  }

  it('a restart replaying the accepted records decides every later retry as the live service did', () => {
    const batches: CanonicalRecord[][] = [];
    for (let k = 0; k < 40; k++) batches.push(Array.from({ length: 100 }, (_, j) => ex(k * 100 + j, T0 + (k * 100 + j) * 10_000)));
    // Retries of earlier batches: one within the window (duplicates), one long after (late).
    batches.push(batches[39].slice(50), batches[5].slice(0, 50));
    const live = ingestor();
    const a = feed(live, batches);
    expect(a.admissions[40].every((x) => x === 'duplicate')).toBe(true);
    expect(a.admissions[41].every((x) => x === 'rejected')).toBe(true);

    // The restart: only accepted records are in the log; then the same retries again.
    const restarted = ingestor();
    const replayed = feed(restarted, a.accepted);
    expect(replayed.admissions.flat().every((x) => x === 'accepted')).toBe(true);
    const retry = [batches[39].slice(60), batches[20].slice(0, 10)];
    const liveAgain = feed(live, retry).admissions;
    const restartedAgain = feed(restarted, retry).admissions;
    expect(restartedAgain).toEqual(liveAgain);
    expect(liveAgain[0].every((x) => x === 'duplicate')).toBe(true);
    expect(liveAgain[1].every((x) => x === 'rejected')).toBe(true);
  });
});
