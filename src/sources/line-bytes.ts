// Lines as bytes, for decode workers. The engine's thread is the scan's bottleneck: decoding each line
// to a string there and structured-cloning the strings to a worker cost it ~1 µs per line. Read this
// way, a chunk's lines are copied back to back into one buffer with their end offsets and line
// numbers, the buffers are transferred (not copied) to the worker, which makes the text, and come
// back with its results, so a line's text is made on the engine's thread only when it is rejected
// there (late). The lines are exactly those of readLines (same splitting, numbering, BOM, CR and
// blank-line rules, too-large lines): only where the text is made changes.
import { isUtf8 } from 'node:buffer';
import { DEFAULT_SOURCE_OPTIONS, LineSplitter, type RawLine, type SourceOptions, splitInput } from './file.js';

/** A batch of lines. Line i is data[i === 0 ? 0 : ends[i - 1], ends[i]); too-large lines have no bytes here. */
export interface LineBytes {
  file: string;
  count: number;
  data: Uint8Array<ArrayBuffer>;
  ends: Int32Array<ArrayBuffer>;
  lineNos: Int32Array<ArrayBuffer>;
  /** Lines over the size limit (their head text only), in order, and their indexes. */
  large: RawLine[];
  largeAt: number[];
}

/** The buffers to transfer with a batch (they are detached on the sending side). */
export function transferList(b: LineBytes): ArrayBuffer[] {
  return [b.data.buffer, b.ends.buffer, b.lineNos.buffer];
}

const FIRST_DATA = (1 << 20) + (1 << 16);
const FIRST_LINES = 2048;

/** A LineSplitter that keeps lines as bytes; `take` hands over the lines so far as one batch. */
export class LineBytesSplitter extends LineSplitter {
  private data: Buffer;
  private used = 0;
  private ends = new Int32Array(FIRST_LINES);
  private lineNos = new Int32Array(FIRST_LINES);
  private count = 0;
  private bigLines: RawLine[] = [];
  private bigAt: number[] = [];

  /**
   * `capacity`: bytes of lines expected. A whole body split at once (serve's decode worker) passes its
   * length: its lines then fit without growing the buffer (each doubling copied what it held).
   * `linesBefore`: as LineSplitter's (a piece of a body split on its own).
   */
  constructor(file: string, opts?: SourceOptions, capacity = FIRST_DATA, linesBefore = 0) {
    super(file, opts, linesBefore);
    this.data = Buffer.allocUnsafeSlow(Math.max(1, capacity));
  }

  protected override line(buf: Buffer, start: number, end: number, lineNo: number): void {
    const n = end - start;
    if (this.used + n > this.data.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.data.length * 2, this.used + n));
      this.data.copy(bigger, 0, 0, this.used);
      this.data = bigger;
    }
    buf.copy(this.data, this.used, start, end);
    this.used += n;
    this.add(lineNo);
  }

  protected override large(raw: RawLine): void {
    this.bigAt.push(this.count);
    this.bigLines.push(raw);
    this.add(raw.line);
  }

  private add(lineNo: number): void {
    if (this.count === this.ends.length) {
      this.ends = grow(this.ends);
      this.lineNos = grow(this.lineNos);
    }
    this.ends[this.count] = this.used;
    this.lineNos[this.count++] = lineNo;
  }

  /**
   * The lines since the last take, or undefined when there are none. `last`: nothing more will be
   * pushed, so no buffers are made for a next batch (a body's splitter takes once).
   */
  take(last = false): LineBytes | undefined {
    if (this.count === 0) return undefined;
    const b: LineBytes = {
      file: this.file,
      count: this.count,
      data: new Uint8Array(this.data.buffer as ArrayBuffer, this.data.byteOffset, this.used),
      ends: this.ends,
      lineNos: this.lineNos,
      large: this.bigLines,
      largeAt: this.bigAt,
    };
    if (last) return b;
    // The batch owns its buffers (they are transferred): the next batch starts on new ones.
    this.data = Buffer.allocUnsafeSlow(Math.max(FIRST_DATA, this.used));
    this.used = 0;
    this.ends = new Int32Array(Math.max(FIRST_LINES, this.count));
    this.lineNos = new Int32Array(this.ends.length);
    this.count = 0;
    this.bigLines = [];
    this.bigAt = [];
    return b;
  }
}

/** A batch of no lines (a body with none). */
export function emptyLineBytes(file: string): LineBytes {
  return { file, count: 0, data: new Uint8Array(0), ends: new Int32Array(0), lineNos: new Int32Array(0), large: [], largeAt: [] };
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Read one input as batches of lines kept as bytes (readLines, without making the text). */
export async function* readLineBytes(input: string, opts: SourceOptions = DEFAULT_SOURCE_OPTIONS): AsyncGenerator<LineBytes> {
  const splitter = new LineBytesSplitter(input, opts);
  yield* splitInput(input, opts, splitter, [], () => splitter.take());
}

/**
 * Walks a batch's lines as RawLines, making each text only when read. One cursor object serves every
 * line (`at` moves it), so nothing is allocated per line: a consumer must not keep it.
 */
export class LineCursor implements RawLine {
  file = '';
  line = 0;
  bytes = 0;
  private view: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private batch: LineBytes | undefined;

  /** Positions on line `i` of `b`; returns the RawLine to use (the batch's own for a too-large line). */
  at(b: LineBytes, i: number): RawLine {
    if (b !== this.batch) {
      this.batch = b;
      this.view = Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength);
      this.file = b.file;
    }
    if (b.largeAt.length > 0) {
      const k = b.largeAt.indexOf(i);
      if (k >= 0) return b.large[k];
    }
    this.start = i === 0 ? 0 : b.ends[i - 1];
    this.end = b.ends[i];
    this.line = b.lineNos[i];
    this.bytes = this.end - this.start;
    return this;
  }

  get text(): string {
    return this.view.toString('utf8', this.start, this.end);
  }

  get badUtf8(): boolean {
    return !isUtf8(this.view.subarray(this.start, this.end));
  }
}
