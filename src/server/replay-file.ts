// Feeds an NDJSON file to a live engine through the batches the ingest API takes, then closes the
// source with a final watermark (as a gateway does when its traffic ends) so the records still held
// for lateness are judged too: afterwards the live store states what `scan` of the same file states.
import { createReadStream } from 'node:fs';
import type { Millis } from '../core/records.js';
import { decodeLine } from '../decode/index.js';
import { LineSplitter, type RawLine } from '../sources/file.js';
import type { BatchItem, LiveService } from './live.js';

const BATCH = 5000;

export interface ReplayOutcome {
  lines: number;
  /** Event time of the newest record sent; the final watermark is one judgement interval past it. */
  lastTs: Millis | null;
  /** Records the final watermark released from the ordering buffer. */
  released: number;
}

export async function replayFile(live: LiveService, input: string, o: { maxLineBytes: number; judgeIntervalMs: number }): Promise<ReplayOutcome> {
  const split = new LineSplitter(input, { maxLineBytes: o.maxLineBytes });
  let lines: RawLine[] = [];
  let total = 0;
  let lastTs: Millis | null = null;
  const submit = async (): Promise<void> => {
    const items: BatchItem[] = lines.map((raw) => {
      const rec = decodeLine(raw, live.decodeContext);
      if ('ts' in rec && (lastTs === null || rec.ts > lastTs)) lastTs = rec.ts;
      return { raw, rec };
    });
    total += lines.length;
    lines = [];
    while (live.overloaded) await new Promise((r) => setTimeout(r, 20));
    await live.submit(items);
  };
  for await (const chunk of createReadStream(input)) {
    split.push(chunk as Buffer, lines);
    if (lines.length >= BATCH) await submit();
  }
  split.end(lines);
  if (lines.length > 0) await submit();
  // Past the judgement tick that covers the newest record: the engine judges there, as scan's end does.
  const released = lastTs === null ? 0 : (await live.watermark((lastTs as Millis) + o.judgeIntervalMs)).released;
  await live.drain();
  await live.flush(true);
  return { lines: total, lastTs, released };
}
