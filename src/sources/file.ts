// Source: NDJSON lines from a file (plain or gzip) or standard input, in batches.
//
// Line rules:
// - `\n` ends a line; a `\r` before it is dropped (CRLF); a final line without a newline is a line.
// - A UTF-8 byte order mark at the start of the input is dropped.
// - Blank lines (empty or only spaces/tabs) are skipped and are NOT "lines read": they carry no
//   record, so `lines read = accepted + rejected + duplicates` holds without them. They still count
//   for line numbering, so `line` is the physical 1-based line number an editor shows.
// - A line longer than `maxLineBytes` is streamed past (never buffered whole) and yielded with
//   `tooLarge: true` and `text` cut to its first 1 KiB, so decode can reject it as `too_large`.
// - A line whose bytes are not valid UTF-8 is marked `badUtf8` (decode rejects it as `invalid_utf8`:
//   replacing the bytes with U+FFFD could make two distinct ids one).
//
// Splitting is done by hand on Buffer chunks (`indexOf(10)` + one `toString` per line). On a 300 MB
// file of ~900-byte lines a bare loop of this kind ran at 550-800 MB/s against 165-225 MB/s for
// node:readline and 230-450 MB/s for decoding whole chunks to one string and splitting that (slow on
// non-ASCII text); readLines itself measures 1.0-1.3 GB/s plain and ~0.9-1.05 GB/s (uncompressed) from
// gzip (test/contract/bench/input-bench.ts). Very short lines are bound by per-line cost instead:
// ~3.8 M lines/s (~230 MB/s) for 60-byte lines.
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../core/errors.js';
import { RAW_LIMIT } from '../core/rejections.js';

/** One input line, before decoding. */
export interface RawLine {
  /** The input as named on the command line (`-` for standard input). */
  file: string;
  /** Physical 1-based line number (blank lines count for numbering). */
  line: number;
  /** The line without its terminator; cut to its first 1 KiB when `tooLarge`. */
  text: string;
  /** Size of the whole line in bytes, without its terminator. */
  bytes: number;
  /** The line exceeded `maxLineBytes`; `text` holds only its beginning. */
  tooLarge?: true;
  /** The line's bytes are not valid UTF-8 (`text` has U+FFFD in their place). Read only when `text` holds a U+FFFD. */
  readonly badUtf8?: boolean;
}

export interface SourceOptions {
  /** Longest accepted line in bytes (without terminator). */
  maxLineBytes: number;
  /** The stream read for `-`; process.stdin unless given (tests, embedding). */
  stdin?: Readable;
  /** Told the size of each chunk as read from the source (compressed for .gz): a scan's progress. */
  onBytes?: (n: number) => void;
}

export const STDIN = '-';
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;
export const DEFAULT_SOURCE_OPTIONS: SourceOptions = { maxLineBytes: DEFAULT_MAX_LINE_BYTES };

const READ_CHUNK = 1 << 20;
const GUNZIP_CHUNK = 1 << 18;
const NL = 0x0a;
const CR = 0x0d;

/**
 * Push-style line splitter: feed it byte chunks as they arrive (file, stdin, an HTTP body) and it
 * appends complete lines to `out`. Holds at most one partial line, and never more than
 * `maxLineBytes` + one chunk of it.
 */
export class LineSplitter {
  private lineNo = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside a line that already exceeded the limit: only its head is kept. */
  private skipping = false;
  private skipHead: Buffer = Buffer.alloc(0);
  private skipBytes = 0;
  private skipLastByte = -1;
  private readonly maxLineBytes: number;

  /**
   * `linesBefore`: physical lines of the same input before the first byte pushed here (a piece of a
   * body cut after a newline, split on its own): numbering goes on from there, and a byte order mark
   * is dropped only from the input's first line, so the pieces' lines are those of the whole.
   */
  constructor(
    readonly file: string,
    opts: SourceOptions = DEFAULT_SOURCE_OPTIONS,
    linesBefore = 0,
  ) {
    if (!(Number.isInteger(opts.maxLineBytes) && opts.maxLineBytes > 0)) {
      throw new InputError(`max line size must be a positive integer, got ${String(opts.maxLineBytes)}`);
    }
    if (!(Number.isInteger(linesBefore) && linesBefore >= 0)) throw new InputError(`lines before must be a non-negative integer, got ${linesBefore}`);
    this.maxLineBytes = opts.maxLineBytes;
    this.lineNo = linesBefore;
  }

