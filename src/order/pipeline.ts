// The input side of the engine, shared by `scan`, `serve` and the tests:
// sources (lines) → decode (records | rejections) → dedupe + order (event time, bounded lateness).
//
// Per line, at arrival:
//  1. decode; a bad line is rejected (stage `source` / `decode`).
//  2. lateness: a record older than newest ts − max lateness is rejected as `late` (stage `order`).
//     This comes before dedupe, so a late copy never marks its id as seen: a later in-time copy of
//     the same exchange is then accepted, and "duplicate" always means "an accepted record with
//     this id came first".
//  3. dedupe (exchanges only; account records update each other and are never duplicates). An id
//     is remembered while the record accepted with it is at or after the watermark: a copy of an
//     older one is late at step 2 anyway, so the table holds one lateness window of ids.
//  4. order: buffered and released in (ts, arrival) order.
// Every line read ends in exactly one of: accepted (released), rejected (any reason, late
// included), duplicate, or still buffered; after flush() nothing is buffered, so
//   linesRead = accepted + rejected + duplicates.
// Blank lines are not lines read (see sources/file.ts). Inputs are read one after another, in the
// order given, as one stream (like `cat`): a second input that restarts earlier in time is late.
import type { Readable } from 'node:stream';
import type { CanonicalRecord } from '../core/records.js';
import { REJECT_CODES, type RejectCode, type Rejection } from '../core/rejections.js';
import { toIso } from '../core/time.js';
import { Deduper } from './dedupe.js';
import { SourceClocks } from './sources.js';
import { MINUTE } from '../core/time.js';
import { DEFAULT_MAX_LATENESS_MS, Orderer } from './orderer.js';
import { checkReadable, DEFAULT_MAX_LINE_BYTES, type RawLine, readLines } from '../sources/file.js';
import { type DecodeContext, decodeLine, isRejection } from '../decode/index.js';
import { rejectLine } from '../decode/reject.js';
import type { StageTimes } from '../core/stage-times.js';

export interface IngestOptions {
  /** HMAC-SHA-256 key for e-mail hashes. */
  emailKey: Buffer;
  /** Keyed hashes of an e-mail under each community key (`keyId:hex`), for sharing; raw never kept. */
  shareEmail?: (address: string) => string[];
  /** Longest accepted line in bytes; default 1 MiB. */
  maxLineBytes?: number;
  /** Lateness bound in ms; default 10 minutes. */
  maxLatenessMs?: number;
  /** The stream read for `-` (default process.stdin). */
  stdin?: Readable;
  /** Told the size of each chunk read from an input (progress). */
  onBytes?: (n: number) => void;
  /** Charge wall time to the read / decode / order stages (bench:perf). */
  times?: StageTimes;
  /** Per-source event time (`serve`): wall ms after which a silent source stops holding others back. */
  sourceIdleMs?: number;
  /** Per-source event time: most sources tracked at once. */
  maxSources?: number;
}

export interface IngestCounts {
  /** Non-blank input lines. */
  linesRead: number;
  /** Records released in event-time order. */
  accepted: number;
  /** Lines rejected for any reason (late included). */
  rejected: number;
  /** Exchanges skipped because their id was already accepted. */
  duplicates: number;
  /** Rejected as late (also counted in `rejected` and `rejectedByReason.late`). */
  late: number;
  rejectedByReason: Record<RejectCode, number>;
  /** Accepted but not yet released (0 after flush). */
  buffered: number;
}

/** What one step of ingestion produced: records in event-time order, and rejections in line order. */
export interface IngestBatch {
  records: CanonicalRecord[];
  rejections: Rejection[];
}

/** What became of one fed record: accepted (buffered or released), rejected, or a duplicate. */
export type Admission = 'accepted' | 'rejected' | 'duplicate';

export function emptyBatch(): IngestBatch {
  return { records: [], rejections: [] };
}

/**
 * Push-style ingestion: feed raw lines as they arrive (from files, stdin or an HTTP body split by
 * LineSplitter) and collect what is released. Holds only the ordering buffer and the dedupe table.
 */
