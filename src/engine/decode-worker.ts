// A decode worker: raw lines in, canonical records (exchanges with their content sketches) or
// rejections out, in the order given. Pure per line, so the engine's thread sees exactly what it would
// have decoded itself. See decode-pool.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineConfig } from '../config/schema.js';
import { intelScanHooks } from '../intel/scan-hooks.js';
import { transferList } from '../sources/line-bytes.js';
import type { DecodeRequest, DecodeResponse } from './decode-pool.js';
import { LineDecoder } from './line-decoder.js';

const cfg = (workerData as { cfg: EngineConfig }).cfg;
// Messages sent before this module finished loading wait in the port's queue.
const decoder = new LineDecoder(cfg, (await intelScanHooks(cfg)).shareEmail);

parentPort!.on('message', (req: DecodeRequest) => {
  const lines = req.lines;
  const batch = decoder.decode(lines);
  // The lines go back too (their buffers, transferred): the engine's thread rejects late lines from them.
  const res: DecodeResponse = { seq: req.seq, batch, lines };
  parentPort!.postMessage(res, [batch.nums.buffer, batch.kinds.buffer, batch.phrases.buffer, ...transferList(lines)]);
});
