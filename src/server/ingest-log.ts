// The ingest log: an append-only, versioned, fsync'd record of every accepted batch. `serve`
// acknowledges a batch only after its entry is on disk, and rebuilds the engine on restart by
// replaying the log through the same order stage and engine (event time only, so the replay judges
// exactly as the live service did).
//
// Layout: DIR/seg-0000000001.ndjson, seg-0000000002.ndjson, ... Each segment starts with a header
// line `{"format":"distillguard-ingest-log","version":2,...}`; every further line is one *part* of a
// batch entry. A batch is written as parts of at most PART_BYTES (records are serialized one at a
// time, so no string ever holds a whole 64 MiB batch): every part but the last carries `"more":true`
// and its index `p`; the last carries the batch's counts. A batch counts only once its last part is
// read, so a crash in the middle of a batch loses the whole (never acknowledged) batch.
// Appends are group-committed: entries queued while a write + fdatasync is in progress go out
// together in the next one, so many small concurrent batches cost one fsync, not one each.
//
// Segments: a new one starts before a batch that would not fit in the current one, and between parts
// once the current one is full (only a batch larger than a segment spans two).
//
// Encryption at rest (optional, `key`): each segment has its own AES-256-GCM key derived with HKDF
// from the master key and a random salt in the segment's header; each line is
// base64(iv ‖ ciphertext ‖ tag), iv = the line's index in the segment, AAD = segment and line number
// (lines cannot be moved, dropped from the middle or swapped between segments unnoticed).
//
// Retention (optional, `retentionMs`): closed segments last written longer ago than that are deleted
// (at open and whenever a segment is closed). The replay then starts at the oldest batch kept.
//
// A crash can leave a torn last batch (written, never acknowledged): open() cuts it off. A bad line
// anywhere else is corruption (or, encrypted, tampering or the wrong key) and refuses to open.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CanonicalRecord } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';

export const LOG_FORMAT = 'distillguard-ingest-log';
export const LOG_VERSION = 2;
/** Version 1 (one line per batch, never encrypted) is read as a log of single-part batches. */
const READABLE_VERSIONS = new Set([1, 2]);
const SEGMENT = /^seg-(\d{10})\.ndjson$/;
/** Written by compaction: the log's first batches are gone, kept only in checkpoints. */
const COMPACTED = 'compacted.json';
/** Largest part of a batch entry, bytes of JSON (one record may make a part larger). */
export const PART_BYTES = 1 << 20;
/** Largest single write (several parts of a group commit go out in writes of at most this). */
const WRITE_BYTES = 4 << 20;
const KEY_INFO = 'distillguard-ingest-log-v2';

/** One acknowledged batch. */
export interface LogEntry {
  /** Batch sequence number, 1-based, consecutive. */
  seq: number;
  /** Input items (lines, spans, payloads) in the batch. */
  lines: number;
  /** Exchanges skipped as duplicates. */
  dup: number;
  /** Accepted records, in arrival order. */
  recs: CanonicalRecord[];
  /** Rejected items, in arrival order (raw cut to 1 KiB, e-mails redacted). */
  rej: Rejection[];
  /** A source's watermark (epoch ms), applied after the records: nothing older will come. */
  wm?: number;
  /** The source (event-time clock) the batch belongs to. Absent: the default source. */
  src?: string;
  /** Wall time the batch was taken (ms): per-source idle timeouts replay at the same points. */
  at?: number;
  /** The client's Idempotency-Key (scoped to its ingest key), a digest of the body, and the receipt it was given. */
  idem?: string;
  hash?: string;
  receipt?: unknown;
}

/** Where the log stood after a batch: its segment, the byte and line after it (a checkpoint records it). */
export interface LogPosition {
  seq: number;
  segment: number;
  offset: number;
  line: number;
}

export class IngestLogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestLogError';
  }
}