export class Ingestor {
  private readonly ctx: DecodeContext;
  private readonly orderer: Orderer<CanonicalRecord>;
  private readonly deduper = new Deduper();
  private readonly maxLatenessMs: number;
  private linesRead = 0;
  private accepted = 0;
  private rejected = 0;
  private duplicates = 0;
  private readonly byReason: Record<RejectCode, number>;
  private readonly times?: StageTimes;
  /** Per-source clocks (admitFrom); the single-stream path (admit) does not use them. */
  readonly sources: SourceClocks;

  constructor(opts: IngestOptions) {
    this.times = opts.times;
    this.ctx = { emailKey: opts.emailKey, shareEmail: opts.shareEmail };
    this.maxLatenessMs = opts.maxLatenessMs ?? DEFAULT_MAX_LATENESS_MS;
    this.orderer = new Orderer<CanonicalRecord>({ maxLatenessMs: this.maxLatenessMs });
    this.byReason = Object.fromEntries(REJECT_CODES.map((c) => [c, 0])) as Record<RejectCode, number>;
    this.sources = new SourceClocks({ maxLatenessMs: this.maxLatenessMs, idleMs: opts.sourceIdleMs ?? 5 * MINUTE, maxSources: opts.maxSources ?? 10_000 });
  }

  /** Exchange ids remembered for dedupe (one lateness window of them; see src/order/dedupe.ts). */
  get rememberedIds(): number {
    return this.deduper.size;
  }

  /** Bytes of the dedupe table. */
  get dedupeBytes(): number {
    return this.deduper.bytes;
  }

  /** Event-time watermark: records released from now on have ts >= this. */
  get watermark(): number {
    return this.orderer.watermark;
  }

  /** Feed one line; append released records and any rejection to `out`. */
  push(raw: RawLine, out: IngestBatch): void {
    const times = this.times;
    if (!times) {
      this.admit(decodeLine(raw, this.ctx), raw, out);
      return;
    }
    const t0 = performance.now();
    const rec = decodeLine(raw, this.ctx);
    const t = times.add('decode', t0);
    this.admit(rec, raw, out);
    times.add('order', t);
  }

  /**
   * Feed one record that another adapter already decoded (OTLP spans, LiteLLM payloads; `raw` is
   * what a rejection shows): the same lateness, dedupe and ordering as a line. Says what became of it.
   */
  admit(rec: CanonicalRecord | Rejection, raw: RawLine, out: IngestBatch): Admission {
    this.linesRead++;
    if (isRejection(rec)) {
      this.reject(rec, out);
      return 'rejected';
    }
    if (this.orderer.isLate(rec.ts)) {
      const newest = this.orderer.newestTs;
      const behind = Math.round((newest - rec.ts) / 1000);
      this.reject(
        rejectLine(
          raw,
          'order',
          'late',
          `ts: ${toIso(rec.ts)} is ${behind}s older than the newest ts seen (${toIso(newest)}); max lateness ${Math.round(this.maxLatenessMs / 1000)}s`,
        ),
        out,
      );
      return 'rejected';
    }
    if (rec.kind === 'exchange' && this.deduper.seen(rec.id, rec.ts, this.orderer.watermark)) {
      this.duplicates++;
      return 'duplicate';
    }
    const before = out.records.length;
    this.orderer.push(rec, out.records);
    this.accepted += out.records.length - before;
    return 'accepted';
  }

  /**
   * Per-source event time (src/order/sources.ts): one record from `source`, whose batch arrived at
   * wall time `wall`. Late when older than its own source's bound or than what was already
   * released; accepted records are held until settle() moves the release point. `order` breaks ties
   * of equal ts (Orderer.hold); absent, the arrival here does.
   */
  admitFrom(source: string, wall: number, rec: CanonicalRecord | Rejection, raw: RawLine, out: IngestBatch, order?: number): Admission {
    this.linesRead++;
    if (isRejection(rec)) {
      this.reject(rec, out);
      return 'rejected';
    }
    this.sources.touch(source, wall);
    const own = this.sources.bound(source);
    const released = this.orderer.watermark;
    if (rec.ts < own || rec.ts < released) {
      const detail =
        rec.ts < own
          ? `ts: ${toIso(rec.ts)} is ${Math.round((own + this.maxLatenessMs - rec.ts) / 1000)}s older than the newest ts of source ${JSON.stringify(source)} (${toIso(own + this.maxLatenessMs)}); max lateness ${Math.round(this.maxLatenessMs / 1000)}s`
          : `ts: ${toIso(rec.ts)} is before ${toIso(released)}, up to which every source's records have been released to the engine`;
      this.reject(rejectLine(raw, 'order', 'late', detail), out);
      return 'rejected';
    }
    if (rec.kind === 'exchange' && this.deduper.seen(rec.id, rec.ts, this.orderer.watermark)) {
      this.duplicates++;
      return 'duplicate';
    }
    this.orderer.hold(rec, order);
    this.sources.saw(source, rec.ts);
    return 'accepted';
  }

