// Decode and content sketching on worker threads, for `scan`: the main thread reads lines and runs the
// one ordered engine; workers turn batches of lines into records (JSON.parse, body adapters, e-mail
// hashing, capability tags, scaffold MinHash/LSH keys). Batches go round-robin and come back in the
// order sent, and each line keeps its file and line number, so records, rejections and every output
// are the same as decoding on the main thread (src/engine/decode-pool.test.ts).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineConfig } from '../config/schema.js';
import type { CanonicalRecord } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';
import { checkReadable, DEFAULT_MAX_LINE_BYTES } from '../sources/file.js';
import { LineCursor, type LineBytes, readLineBytes, transferList } from '../sources/line-bytes.js';
import { emptyBatch, type IngestBatch, type Ingestor, type IngestOptions } from '../order/pipeline.js';
import { decodeBatch, type EncodedBatch } from './record-codec.js';
import type { RecordJson } from './line-decoder.js';

/** A batch of lines for a worker, as bytes: it makes the text (sources/line-bytes.ts). */
export interface DecodeRequest {
  seq: number;
  /** The lines, split here; or `body`, split into lines on the worker. */
  lines?: LineBytes;
  body?: BodyToSplit;
  /** Also send each record's JSON as decoded (serve's ingest log keeps the text the records arrive without). */
  json?: boolean;
}

/**
 * A whole NDJSON body (serve's ingest) that the worker splits into lines with the rules of
 * sources/file.ts before decoding them: the thread that runs HTTP and the engine then neither walks
 * the body nor copies each line into a batch (it was ~7 µs a line of serve's busiest thread).
 */
export interface BodyToSplit {
  /** Transferred; or a view of a SharedArrayBuffer (the body where it was read: nothing copied, read only). */
  data: Uint8Array;
  /** The lines' file name (RawLine.file). */
  file: string;
  maxLineBytes: number;
  /** A piece of a body after its first: the physical lines of the body before it (numbering goes on). */
  linesBefore?: number;
}

/** What a worker sends back: the batch's records in the compact form of record-codec.ts, and its lines. */
export interface DecodeResponse {
  seq: number;
  batch: EncodedBatch;
  lines: LineBytes;
  json?: RecordJson;
  /** When the worker began and finished the batch (epoch ms, comparable between threads). */
  times?: { startedAt: number; doneAt: number };
}

/** A batch's records, one per line in line order, and the lines (their buffers came back with them). */
export interface Decoded {
  recs: (CanonicalRecord | Rejection)[];
  lines: LineBytes;
  /** Each record's JSON as decoded, when asked for. */
  json?: RecordJson;
  /**
   * Where the batch's wall time went (ms): waiting for the worker (`queue`), on it (`worker`), its
   * answer waiting for this thread's turn (`pickup`), its records rebuilt here (`unpack`).
   */
  times?: DecodeTimes;
}

export interface DecodeTimes {
  queue: number;
  worker: number;
  pickup: number;
  unpack: number;
}

/**
 * Smallest piece a body is cut into for decoding on several workers at once: below it the second
 * message and the pieces' separate buffers cost more than the parallel decode gains (a 5,000-line
 * batch of the default scenario is ~5.7 MB).
 */
export const SPLIT_MIN_BYTES = 256 << 10;
/** Most batches (of ~1 MiB of lines) read ahead per worker: bounds memory, keeps workers busy. */
const AHEAD_PER_WORKER = 4;
const MAX_DEFAULT_WORKERS = 4;

/**
 * The compiled worker script, or undefined when it cannot run: under a TypeScript test runner this
 * module is a .ts file and node cannot start a .ts worker, so scans there decode on the main thread.
 */