  /** Physical lines completed so far, blank ones included. */
  get lines(): number {
    return this.lineNo;
  }

  push(chunk: Buffer, out: RawLine[]): void {
    let pos = 0;
    const len = chunk.length;
    if (this.pendingBytes > 0 || this.skipping) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.carry(chunk, 0, len);
        return;
      }
      this.finishCarried(chunk, nl, out);
      pos = nl + 1;
    }
    while (pos < len) {
      const nl = chunk.indexOf(NL, pos);
      if (nl < 0) {
        this.carry(chunk, pos, len);
        return;
      }
      this.emit(chunk, pos, nl, out);
      pos = nl + 1;
    }
  }

  /** End of input: a final line without a newline is still a line. */
  end(out: RawLine[]): void {
    if (this.pendingBytes > 0 || this.skipping) this.finishCarried(Buffer.alloc(0), 0, out);
  }

  /** Keep chunk[start, end) as part of the current unfinished line. */
  private carry(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    if (this.skipping) {
      this.skipBytes += end - start;
      this.skipLastByte = chunk[end - 1];
      return;
    }
    // Copy: the caller may reuse its chunk buffer.
    this.pending.push(Buffer.from(chunk.subarray(start, end)));
    this.pendingBytes += end - start;
    // +1 leaves room for a '\r' that the terminator will strip.
    if (this.pendingBytes > this.maxLineBytes + 1) {
      const all = Buffer.concat(this.pending, this.pendingBytes);
      this.skipHead = Buffer.from(all.subarray(0, RAW_LIMIT));
      this.skipBytes = this.pendingBytes;
      this.skipLastByte = all[all.length - 1];
      this.skipping = true;
      this.pending = [];
      this.pendingBytes = 0;
    }
  }

  /** The carried line ends at chunk[nl] (nl may be 0, or chunk empty at end of input). */
  private finishCarried(chunk: Buffer, nl: number, out: RawLine[]): void {
    if (this.skipping) {
      let bytes = this.skipBytes + nl;
      const last = nl > 0 ? chunk[nl - 1] : this.skipLastByte;
      if (last === CR) bytes -= 1;
      this.lineNo++;
      this.large({ file: this.file, line: this.lineNo, text: this.headText(this.skipHead), bytes, tooLarge: true }, out);
      this.skipping = false;
      this.skipHead = Buffer.alloc(0);
      this.skipBytes = 0;
      this.skipLastByte = -1;
      return;
    }
    if (nl > 0) this.pending.push(chunk.subarray(0, nl));
    const whole = Buffer.concat(this.pending, this.pendingBytes + nl);
    this.pending = [];
    this.pendingBytes = 0;
    this.emit(whole, 0, whole.length, out);
  }

  /** Emit buf[start, end) as one line; `end` is the newline position (exclusive). */
  private emit(buf: Buffer, start: number, end: number, out: RawLine[]): void {
    this.lineNo++;
    if (end > start && buf[end - 1] === CR) end--;
    if (this.lineNo === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
      start += 3;
    }
    const bytes = end - start;
    if (bytes === 0) return;
    if (bytes > this.maxLineBytes) {
      this.large({ file: this.file, line: this.lineNo, text: this.headText(buf.subarray(start, start + RAW_LIMIT)), bytes, tooLarge: true }, out);
      return;
    }
    const first = buf[start];
    if ((first === 0x20 || first === 0x09 || first === CR) && isBlank(buf, start, end)) return;
    this.line(buf, start, end, this.lineNo, out);
  }

  /** A line within the size limit, buf[start, end) without terminator or BOM: decoded to text here. */
  protected line(buf: Buffer, start: number, end: number, lineNo: number, out: RawLine[]): void {
    const text = buf.toString('utf8', start, end);
    // Only a line with U+FFFD can be invalid: the exact check runs for those alone.
    if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) out.push({ file: this.file, line: lineNo, text, bytes: end - start, badUtf8: true });
    else out.push({ file: this.file, line: lineNo, text, bytes: end - start });
  }

  /** A line over the size limit, with only its head as text. */
  protected large(raw: RawLine, out: RawLine[]): void {
    out.push(raw);
  }

  private headText(head: Buffer): string {
    let text = head.toString('utf8');
    if (this.lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  }
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}

