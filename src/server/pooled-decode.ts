// NDJSON batches decoded on the decode workers (src/engine/decode-pool.ts), as `scan` decodes: the
// event loop that runs HTTP and the engine hands the body over whole; a worker splits it into lines
// (the rules of sources/file.ts), makes the text, decodes, sketches each exchange (the engine then folds numbers only) and writes each
// record's JSON for the ingest log, since the records come back without their text
// (record-codec.ts). The items are those the main-thread path makes from the same body: same lines,
// numbers, records and rejections (src/server/pooled-decode.test.ts).
import type { DecodePool } from '../engine/decode-pool.js';
import { recordJsonAt } from '../engine/line-decoder.js';
import type { LineBytes } from '../sources/line-bytes.js';
import type { RawLine } from '../sources/file.js';
import type { BatchItem } from './live.js';
import type { IngestTimeline } from './ingest-timeline.js';

export async function decodeOnPool(body: Buffer, pool: DecodePool, maxLineBytes: number, tl?: IngestTimeline): Promise<BatchItem[]> {
  tl?.mark('count');
  // One piece per worker for a large body (decoded at once), in body order.
  const parts = await pool.decodeBody(body, 'http', maxLineBytes, { json: true });
  if (tl !== undefined) {
    tl.mark('decode');
    // Pieces decode side by side: the slowest one's wait, work and pickup; every piece's unpack (one thread).
    const ts = parts.map((d) => d.times).filter((t) => t !== undefined);
    if (ts.length > 0) {
      tl.part('decode_queue', Math.max(...ts.map((t) => t.queue)));
      tl.part('decode_worker', Math.max(...ts.map((t) => t.worker)));
      tl.part('decode_pickup', Math.max(...ts.map((t) => t.pickup)));
      tl.part('decode_unpack', ts.reduce((a, t) => a + t.unpack, 0));
    }
  }
  let n = 0;
  for (const d of parts) n += d.recs.length;
  const items = new Array<BatchItem>(n);
  let k = 0;
  for (const d of parts) {
    if (d.lines.count === 0) continue;
    const json = d.json;
    if (json === undefined) throw new Error('decode worker: the records came back without their JSON');
    const view = Buffer.from(d.lines.data.buffer, d.lines.data.byteOffset, d.lines.data.byteLength);
    for (let i = 0; i < d.recs.length; i++) {
      const rec = d.recs[i];
      items[k++] = { raw: lineAt(d.lines, view, i), rec, json: 'reason' in rec ? undefined : recordJsonAt(json, i) };
    }
  }
  return items;
}

function lineAt(b: LineBytes, view: Buffer, i: number): RawLine {
  const k = b.largeAt.length > 0 ? b.largeAt.indexOf(i) : -1;
  if (k >= 0) return b.large[k];
  const start = i === 0 ? 0 : b.ends[i - 1];
  return new BytesLine(b.file, b.lineNos[i], view, start, b.ends[i]);
}

/** A line kept as bytes: its text is made only if it is read (a record rejected as late). */
class BytesLine implements RawLine {
  readonly bytes: number;

  constructor(
    public file: string,
    readonly line: number,
    private readonly view: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.bytes = end - start;
  }

  get text(): string {
    return this.view.toString('utf8', this.start, this.end);
  }
}