  /** A source known before it sends anything (a partition of the cluster's record stream): it holds the release point back until it sends or goes idle. */
  expectSource(source: string, wall: number): void {
    this.sources.expect(source, wall);
  }

  /** A source's watermark at wall time `wall`: nothing older than `ts` will come from it. */
  promiseFrom(source: string, wall: number, ts: number): void {
    this.sources.touch(source, wall);
    this.sources.promise(source, ts);
  }

  /** After a batch from any source: release what every active source has moved past, in order. */
  settle(wall: number, out: IngestBatch): void {
    const before = out.records.length;
    this.orderer.releaseTo(this.sources.releasePoint(wall, this.orderer.watermark), out.records);
    this.accepted += out.records.length - before;
  }

  pushAll(lines: readonly RawLine[], out: IngestBatch): void {
    for (let i = 0; i < lines.length; i++) this.push(lines[i], out);
  }

  /** A source's watermark (nothing older than `ts` will come): release what it covers, in order. */
  advance(ts: number, out: IngestBatch): void {
    const before = out.records.length;
    this.orderer.advance(ts, out.records);
    this.accepted += out.records.length - before;
  }

  /** End of input: release every buffered record, in order. */
  flush(out: IngestBatch): void {
    const before = out.records.length;
    this.orderer.flush(out.records);
    this.accepted += out.records.length - before;
  }

  counts(): IngestCounts {
    return {
      linesRead: this.linesRead,
      accepted: this.accepted,
      rejected: this.rejected,
      duplicates: this.duplicates,
      late: this.byReason.late,
      rejectedByReason: { ...this.byReason },
      buffered: this.orderer.buffered,
    };
  }

  private reject(r: Rejection, out: IngestBatch): void {
    this.rejected++;
    this.byReason[r.reason]++;
    out.rejections.push(r);
  }
}

/**
 * Pull-style ingestion of files / stdin: checks every input is readable first (InputError
 * otherwise), then yields one batch per chunk read (empty batches are skipped) and a last batch
 * from the final flush. Call `ingestor.counts()` at the end for the summary.
 */
export async function* ingestStream(
  inputs: readonly string[],
  ingestor: Ingestor,
  opts: Pick<IngestOptions, 'maxLineBytes' | 'stdin' | 'times' | 'onBytes'> = {},
): AsyncGenerator<IngestBatch> {
  await checkReadable([...inputs]);
  const sourceOpts = { maxLineBytes: opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, stdin: opts.stdin, onBytes: opts.onBytes };
  const times = opts.times;
  for (const input of inputs) {
    let t0 = times ? performance.now() : 0;
    for await (const lines of readLines(input, sourceOpts)) {
      times?.add('read', t0);
      const out = emptyBatch();
      ingestor.pushAll(lines, out);
      if (out.records.length > 0 || out.rejections.length > 0) yield out;
      if (times) t0 = performance.now();
    }
  }
  const out = emptyBatch();
  ingestor.flush(out);
  if (out.records.length > 0 || out.rejections.length > 0) yield out;
}

export interface IngestResult extends IngestBatch {
  counts: IngestCounts;
}

/** Ingest whole inputs into memory (tests, small files): accepted records in order, rejections, counts. */
export async function ingest(inputs: readonly string[], opts: IngestOptions): Promise<IngestResult> {
  const ingestor = new Ingestor(opts);
  const records: CanonicalRecord[] = [];
  const rejections: Rejection[] = [];
  for await (const batch of ingestStream(inputs, ingestor, opts)) {
    for (const r of batch.records) records.push(r);
    for (const r of batch.rejections) rejections.push(r);
  }
  return { records, rejections, counts: ingestor.counts() };
}
