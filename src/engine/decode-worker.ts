// A decode worker: raw lines in, canonical records (exchanges with their content sketches) or
// rejections out, in the order given. Pure per line, so the engine's thread sees exactly what it would
// have decoded itself. See decode-pool.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import { decodeLine, isRejection } from '../decode/index.js';
import { intelScanHooks } from '../intel/scan-hooks.js';
import { Presketcher } from './presketch.js';
import { LineCursor, transferList } from '../sources/line-bytes.js';
import type { DecodeRequest, DecodeResponse } from './decode-pool.js';
import { RecordEncoder } from './record-codec.js';

const cfg = (workerData as { cfg: EngineConfig }).cfg;
// Messages sent before this module finished loading wait in the port's queue.
const ctx = { emailKey: Buffer.from(emailKeyOf(cfg)), shareEmail: (await intelScanHooks(cfg)).shareEmail };
const presketcher = new Presketcher(cfg.template);
// The encoder copies each sketch at once, so one sketch serves every exchange.
const scratch = presketcher.newSketch();
const encoder = new RecordEncoder(presketcher.bands);

const cursor = new LineCursor();

parentPort!.on('message', (req: DecodeRequest) => {
  const lines = req.lines;
  for (let i = 0; i < lines.count; i++) {
    const rec = decodeLine(cursor.at(lines, i), ctx);
    // The engine reads only the sketch: the text does not cross to its thread (record-codec.ts).
    if (!isRejection(rec) && rec.kind === 'exchange') rec.sketch = presketcher.sketchInto(rec, scratch);
    encoder.add(rec);
  }
  const batch = encoder.finish();
  // The lines go back too (their buffers, transferred): the engine's thread rejects late lines from them.
  const res: DecodeResponse = { seq: req.seq, batch, lines };
  parentPort!.postMessage(res, [batch.nums.buffer, batch.kinds.buffer, ...transferList(lines)]);
});
