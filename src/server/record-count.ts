// The number of records (non-blank lines, as LineSplitter gives them) in an NDJSON body, counted
// without making a line: the count a batch is refused by (`too_many_records`). Fed in pieces, so a
// gzipped body is counted while it is inflated and refused once over the bound, without inflating
// (or holding) the rest of a bomb.

const NL = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];
const blank = (c: number): boolean => c === 0x20 || c === 0x09 || c === CR;

export class RecordCounter {
  /** Records counted so far (at most `stop`). */
  count = 0;
  private lineBytes = 0;
  /** The current line has a byte that is not space, tab or CR (or it is over-long). */
  private filled = false;
  private lastCR = false;
  private seen = 0;
  /** The stream's first bytes, held until there are three (a byte-order mark is judged whole). */
  private head: Buffer | undefined;

  /** Counts up to `stop` records; lines over `maxLineBytes` (trailing CR excluded) count whatever they hold. */
  constructor(
    private readonly maxLineBytes: number,
    private readonly stop = Number.MAX_SAFE_INTEGER,
  ) {}

  /** True once `stop` records were counted (what follows is not looked at). */
  get full(): boolean {
    return this.count >= this.stop;
  }

  push(piece: Buffer): this {
    let b = piece;
    if (this.seen === 0) {
      b = this.head === undefined ? b : Buffer.concat([this.head, b]);
      this.head = undefined;
      if (b.length < BOM.length) {
        this.head = b;
        return this;
      }
    }
    this.feed(b);
    return this;
  }

  /** The count, once the body has ended (its last line needs no newline). */
  end(): number {
    if (this.head !== undefined) this.feed(this.head);
    this.head = undefined;
    if (this.lineBytes > 0) this.closeLine();
    return this.count;
  }

  private feed(b: Buffer): void {
    // A byte-order mark at the very start is not content (LineSplitter drops it).
    let from = this.seen === 0 && b.length >= 3 && b[0] === BOM[0] && b[1] === BOM[1] && b[2] === BOM[2] ? 3 : 0;
    this.seen += b.length;
    let i = 0;
    while (i < b.length && !this.full) {
      const nl = b.indexOf(NL, i);
      const end = nl < 0 ? b.length : nl;
      if (!this.filled) {
        for (let k = Math.max(i, from); k < end; k++) {
          if (!blank(b[k])) {
            this.filled = true;
            break;
          }
        }
      }
      from = 0;
      if (end > i) this.lastCR = b[end - 1] === CR;
      this.lineBytes += end - i;
      if (nl < 0) return;
      this.closeLine();
      i = nl + 1;
    }
  }

  private closeLine(): void {
    const bytes = this.lineBytes - (this.lastCR ? 1 : 0);
    if (this.filled || bytes > this.maxLineBytes) this.count++;
    this.lineBytes = 0;
    this.filled = false;
    this.lastCR = false;
  }
}

/** Records in a whole body, counted up to `stop`. Exact, so a batch at the limit is never refused. */
export function recordsUpTo(body: Buffer, stop: number, maxLineBytes: number): number {
  return new RecordCounter(maxLineBytes, stop).push(body).end();
}