export function workerScript(): URL | undefined {
  const url = new URL('./decode-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** One worker per core beyond the engine's own, up to 4; 0 where workers cannot run. */
export function defaultWorkers(): number {
  return workerScript() ? Math.min(MAX_DEFAULT_WORKERS, Math.max(1, availableParallelism() - 1)) : 0;
}

/**
 * serve's decode workers: as scan's, but at least two where there are two cores. One client's batch
 * waits for its whole decode (its answer names every rejected line) while the engine's thread is
 * often idle, so on two cores the batch is cut in two and decoded on both (decodeBody). One core has
 * nothing to run a second piece on: one worker. 0 where workers cannot run.
 */
export function serveDecodeWorkers(cores = availableParallelism(), script: URL | undefined = workerScript()): number {
  if (!script) return 0;
  return cores >= 2 ? Math.min(MAX_DEFAULT_WORKERS, Math.max(2, cores - 1)) : 1;
}

/**
 * Where to cut a body into at most `n` pieces of about equal size, each ending just after a newline
 * (the last at the body's end), with the physical lines before each: pieces split on their own
 * (LineSplitter's `linesBefore`) then give the body's lines. Fewer pieces when a cut would fall in
 * the last line; one when n <= 1.
 */
export function cutAtLines(body: Buffer, n: number): { start: number; end: number; linesBefore: number }[] {
  const out: { start: number; end: number; linesBefore: number }[] = [];
  let start = 0;
  let lines = 0;
  for (let k = 1; k < n; k++) {
    const nl = body.indexOf(0x0a, Math.max(start, Math.floor((body.length * k) / n)));
    if (nl < 0 || nl === body.length - 1) break;
    out.push({ start, end: nl + 1, linesBefore: lines });
    lines += newlines(body, start, nl + 1);
    start = nl + 1;
  }
  out.push({ start, end: body.length, linesBefore: lines });
  return out;
}

function newlines(b: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = b.indexOf(0x0a, start); i >= 0 && i < end; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** What turns batches of lines into records, in the order asked: worker threads here, worker processes in cluster mode (src/cluster). */
export interface BatchDecoder {
  /** How many decode at once (the read-ahead is a few batches per decoder). */
  readonly size: number;
  /** Decodes one batch of lines; results are one per line, in line order. `lines` may be transferred. */
  decode(lines: LineBytes, opts?: { json?: boolean }): Promise<Decoded>;
  close(): Promise<void>;
}

export class DecodePool implements BatchDecoder {
  private readonly workers: Worker[] = [];
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (r: Decoded) => void; reject: (e: Error) => void; postedAt?: number }>();
  private failure: Error | undefined;

  /** Bytes per piece below which a body is not cut (decodeBody). */
  private readonly splitMinBytes: number;

  /**
   * `intel`: hash e-mails for community sharing too when the configuration has intel keys (scan's
   * decode; serve's has none). `maxDepth`: deepest nesting accepted (serve's limit). `splitMinBytes`:
   * smallest piece decodeBody cuts a body into (SPLIT_MIN_BYTES; tests cut small bodies).
   */
  constructor(cfg: EngineConfig, n: number, script: URL | undefined = workerScript(), opts: { intel?: boolean; maxDepth?: number; splitMinBytes?: number } = {}) {
    if (!script) throw new Error('decode workers: the compiled worker script is missing (run npm run build)');
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`decode workers: expected a positive integer, got ${n}`);
    this.splitMinBytes = opts.splitMinBytes ?? SPLIT_MIN_BYTES;
    for (let i = 0; i < n; i++) {
      const w = new Worker(script, { workerData: { cfg, intel: opts.intel ?? true, maxDepth: opts.maxDepth } });
      w.on('message', (m: DecodeResponse) => {
        const p = this.pending.get(m.seq);
        this.pending.delete(m.seq);
        const t = performance.timeOrigin + performance.now();
        const recs = decodeBatch(m.batch);
        const w = m.times;
        const times = w === undefined || p?.postedAt === undefined ? undefined : { queue: w.startedAt - p.postedAt, worker: w.doneAt - w.startedAt, pickup: t - w.doneAt, unpack: performance.timeOrigin + performance.now() - t };
        p?.resolve({ recs, lines: m.lines, json: m.json, times });
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`decode worker exited with status ${code}`));
      });
      this.workers.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Decodes one batch of lines; results are one per line, in line order. `lines` is transferred (unusable here after). */
  decode(lines: LineBytes, opts: { json?: boolean } = {}): Promise<Decoded> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = this.seq++;
    const req: DecodeRequest = { seq, lines, json: opts.json };
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.workers[seq % this.workers.length].postMessage(req, transferList(lines));
    });
  }

  /**
   * Splits an NDJSON body into lines on the workers (the same lines LineBytesSplitter makes here) and
   * decodes them; the lines come back with the records. A body of at least splitMinBytes per
   * worker is cut after newlines into one piece per worker (at most), decoded at once: each piece's
   * lines are numbered on from the lines before it, so the pieces, in order, hold exactly the body's
   * lines, records and rejections (one client's batch then waits for half the decode on two cores).
   * Each piece is copied once into a buffer of its own, which is transferred, unless the body is in
   * a SharedArrayBuffer (read by the workers where it is): the caller's buffer stays usable.
   */
  async decodeBody(body: Buffer, file: string, maxLineBytes: number, opts: { json?: boolean } = {}): Promise<Decoded[]> {
    if (this.failure) throw this.failure;
    const pieces = cutAtLines(body, Math.min(this.workers.length, Math.floor(body.length / this.splitMinBytes)));
    return Promise.all(pieces.map((p) => this.decodePiece(body.subarray(p.start, p.end), { file, maxLineBytes, linesBefore: p.linesBefore }, opts.json)));
  }

  private decodePiece(piece: Buffer, split: Omit<BodyToSplit, 'data'>, json: boolean | undefined): Promise<Decoded> {
    // A body in shared memory (src/server/shared-body.ts) is read where it is: the worker gets a view.
    // Otherwise the piece gets its own ArrayBuffer (never the shared pool's), not zero-filled: it is
    // overwritten at once, and transferred.
    const shared = piece.buffer instanceof SharedArrayBuffer;
    const data = shared ? piece : Buffer.allocUnsafeSlow(piece.length);
    if (!shared) piece.copy(data);
    const seq = this.seq++;
    const req: DecodeRequest = { seq, body: { data, ...split }, json };
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, postedAt: performance.timeOrigin + performance.now() });
      this.workers[seq % this.workers.length].postMessage(req, shared ? [] : [data.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    for (const w of ws) w.removeAllListeners('exit');
    await Promise.all(ws.map((w) => w.terminate()));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/**
 * `ingestStream` with decoding on the pool: the same batches in the same order (one per chunk read,
 * empty ones skipped, then the final flush), with lateness, dedupe and ordering on this thread.
 * `times` charges the wait for workers to `decode`.
 */
export async function* ingestStreamParallel(
  inputs: readonly string[],
  ingestor: Ingestor,
  pool: BatchDecoder,
  opts: Pick<IngestOptions, 'maxLineBytes' | 'stdin' | 'times' | 'onBytes'> = {},
): AsyncGenerator<IngestBatch> {
  await checkReadable([...inputs]);
  const sourceOpts = { maxLineBytes: opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, stdin: opts.stdin, onBytes: opts.onBytes };
  const times = opts.times;
  const ahead: Promise<Decoded>[] = [];
  const cursor = new LineCursor();
  const admit = async (b: Promise<Decoded>): Promise<IngestBatch> => {
    let t = times ? performance.now() : 0;
    const { recs, lines } = await b;
    if (times) t = times.add('decode', t);
    const out = emptyBatch();
    // admit reads a line's text only to reject it as late, and keeps nothing of it.
    for (let i = 0; i < recs.length; i++) ingestor.admit(recs[i], cursor.at(lines, i), out);
    times?.add('order', t);
    return out;
  };
  const limit = AHEAD_PER_WORKER * pool.size;
  try {
    for (const input of inputs) {
      let t0 = times ? performance.now() : 0;
      for await (const lines of readLineBytes(input, sourceOpts)) {
        times?.add('read', t0);
        ahead.push(pool.decode(lines));
        while (ahead.length > limit) {
          const out = await admit(ahead.shift()!);
          if (out.records.length > 0 || out.rejections.length > 0) yield out;
        }
        if (times) t0 = performance.now();
      }
    }
    while (ahead.length > 0) {
      const out = await admit(ahead.shift()!);
      if (out.records.length > 0 || out.rejections.length > 0) yield out;
    }
  } finally {
    // Leave no rejected promise unobserved when the consumer stops early or a worker failed.
    for (const b of ahead) b.catch(() => undefined);
  }
  const out = emptyBatch();
  ingestor.flush(out);
  if (out.records.length > 0 || out.rejections.length > 0) yield out;
}
