// A decode worker: raw lines in, canonical records (exchanges with their content sketches) or
// rejections out, in the order given. Pure per line, so the engine's thread sees exactly what it would
// have decoded itself. See decode-pool.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineConfig } from '../config/schema.js';
import { decodeLine, isRejection } from '../decode/index.js';
import { intelScanHooks } from '../intel/scan-hooks.js';
import { Presketcher } from '../observe/presketch.js';
import type { RawLine } from '../sources/file.js';
import { lshParams } from '../sketches/lsh.js';
import type { DecodeRequest, DecodeResponse } from './decode-pool.js';
import { RecordEncoder } from './record-codec.js';

const cfg = (workerData as { cfg: EngineConfig }).cfg;
// Messages sent before this module finished loading wait in the port's queue.
const ctx = { emailKey: Buffer.from(cfg.emailKey), shareEmail: (await intelScanHooks(cfg)).shareEmail };
const presketcher = new Presketcher(cfg.template);
const encoder = new RecordEncoder(lshParams(cfg.template.threshold, cfg.template.numPerm).bands);

parentPort!.on('message', (req: DecodeRequest) => {
  const lines: RawLine[] = req.lines;
  for (let i = 0; i < lines.length; i++) {
    const rec = decodeLine(lines[i], ctx);
    // The engine reads only the sketch: the text does not cross to its thread (record-codec.ts).
    if (!isRejection(rec) && rec.kind === 'exchange') rec.sketch = presketcher.sketch(rec);
    encoder.add(rec);
  }
  const batch = encoder.finish();
  const res: DecodeResponse = { seq: req.seq, batch };
  parentPort!.postMessage(res, [batch.nums.buffer, batch.kinds.buffer]);
});
