// A decode worker: raw lines in, canonical records (exchanges with their content sketches) or
// rejections out, in the order given. Pure per line, so the engine's thread sees exactly what it would
// have decoded itself. See decode-pool.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineConfig } from '../config/schema.js';
import { intelScanHooks } from '../intel/scan-hooks.js';
import { emptyLineBytes, LineBytesSplitter, transferList, type LineBytes } from '../sources/line-bytes.js';
import type { BodyToSplit, DecodeRequest, DecodeResponse } from './decode-pool.js';
import { LineDecoder, RecordJsonWriter } from './line-decoder.js';

const { cfg, intel, maxDepth } = workerData as { cfg: EngineConfig; intel: boolean; maxDepth?: number };
// Messages sent before this module finished loading wait in the port's queue.
const decoder = new LineDecoder(cfg, intel ? (await intelScanHooks(cfg)).shareEmail : undefined, maxDepth);
const jsonWriter = new RecordJsonWriter();

parentPort!.on('message', (req: DecodeRequest) => {
  const startedAt = performance.timeOrigin + performance.now();
  const lines = req.lines ?? splitBody(req.body!);
  const batch = decoder.decode(lines, req.json === true ? jsonWriter : undefined);
  // The lines go back too (their buffers, transferred): the engine's thread rejects late lines from them.
  const res: DecodeResponse = { seq: req.seq, batch, lines };
  const transfer = [batch.nums.buffer, batch.kinds.buffer, batch.phrases.buffer, ...transferList(lines)];
  if (req.json === true) {
    res.json = jsonWriter.finish();
    transfer.push(res.json.data.buffer, res.json.ends.buffer);
  }
  res.times = { startedAt, doneAt: performance.timeOrigin + performance.now() };
  parentPort!.postMessage(res, transfer);
});

/** A body's (or a piece's) lines, as the engine's thread would have split them (sources/line-bytes.ts). */
function splitBody(b: BodyToSplit): LineBytes {
  // Sized to the body: its lines are at most its bytes, so the buffer never grows and is taken once.
  const split = new LineBytesSplitter(b.file, { maxLineBytes: b.maxLineBytes }, b.data.byteLength, b.linesBefore ?? 0);
  split.push(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength), []);
  split.end([]);
  return split.take(true) ?? emptyLineBytes(b.file);
}
