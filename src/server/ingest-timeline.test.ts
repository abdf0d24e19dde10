import { describe, expect, it } from 'vitest';
import { IngestTimeline } from './ingest-timeline.js';

describe('ingest timeline', () => {
  it('gives each stage the wall time since the previous mark and the engine slices within it', async () => {
    let engine = 0;
    const tl = new IngestTimeline(() => engine);
    engine = 3;
    await new Promise((r) => setTimeout(r, 5));
    tl.mark('read');
    engine = 10;
    tl.mark('count');
    tl.part('decode_worker', 1.5);
    expect(tl.stages.map((x) => x.stage)).toEqual(['read', 'count']);
    expect(tl.stages[0].ms).toBeGreaterThanOrEqual(4);
    expect(tl.stages.map((x) => x.engineMs)).toEqual([3, 7]);
    expect(tl.parts).toEqual([{ part: 'decode_worker', ms: 1.5 }]);
  });
});