export interface IngestLogOptions {
  dir: string;
  /** Start a new segment once the current one is this large. Default 64 MiB. */
  segmentBytes?: number;
  /** 32-byte master key: segments are encrypted (AES-256-GCM). Absent: plaintext NDJSON. */
  key?: Buffer;
  /** Delete closed segments last written longer ago than this (ms). Absent: keep everything. */
  retentionMs?: number;
  /** Wall clock (tests). */
  now?: () => number;
}

interface Pending {
  lines: Buffer[];
  bytes: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Per-segment cipher state. */
interface SegmentCipher {
  key: Buffer;
  segNo: number;
}

export class IngestLog {
  private fh: FileHandle | undefined;
  private segNo = 0;
  private segSize = 0;
  private headerSize = 0;
  private lineNo = 0;
  private cipher: SegmentCipher | undefined;
  private queue: Pending[] = [];
  private writing = false;
  private failed: Error | undefined;
  private closed = false;
  /** Bytes of entries appended since open (headers excluded). */
  bytesWritten = 0;
  /** fdatasync calls made since open. */
  syncs = 0;
  /** Segments deleted by the retention setting since open. */
  expired = 0;

  private constructor(
    readonly dir: string,
    private readonly segmentBytes: number,
    private readonly master: Buffer | undefined,
    private readonly retentionMs: number | undefined,
    private readonly now: () => number,
  ) {}

  /**
   * Opens (creating) the log, calls `onEntry` for every stored entry in order, cuts a torn tail, and
   * readies the log for appends. Returns the log and the last sequence number replayed (0 if none).
   */
  static async open(opts: IngestLogOptions, onEntry: (e: LogEntry) => void, from?: LogPosition): Promise<{ log: IngestLog; lastSeq: number }> {
    if (opts.key !== undefined && opts.key.length !== 32) throw new IngestLogError(`the ingest log key must be 32 bytes, got ${opts.key.length}`);
    const log = new IngestLog(opts.dir, opts.segmentBytes ?? 64 << 20, opts.key, opts.retentionMs, opts.now ?? Date.now);
    await mkdir(opts.dir, { recursive: true, mode: 0o700 }); // prompt text inside: owner only
    let segs = await log.segmentNumbers();
    if (segs.length > 1) {
      await log.expire(segs.slice(0, -1));
      segs = await log.segmentNumbers();
    }
    if (from !== undefined) {
      // A checkpoint covers the log up to `from`: replay only what follows it.
      if (!segs.includes(from.segment)) throw new IngestLogError(`segment ${from.segment}, where the checkpoint of batch ${from.seq} ends, is not in ${opts.dir}`);
      segs = segs.filter((n) => n >= from.segment);
    } else {
      const compacted = await readCompacted(opts.dir);
      if (compacted !== undefined) {
        throw new IngestLogError(
          `the ingest log in ${opts.dir} was compacted through batch ${compacted.seq}: the batches before it are only in its checkpoints, and none could be restored`,
        );
      }
    }
    const replay = new Replay(onEntry, from === undefined && segs.length > 0 && segs[0] > 1);
    if (from !== undefined) replay.lastSeq = from.seq;
    for (let i = 0; i < segs.length; i++) {
      const path = log.segPath(segs[i]);
      const start = from !== undefined && segs[i] === from.segment ? from : undefined;
      await replaySegment(path, segs[i], i === segs.length - 1, opts.key, replay, start);
    }
    const torn = replay.tornAt;
    if (torn !== undefined) {
      // The unfinished batch was never acknowledged: cut it, and any segment it spilled into.
      for (const n of segs.filter((n) => n > torn.segNo)) await rm(log.segPath(n));
      segs = segs.filter((n) => n <= torn.segNo);
      if (torn.offset === 0) {
        await rm(log.segPath(torn.segNo)); // not even a whole header: start this segment again
        segs.pop();
      } else await truncate(log.segPath(torn.segNo), torn.offset);
    }
    if (segs.length === 0) await log.startSegment(1);
    else await log.resume(segs[segs.length - 1]);
    return { log, lastSeq: replay.lastSeq };
  }

