// Turns a batch of lines into the compact records of record-codec.ts: what a decode worker does, on a
// thread (decode-worker.ts) or in a cluster worker process (src/cluster/worker.ts). Pure per line, so
// whoever decodes, the engine sees exactly what it would have decoded itself.
import type { EngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import type { DecodeContext } from '../decode/index.js';
import { decodeLine, isRejection } from '../decode/index.js';
import { LineCursor, type LineBytes } from '../sources/line-bytes.js';
import { Presketcher } from './presketch.js';
import { RecordEncoder, type EncodedBatch } from './record-codec.js';

export class LineDecoder {
  private readonly ctx: DecodeContext;
  private readonly presketcher: Presketcher;
  // The encoder copies each sketch at once, so one sketch serves every exchange.
  private readonly scratch: ReturnType<Presketcher['newSketch']>;
  private readonly encoder: RecordEncoder;
  private readonly cursor = new LineCursor();

  /** `shareEmail`: community-keyed e-mail hashing (src/intel), when intel sharing is configured. */
  /** `maxDepth`: deepest nesting accepted (serve's limit; default decode's). */
  constructor(cfg: EngineConfig, shareEmail: DecodeContext['shareEmail'], maxDepth?: number) {
    this.ctx = { emailKey: Buffer.from(emailKeyOf(cfg)), shareEmail, maxDepth };
    this.presketcher = new Presketcher(cfg.template, cfg.scoring.pipelines.phraseSampleBits);
    this.scratch = this.presketcher.newSketch();
    this.encoder = new RecordEncoder(this.presketcher.bands);
  }

  /**
   * `json`: also write each record's JSON as decoded (before its sketch), as `serve`'s ingest log
   * keeps it, since the text does not cross (a rejection's entry is empty).
   */
  decode(lines: LineBytes, json?: RecordJsonWriter): EncodedBatch {
    for (let i = 0; i < lines.count; i++) {
      const rec = decodeLine(this.cursor.at(lines, i), this.ctx);
      const record = !isRejection(rec);
      if (json) json.add(record ? JSON.stringify(rec) : '');
      // The engine reads only the sketch: the text does not cross to it (record-codec.ts).
      if (record && rec.kind === 'exchange') rec.sketch = this.presketcher.sketchInto(rec, this.scratch);
      this.encoder.add(rec);
    }
    return this.encoder.finish();
  }
}

/** Records' JSON as UTF-8, one entry per line back to back: entry i is data[i === 0 ? 0 : ends[i - 1], ends[i]). */
export interface RecordJson {
  data: Uint8Array<ArrayBuffer>;
  ends: Int32Array<ArrayBuffer>;
}

/** Collects one batch's RecordJson (its buffers are transferred, so each batch gets new ones). */
export class RecordJsonWriter {
  private data = Buffer.allocUnsafeSlow(1 << 20);
  private used = 0;
  private ends = new Int32Array(1024);
  private count = 0;

  add(json: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.used + 3 * json.length > this.data.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(2 * this.data.length, this.used + 3 * json.length));
      this.data.copy(bigger, 0, 0, this.used);
      this.data = bigger;
    }
    this.used += this.data.write(json, this.used, 'utf8');
    if (this.count === this.ends.length) {
      const e = new Int32Array(2 * this.ends.length);
      e.set(this.ends);
      this.ends = e;
    }
    this.ends[this.count++] = this.used;
  }

  finish(): RecordJson {
    const out = { data: new Uint8Array(this.data.buffer as ArrayBuffer, this.data.byteOffset, this.used), ends: this.ends.slice(0, this.count) };
    this.data = Buffer.allocUnsafeSlow(Math.max(1 << 20, this.used));
    this.used = 0;
    this.count = 0;
    return out;
  }
}

/** Entry i of a RecordJson, as bytes (a view, no copy). */
export function recordJsonAt(j: RecordJson, i: number): Buffer {
  const start = i === 0 ? 0 : j.ends[i - 1];
  return Buffer.from(j.data.buffer, j.data.byteOffset + start, j.ends[i] - start);
}
