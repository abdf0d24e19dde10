// Where one ingest request's wall time goes, stage by stage, and how much of each stage the main
// thread spent in engine slices meanwhile (issue 20: one sequential client waits for each receipt,
// so every stage of a batch is on its path, and an engine slice that holds the thread delays it).
// A clock read per stage boundary; the metrics add them up (src/server/metrics.ts).
//
//   read         request headers parsed → body read (the handler runs)
//   count        → the body handed to a decode worker (record count, copy) or decoded here
//   decode       → its records back on the main thread (queue, the worker's own decode, transfer, unpack)
//   order        → lateness, dedupe and ordering done, the log entry queued
//   durable      → the entry written and fdatasync'd
//   answer       → the receipt sent
//
// The parts of `decode` on a worker are timed where they happen: `decode_queue` (posted until the
// worker takes it), `decode_worker` (the worker's own time for the batch), `decode_pickup` (its answer
// waiting for this thread's turn: behind an engine slice, a refresh, a GC) and `decode_unpack` (its
// records rebuilt from the worker's message here).

export const INGEST_STAGES = ['read', 'count', 'decode', 'order', 'durable', 'answer'] as const;
export type IngestStage = (typeof INGEST_STAGES)[number];
/** Parts of a stage timed on their own (not marks: they overlap `decode`). */
export type IngestPart = 'decode_queue' | 'decode_worker' | 'decode_pickup' | 'decode_unpack';

export class IngestTimeline {
  /** Wall ms of each stage marked, and the engine's slice ms within it, in the order marked. */
  readonly stages: { stage: IngestStage; ms: number; engineMs: number }[] = [];
  readonly parts: { part: IngestPart; ms: number }[] = [];
  private last: number;
  private lastEngine: number;

  /** `engineMs`: the main thread's cumulative ms in engine slices (LiveService.engineMs). */
  constructor(
    private readonly engineMs: () => number,
    start = performance.now(),
  ) {
    this.last = start;
    this.lastEngine = engineMs();
  }

  /** Ends `stage` now: its wall ms since the previous mark, and the engine slices' ms meanwhile. */
  mark(stage: IngestStage): void {
    const now = performance.now();
    const engine = this.engineMs();
    this.stages.push({ stage, ms: now - this.last, engineMs: engine - this.lastEngine });
    this.last = now;
    this.lastEngine = engine;
  }

  part(part: IngestPart, ms: number): void {
    this.parts.push({ part, ms });
  }
}
