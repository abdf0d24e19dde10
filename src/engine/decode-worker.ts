// A decode worker: raw lines in, canonical records (exchanges with their content sketches) or
// rejections out, in the order given. Pure per line, so the engine's thread sees exactly what it would
// have decoded itself. See decode-pool.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineConfig } from '../config/schema.js';
import { decodeLine, isRejection } from '../decode/index.js';
import { intelScanHooks } from '../intel/scan-hooks.js';
import { Presketcher } from '../observe/presketch.js';
import type { RawLine } from '../sources/file.js';
import type { DecodeRequest, DecodeResponse } from './decode-pool.js';

const cfg = (workerData as { cfg: EngineConfig }).cfg;
// Messages sent before this module finished loading wait in the port's queue.
const ctx = { emailKey: Buffer.from(cfg.emailKey), shareEmail: (await intelScanHooks(cfg)).shareEmail };
const presketcher = new Presketcher(cfg.template);

parentPort!.on('message', (req: DecodeRequest) => {
  const recs = req.lines.map((raw: RawLine) => {
    const rec = decodeLine(raw, ctx);
    if (!isRejection(rec) && rec.kind === 'exchange') {
      rec.sketch = presketcher.sketch(rec);
      // The engine reads only the sketch: the text need not cross to its thread.
      rec.prompt = '';
      rec.system = '';
    }
    return rec;
  });
  const res: DecodeResponse = { seq: req.seq, recs };
  parentPort!.postMessage(res);
});