/**
 * Read one input as batches of lines. `input` is a path or `-` for standard input. Gzip is detected
 * by its magic bytes (1f 8b), whatever the file is named; concatenated gzip members are read in turn.
 * Throws InputError (one line) when the input cannot be read or the gzip data is corrupt.
 */
export async function* readLines(
  input: string,
  opts: SourceOptions = DEFAULT_SOURCE_OPTIONS,
): AsyncGenerator<RawLine[]> {
  const out: RawLine[] = [];
  yield* splitInput(input, opts, new LineSplitter(input, opts), out, () => (out.length === 0 ? undefined : out.splice(0)));
}

/**
 * Feeds one input's chunks to `splitter` (lines into `out`), yielding `take()` after each chunk and at
 * the end whenever it gives a batch. Read errors become one-line InputErrors.
 */
export async function* splitInput<T>(
  input: string,
  opts: SourceOptions,
  splitter: LineSplitter,
  out: RawLine[],
  take: () => T | undefined,
): AsyncGenerator<T> {
  try {
    for await (const chunk of byteChunks(input, opts.stdin ?? process.stdin, opts.onBytes)) {
      splitter.push(chunk, out);
      const batch = take();
      if (batch !== undefined) yield batch;
    }
  } catch (err) {
    throw toInputError(input, err, splitter.lines);
  }
  splitter.end(out);
  const batch = take();
  if (batch !== undefined) yield batch;
}

/** Raw (decompressed) byte chunks of one input. */
async function* byteChunks(input: string, stdin: Readable, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  const source: Readable = input === STDIN ? stdin : createReadStream(input, { highWaterMark: READ_CHUNK });
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const next = async (): Promise<Buffer | undefined> => {
    const r = await it.next();
    if (r.done === true) return undefined;
    onBytes?.(r.value.length);
    return r.value;
  };
  try {
    // Peek at least two bytes to look for the gzip magic number.
    let head: Buffer = Buffer.alloc(0);
    let done = false;
    while (head.length < 2) {
      const chunk = await next();
      if (chunk === undefined) {
        done = true;
        break;
      }
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    }
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      const compressed = async function* (): AsyncGenerator<Buffer> {
        yield head;
        for (let c = done ? undefined : await next(); c !== undefined; c = await next()) yield c;
      };
      const gunzip = pipeline(Readable.from(compressed()), createGunzip({ chunkSize: GUNZIP_CHUNK }), () => {
        // Errors surface through iterating `gunzip` below.
      });
      for await (const chunk of gunzip) yield chunk as Buffer;
      return;
    }
    if (head.length > 0) yield head;
    if (done) return;
    for (let c = await next(); c !== undefined; c = await next()) yield c;
  } finally {
    // Stop reading when the consumer stops early; standard input is left to its owner.
    if (source !== stdin) source.destroy();
  }
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
};

function toInputError(input: string, err: unknown, linesDone: number): InputError {
  if (err instanceof InputError) return err;
  const code = errCode(err);
  const name = input === STDIN ? 'standard input' : input;
  if (code !== undefined && code.startsWith('Z_')) {
    const msg = err instanceof Error ? err.message : String(err);
    return new InputError(`cannot read input ${name}: corrupt gzip data after line ${linesDone} (${msg})`, { cause: err });
  }
  const text = (code !== undefined && ERRNO_TEXT[code]) || (err instanceof Error ? err.message : String(err));
  return new InputError(`cannot read input ${name}: ${text.replace(/\s+/g, ' ')}`, { cause: err });
}

/**
 * Check, before any processing, that every input can be opened for reading. Throws InputError with
 * one clear line for the first input that cannot (missing, a directory, no permission, stdin twice).
 */
export async function checkReadable(inputs: string[]): Promise<void> {
  if (inputs.length === 0) throw new InputError('no input given (a path, or - for standard input)');
  let stdin = false;
  for (const input of inputs) {
    if (input === STDIN) {
      if (stdin) throw new InputError('standard input (-) given more than once');
      stdin = true;
      continue;
    }
    try {
      const st = await stat(input);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      const fh = await open(input, 'r');
      await fh.close();
    } catch (err) {
      throw toInputError(input, err, 0);
    }
  }
}
