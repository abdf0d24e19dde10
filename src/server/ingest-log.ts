// The ingest log: an append-only, versioned, fsync'd record of every accepted batch. `serve`
// acknowledges a batch only after its entry is on disk, and rebuilds the engine on restart by
// replaying the log through the same order stage and engine (event time only, so the replay judges
// exactly as the live service did).
//
// Layout: DIR/seg-0000000001.ndjson, seg-0000000002.ndjson, ... Each segment starts with a header
// line `{"format":"distillguard-ingest-log","version":1}`; every further line is one batch entry.
// Appends are group-committed: entries queued while a write + fdatasync is in progress go out
// together in the next one, so many small concurrent batches cost one fsync, not one each.
//
// A crash can leave a torn last line in the last segment (written, never acknowledged): open()
// cuts it off. A bad line anywhere else is corruption and refuses to open.
//
// Privacy: entries hold the canonical records, prompt text included (the engine needs it to rebuild
// its sketches). E-mails are already keyed hashes here (decode hashes them). See docs/serve.md.
import { mkdir, open, readdir, readFile, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CanonicalRecord } from '../core/records.js';
import type { Rejection } from '../core/rejections.js';

export const LOG_FORMAT = 'distillguard-ingest-log';
export const LOG_VERSION = 1;
const SEGMENT = /^seg-(\d{10})\.ndjson$/;

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
}

interface Pending {
  line: Buffer;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class IngestLog {
  private fh: FileHandle | undefined;
  private segNo = 0;
  private segSize = 0;
  private queue: Pending[] = [];
  private writing = false;
  private failed: Error | undefined;
  private closed = false;
  /** Bytes of entries appended since open (headers excluded). */
  bytesWritten = 0;
  /** fdatasync calls made since open. */
  syncs = 0;

  private constructor(
    readonly dir: string,
    private readonly segmentBytes: number,
  ) {}

  /**
   * Opens (creating) the log, calls `onEntry` for every stored entry in order, cuts a torn tail, and
   * readies the log for appends. Returns the log and the last sequence number replayed (0 if none).
   */
  static async open(opts: IngestLogOptions, onEntry: (e: LogEntry) => void): Promise<{ log: IngestLog; lastSeq: number }> {
    const log = new IngestLog(opts.dir, opts.segmentBytes ?? 64 << 20);
    await mkdir(opts.dir, { recursive: true, mode: 0o700 }); // prompt text inside: owner only
    const segs = (await readdir(opts.dir))
      .map((f) => SEGMENT.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    let lastSeq = 0;
    for (let i = 0; i < segs.length; i++) {
      const path = log.segPath(segs[i]);
      const last = i === segs.length - 1;
      const goodBytes = await replaySegment(path, last, (e) => {
        if (e.seq !== lastSeq + 1) throw new IngestLogError(`${path}: batch ${e.seq} follows batch ${lastSeq}; the log is not contiguous`);
        lastSeq = e.seq;
        onEntry(e);
      });
      if (last) {
        const size = (await stat(path)).size;
        if (goodBytes < size) await truncate(path, goodBytes); // the torn tail was never acknowledged
        if (goodBytes === 0) {
          await rm(path); // not even a whole header: start this segment again
          segs.pop();
        }
      }
    }
    if (segs.length === 0) await log.startSegment(1);
    else await log.resume(segs[segs.length - 1]);
    return { log, lastSeq };
  }

  /** Resolves once the entry is durable (written and fdatasync'd). */
  append(e: LogEntry): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new IngestLogError('the ingest log is closed'));
    const line = Buffer.from(`${JSON.stringify(e)}\n`);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      void this.pump();
    });
  }

  /** Segments on disk, oldest first. */
  async segments(): Promise<string[]> {
    return (await readdir(this.dir)).filter((f) => SEGMENT.test(f)).sort();
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.fh?.close();
    this.fh = undefined;
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0);
        try {
          if (this.segSize >= this.segmentBytes) await this.startSegment(this.segNo + 1);
          const buf = group.length === 1 ? group[0].line : Buffer.concat(group.map((p) => p.line));
          await writeAll(this.handle(), buf);
          await this.handle().datasync();
          this.syncs++;
          this.segSize += buf.length;
          this.bytesWritten += buf.length;
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

  private handle(): FileHandle {
    if (!this.fh) throw new IngestLogError('the ingest log is not open');
    return this.fh;
  }

  private segPath(n: number): string {
    return join(this.dir, `seg-${String(n).padStart(10, '0')}.ndjson`);
  }

  private async startSegment(n: number): Promise<void> {
    await this.fh?.close();
    const fh = await open(this.segPath(n), 'wx', 0o600);
    const header = Buffer.from(`${JSON.stringify({ format: LOG_FORMAT, version: LOG_VERSION })}\n`);
    await writeAll(fh, header);
    await fh.datasync();
    await syncDir(this.dir); // the new file's directory entry must survive a crash too
    this.fh = fh;
    this.segNo = n;
    this.segSize = header.length;
  }

  private async resume(n: number): Promise<void> {
    this.fh = await open(this.segPath(n), 'a');
    this.segNo = n;
    this.segSize = (await this.fh.stat()).size;
  }
}

async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
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

/**
 * Replays one segment; returns the byte length of its valid prefix. In the last segment a torn or
 * unparsable final line ends the valid prefix; anywhere else it is corruption.
 */
async function replaySegment(path: string, last: boolean, onEntry: (e: LogEntry) => void): Promise<number> {
  const buf = await readFile(path);
  let pos = 0;
  let first = true;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    const end = nl < 0 ? buf.length : nl;
    let parsed: unknown;
    let ok = nl >= 0;
    if (ok) {
      try {
        parsed = JSON.parse(buf.toString('utf8', pos, end));
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      const tail = nl < 0 || buf.indexOf(0x0a, end + 1) < 0;
      if (last && tail) return pos;
      throw new IngestLogError(`${path}: unreadable entry at byte ${pos}; the log is corrupt`);
    }
    if (first) {
      const h = parsed as { format?: unknown; version?: unknown };
      if (h.format !== LOG_FORMAT) throw new IngestLogError(`${path} is not a distillguard ingest log segment`);
      if (h.version !== LOG_VERSION) {
        throw new IngestLogError(`${path} has ingest log version ${String(h.version)}; this distillguard reads version ${LOG_VERSION}`);
      }
      first = false;
    } else {
      onEntry(parsed as LogEntry);
    }
    pos = end + 1;
  }
  return pos;
}
