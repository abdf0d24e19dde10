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
  constructor(cfg: EngineConfig, shareEmail: DecodeContext['shareEmail']) {
    this.ctx = { emailKey: Buffer.from(emailKeyOf(cfg)), shareEmail };
    this.presketcher = new Presketcher(cfg.template, cfg.scoring.pipelines.phraseSampleBits);
    this.scratch = this.presketcher.newSketch();
    this.encoder = new RecordEncoder(this.presketcher.bands);
  }

  decode(lines: LineBytes): EncodedBatch {
    for (let i = 0; i < lines.count; i++) {
      const rec = decodeLine(this.cursor.at(lines, i), this.ctx);
      // The engine reads only the sketch: the text does not cross to it (record-codec.ts).
      if (!isRejection(rec) && rec.kind === 'exchange') rec.sketch = this.presketcher.sketchInto(rec, this.scratch);
      this.encoder.add(rec);
    }
    return this.encoder.finish();
  }
}