  /**
   * Resolves once the entry is durable (written and fdatasync'd). `recJson`: each record's JSON,
   * already made (by a decode worker), written instead of serializing `e.recs` here.
   */
  append(e: LogEntry, recJson?: readonly Buffer[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new IngestLogError('the ingest log is closed'));
    let lines: Buffer[];
    try {
      lines = serializeEntry(e, recJson);
    } catch (err) {
      return Promise.reject(new IngestLogError(`cannot serialize batch ${e.seq}: ${(err as Error).message}`, { cause: err }));
    }
    let bytes = 0;
    for (const l of lines) bytes += l.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ lines, bytes, resolve, reject });
      void this.pump();
    });
  }

  /**
   * Where the log stands: the end of the last batch appended. Only meaningful when no append is in
   * flight (every batch taken is durable), which is when a checkpoint is taken.
   */
  position(seq: number): LogPosition {
    if (this.writing || this.queue.length > 0) throw new IngestLogError('the ingest log position is not settled while appends are in flight');
    return { seq, segment: this.segNo, offset: this.segSize, line: this.lineNo };
  }

  /**
   * Deletes the closed segments before `segment` (their batches are all covered by a checkpoint kept
   * beside the log), after recording that the log was compacted through batch `seq`: a start without
   * a usable checkpoint then refuses, rather than replaying a log with its beginning gone.
   */
  async compactBefore(segment: number, seq: number): Promise<number> {
    const doomed = (await this.segmentNumbers()).filter((n) => n < segment && n < this.segNo);
    if (doomed.length === 0) return 0;
    const marker = join(this.dir, COMPACTED);
    await writeFile(`${marker}.tmp`, `${JSON.stringify({ seq, segment })}\n`, { mode: 0o600 });
    await rename(`${marker}.tmp`, marker);
    await syncDir(this.dir);
    for (const n of doomed) await rm(this.segPath(n));
    await syncDir(this.dir);
    this.compacted += doomed.length;
    return doomed.length;
  }

  /** Segments deleted by compaction since open. */
  compacted = 0;

  /** Bytes of the segments on disk. */
  async diskBytes(): Promise<number> {
    let n = 0;
    for (const s of await this.segmentNumbers()) n += (await stat(this.segPath(s))).size;
    return n;
  }

  /** Segments on disk, oldest first. */
  async segments(): Promise<string[]> {
    return (await readdir(this.dir)).filter((f) => SEGMENT.test(f)).sort();
  }

  /** Is the log encrypted at rest? */
  get encrypted(): boolean {
    return this.master !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.fh?.close();
    this.fh = undefined;
  }

  private async segmentNumbers(): Promise<number[]> {
    return (await readdir(this.dir))
      .map((f) => SEGMENT.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** Deletes the oldest closed segments last written before the retention window (oldest first, no gaps). */
  private async expire(closed: number[]): Promise<void> {
    if (this.retentionMs === undefined) return;
    const cutoff = this.now() - this.retentionMs;
    for (const n of closed) {
      const path = this.segPath(n);
      if ((await stat(path)).mtimeMs >= cutoff) break;
      await rm(path);
      this.expired++;
    }
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0);
        try {
          await this.writeGroup(group);
        } catch (e) {
          // A failed write leaves the file in an unknown state: refuse everything from now on. The
          // server reports the error and exits; a restart replays what is on disk.
          this.failed = new IngestLogError(`ingest log write failed: ${(e as Error).message}`, { cause: e });
          for (const p of group) p.reject(this.failed);
          for (const p of this.queue.splice(0)) p.reject(this.failed);
          return;
        }
        for (const p of group) p.resolve();
      }
    } finally {
      this.writing = false;
    }
  }

  /** Writes a group of entries in chunks of at most WRITE_BYTES, rolling segments as they fill; one fdatasync per segment touched. */
  private async writeGroup(group: Pending[]): Promise<void> {
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    let unsynced = false;
    const flush = async (): Promise<void> => {
      if (chunkBytes === 0) return;
      // The parts as they are (one writev), not concatenated: a batch of 5,000 lines was a 5.6 MB copy
      // and allocation more on the main thread, and its external memory forced scavenges there.
      await writeAll(this.handle(), chunk);
      this.segSize += chunkBytes;
      this.bytesWritten += chunkBytes;
      unsynced = true;
      chunk = [];
      chunkBytes = 0;
    };
    const sync = async (): Promise<void> => {
      await flush();
      if (!unsynced) return;
      await this.handle().datasync();
      this.syncs++;
      unsynced = false;
    };
    const roll = async (): Promise<void> => {
      await sync();
      await this.startSegment(this.segNo + 1);
    };
    for (const p of group) {
      // A batch starts a new segment when it would not fit in what is left of this one.
      const used = this.segSize + chunkBytes;
      if (used >= this.segmentBytes || (used > this.headerSize && used + p.bytes > this.segmentBytes)) await roll();
      for (const line of p.lines) {
        if (this.segSize + chunkBytes >= this.segmentBytes) await roll(); // only a batch larger than a segment spans two
        const out = this.seal(line);
        chunk.push(out);
        chunkBytes += out.length;
        if (chunkBytes >= WRITE_BYTES) await flush();
      }
    }
    await sync();
  }

  /** The line as stored: itself, or encrypted under the segment's key. */
  private seal(line: Buffer): Buffer {
    const n = this.lineNo++;
    if (!this.cipher) return line;
    const iv = lineIv(n);
    const c = createCipheriv('aes-256-gcm', this.cipher.key, iv);
    c.setAAD(lineAad(this.cipher.segNo, n));
    const body = line.subarray(0, line.length - 1); // without its newline
    const sealed = Buffer.concat([iv, c.update(body), c.final(), c.getAuthTag()]);
    return Buffer.from(`${sealed.toString('base64')}\n`);
  }

  private handle(): FileHandle {
    if (!this.fh) throw new IngestLogError('the ingest log is not open');
    return this.fh;
  }

  private segPath(n: number): string {
    return segmentPath(this.dir, n);
  }

  private async startSegment(n: number): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    const fh = await open(this.segPath(n), 'wx', 0o600);
    const head: Record<string, unknown> = { format: LOG_FORMAT, version: LOG_VERSION };
    if (this.master) {
      const salt = randomBytes(16);
      head.enc = { alg: 'aes-256-gcm', kdf: 'hkdf-sha256', salt: salt.toString('base64'), key_id: keyId(this.master) };
      this.cipher = { key: segmentKey(this.master, salt, n), segNo: n };
    } else this.cipher = undefined;
    const header = Buffer.from(`${JSON.stringify(head)}\n`);
    await writeAll(fh, header);
    await fh.datasync();
    await syncDir(this.dir); // the new file's directory entry must survive a crash too
    this.fh = fh;
    this.segNo = n;
    this.segSize = header.length;
    this.headerSize = header.length;
    this.lineNo = 0;
    if (n > 1) {
      const older = (await this.segmentNumbers()).filter((s) => s < n);
      await this.expire(older);
    }
  }

  private async resume(n: number): Promise<void> {
    const path = this.segPath(n);
    const buf = await readFile(path);
    const nl = buf.indexOf(0x0a);
    const head = parseHeader(path, buf.toString('utf8', 0, nl));
    if (head.encrypted !== (this.master !== undefined) || (head.encrypted && head.keyId !== keyId(this.master!))) {
      // Appending under another key (or none) would mix two regimes in one segment: start a new one.
      await this.startSegment(n + 1);
      return;
    }
    this.cipher = head.salt ? { key: segmentKey(this.master!, head.salt, n), segNo: n } : undefined;
    this.fh = await open(path, 'a');
    this.segNo = n;
    this.segSize = buf.length;
    this.headerSize = nl + 1;
    let lines = 0;
    for (let i = nl + 1; i < buf.length; i++) if (buf[i] === 0x0a) lines++;
    this.lineNo = lines;
  }
}

/** The entry as part lines (JSON + newline), each at most about PART_BYTES. */
/**
 * Reads a log without touching it (a backtest of a running service's history): every complete batch
 * in order, a segment at a time. A torn or half-written last batch (the service may be appending) ends
 * the read; segments deleted by retention are skipped as `open` skips them.
 */
export async function* readIngestLog(dir: string, key?: Buffer): AsyncGenerator<LogEntry> {
  if (key !== undefined && key.length !== 32) throw new IngestLogError(`the ingest log key must be 32 bytes, got ${key.length}`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new IngestLogError(`cannot read the ingest log folder ${dir}: ${(e as Error).message}`);
  }
  const segs = names
    .map((f) => SEGMENT.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const batch: LogEntry[] = [];
  const replay = new Replay((e) => batch.push(e), segs.length > 0 && segs[0] > 1);
  for (let i = 0; i < segs.length; i++) {
    await replaySegment(join(dir, `seg-${String(segs[i]).padStart(10, '0')}.ndjson`), segs[i], i === segs.length - 1, key, replay);
    yield* batch.splice(0);
    if (replay.tornAt !== undefined) return;
  }
}

/**
 * An entry as its parts' lines. `recJson[i]`, when given, is JSON.stringify(e.recs[i]) as UTF-8 (made
 * on a decode worker): the same line, without serializing here; parts are then cut by bytes.
 */
export function serializeEntry(e: LogEntry, recJson?: readonly Buffer[]): Buffer[] {
  const { recs, rej, ...meta } = e;
  if (recJson !== undefined && recJson.length !== recs.length) throw new Error(`${recJson.length} records' JSON for ${recs.length} records`);
  const parts: Buffer[] = [];
  let r: (string | Buffer)[] = [];
  let j: string[] = [];
  let size = 0;
  const cut = (last: boolean): void => {
    const head = last ? JSON.stringify({ ...meta, p: parts.length }) : `{"seq":${e.seq},"p":${parts.length},"more":true}`;
    const tail = `],"rej":[${j.join(',')}]}\n`;
    if (recJson === undefined) parts.push(Buffer.from(`${head.slice(0, -1)},"recs":[${r.join(',')}${tail}`));
    else {
      const pieces: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"recs":[`)];
      for (let i = 0; i < r.length; i++) {
        if (i > 0) pieces.push(COMMA);
        pieces.push(r[i] as Buffer);
      }
      pieces.push(Buffer.from(tail));
      parts.push(Buffer.concat(pieces));
    }
    r = [];
    j = [];
    size = 0;
  };
  for (let i = 0; i < recs.length; i++) {
    const s = recJson === undefined ? JSON.stringify(recs[i]) : recJson[i];
    if (size > 0 && size + s.length > PART_BYTES) cut(false);
    r.push(s);
    size += s.length + 1;
  }
  for (const x of rej) {
    const s = JSON.stringify(x);
    if (size > 0 && size + s.length > PART_BYTES) cut(false);
    j.push(s);
    size += s.length + 1;
  }
  cut(true);
  return parts;
}

const COMMA = Buffer.from(',');

function keyId(master: Buffer): string {
  return createHash('sha256').update(master).digest('hex').slice(0, 16);
}

function segmentKey(master: Buffer, salt: Buffer, segNo: number): Buffer {
  return Buffer.from(hkdfSync('sha256', master, salt, `${KEY_INFO} segment ${segNo}`, 32));
}

function lineIv(n: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUIntBE(n, 6, 6);
  return iv;
}

function lineAad(segNo: number, n: number): Buffer {
  return Buffer.from(`${segNo}:${n}`);
}

/** Writes every buffer, in order, continuing after a short write (writev may write less than asked). */
async function writeAll(fh: FileHandle, bufs: Buffer | Buffer[]): Promise<void> {
  let rest = Array.isArray(bufs) ? bufs : [bufs];
  while (rest.length > 0) {
    let { bytesWritten } = await fh.writev(rest);
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i].length) bytesWritten -= rest[i++].length;
    rest = rest.slice(i);
    if (rest.length > 0 && bytesWritten > 0) rest[0] = rest[0].subarray(bytesWritten);
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

interface Header {
  version: number;
  encrypted: boolean;
  salt?: Buffer;
  keyId?: string;
}

function parseHeader(path: string, text: string): Header {
  let h: { format?: unknown; version?: unknown; enc?: { salt?: unknown; key_id?: unknown } };
  try {
    h = JSON.parse(text) as typeof h;
  } catch {
    throw new IngestLogError(`${path} is not a distillguard ingest log segment`);
  }
  if (h.format !== LOG_FORMAT) throw new IngestLogError(`${path} is not a distillguard ingest log segment`);
  if (typeof h.version !== 'number' || !READABLE_VERSIONS.has(h.version)) {
    throw new IngestLogError(`${path} has ingest log version ${String(h.version)}; this distillguard reads versions ${[...READABLE_VERSIONS].join(' and ')}`);
  }
  if (h.enc === undefined) return { version: h.version, encrypted: false };
  if (typeof h.enc.salt !== 'string' || typeof h.enc.key_id !== 'string') throw new IngestLogError(`${path}: malformed encryption header`);
  return { version: h.version, encrypted: true, salt: Buffer.from(h.enc.salt, 'base64'), keyId: h.enc.key_id };
}

/** Assembles batches from their parts across segments; remembers where an unfinished batch began. */
class Replay {
  lastSeq = 0;
  private recs: CanonicalRecord[] = [];
  private rej: Rejection[] = [];
  private open: { seq: number; nextPart: number; segNo: number; offset: number } | undefined;
  /** Skipping a batch whose first parts were deleted by retention. */
  private skipping: number | undefined;

  constructor(
    private readonly onEntry: (e: LogEntry) => void,
    /** Earlier segments were deleted: the first batch seen may be anywhere in the sequence. */
    private afterExpiry: boolean,
  ) {}

  get tornAt(): { segNo: number; offset: number } | undefined {
    return this.open;
  }

  /** A torn line at `offset`: the unfinished batch (if it began earlier) is cut from where it began. */
  torn(segNo: number, offset: number): void {
    this.open ??= { seq: -1, nextPart: 0, segNo, offset };
  }

  part(path: string, segNo: number, offset: number, x: Record<string, unknown>): void {
    const seq = x.seq as number;
    const p = typeof x.p === 'number' ? x.p : 0;
    if (typeof seq !== 'number' || !Array.isArray(x.recs) || !Array.isArray(x.rej)) throw new IngestLogError(`${path}: malformed entry at byte ${offset}; the log is corrupt`);
    if (this.skipping === seq) {
      if (x.more !== true) this.skipping = undefined;
      return;
    }
    if (this.afterExpiry && this.lastSeq === 0 && this.open === undefined) {
      this.afterExpiry = false;
      this.lastSeq = seq - 1; // the replay starts at the oldest batch kept
      if (p > 0) {
        // Its first parts were in an expired segment: the batch is gone with them.
        this.lastSeq = seq;
        if (x.more === true) this.skipping = seq;
        return;
      }
    }
    if (this.open === undefined) {
      if (seq !== this.lastSeq + 1) throw new IngestLogError(`${path}: batch ${seq} follows batch ${this.lastSeq}; the log is not contiguous`);
      if (p !== 0) throw new IngestLogError(`${path}: batch ${seq} starts with part ${p}; the log is corrupt`);
      this.open = { seq, nextPart: 0, segNo, offset };
    } else if (seq !== this.open.seq || p !== this.open.nextPart) {
      throw new IngestLogError(`${path}: part ${p} of batch ${seq} where part ${this.open.nextPart} of batch ${this.open.seq} was expected; the log is corrupt`);
    }
    this.open.nextPart++;
    for (const r of x.recs as CanonicalRecord[]) this.recs.push(r);
    for (const r of x.rej as Rejection[]) this.rej.push(r);
    if (x.more === true) return;
    const e = { ...x, recs: this.recs, rej: this.rej } as LogEntry & { p?: number };
    delete e.p;
    this.recs = [];
    this.rej = [];
    this.open = undefined;
    this.lastSeq = seq;
    this.onEntry(e);
  }
}

/**
 * Replays one segment's lines into `replay`. In the last segment a torn or unreadable final line ends
 * the valid prefix (the unfinished batch is cut by the caller); anywhere else it is corruption.
 */
async function replaySegment(path: string, segNo: number, last: boolean, key: Buffer | undefined, replay: Replay, from?: { offset: number; line: number }): Promise<void> {
  const buf = await readFile(path);
  const nl0 = buf.indexOf(0x0a);
  if (nl0 < 0) {
    if (last) {
      replay.torn(segNo, 0); // a header torn while the segment was created: nothing in it was acknowledged
      return;
    }
    throw new IngestLogError(`${path}: no header line; the log is corrupt`);
  }
  const head = parseHeader(path, buf.toString('utf8', 0, nl0));
  if (head.encrypted && key === undefined) throw new IngestLogError(`${path} is encrypted: give the ingest log key (--log-key-file)`);
  if (head.encrypted && head.keyId !== keyId(key!)) throw new IngestLogError(`${path} was encrypted under another key (key id ${head.keyId})`);
  const segKey = head.encrypted ? segmentKey(key!, head.salt!, segNo) : undefined;
  if (from !== undefined && (from.offset < nl0 + 1 || from.offset > buf.length)) throw new IngestLogError(`${path}: a checkpoint's position (byte ${from.offset}) is outside the segment`);
  let pos = from?.offset ?? nl0 + 1;
  let lineNo = from?.line ?? 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    const end = nl < 0 ? buf.length : nl;
    let parsed: unknown;
    let ok = nl >= 0;
    if (ok) {
      try {
        const text = segKey ? open1(segKey, segNo, lineNo, buf.toString('latin1', pos, end)) : buf.toString('utf8', pos, end);
        parsed = JSON.parse(text);
        ok = typeof parsed === 'object' && parsed !== null;
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      const tail = nl < 0 || buf.indexOf(0x0a, end + 1) < 0;
      if (last && tail) {
        replay.torn(segNo, pos);
        return;
      }
      throw new IngestLogError(`${path}: unreadable entry at byte ${pos}; the log is corrupt${segKey ? ' (or was altered)' : ''}`);
    }
    replay.part(path, segNo, pos, parsed as Record<string, unknown>);
    pos = end + 1;
    lineNo++;
  }
}

function open1(key: Buffer, segNo: number, n: number, b64: string): string {
  const sealed = Buffer.from(b64, 'base64');
  if (sealed.length < 28) throw new Error('short line');
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  d.setAAD(lineAad(segNo, n));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]).toString('utf8');
}

/** The file of segment `n` in the log folder `dir`. */
export function segmentPath(dir: string, n: number): string {
  return join(dir, `seg-${String(n).padStart(10, '0')}.ndjson`);
}

/** The compaction marker, if the log was compacted. */
async function readCompacted(dir: string): Promise<{ seq: number; segment: number } | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, COMPACTED), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const m = JSON.parse(text) as { seq?: unknown; segment?: unknown };
    if (typeof m.seq === 'number' && typeof m.segment === 'number') return { seq: m.seq, segment: m.segment };
  } catch {
    // fall through
  }
  throw new IngestLogError(`${join(dir, COMPACTED)} is unreadable; the log's state cannot be trusted`);
}
