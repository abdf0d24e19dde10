// Progress of a long scan on stderr: on a terminal a line redrawn in place (bar, percentage, rate,
// time left); otherwise (a pipe, CI, a log) a plain line every few seconds, so a long batch job says
// how far it is too. The share is of the inputs' bytes on disk, known from their sizes before the
// scan starts; standard input has no size, so it shows counts and rate only.

export interface ProgressFigures {
  events: number;
  accounts: number;
  flagged: number;
  /** Bytes read from the inputs so far (as on disk: compressed for .gz). */
  bytes: number;
}

export interface ProgressOptions {
  stream?: { write(s: string): unknown; isTTY?: boolean };
  /** Total size of the inputs; null when unknown (standard input). */
  totalBytes?: number | null;
  /** Between plain lines when the stream is not a terminal. */
  plainEveryMs?: number;
  now?: () => number;
}

export class Progress {
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly tty: boolean;
  private readonly total: number | null;
  private readonly every: number;
  private readonly now: () => number;
  private readonly start: number;
  private last: number;
  private drawn = false;

  constructor(o: ProgressOptions = {}) {
    this.stream = o.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.total = o.totalBytes ?? null;
    this.every = this.tty ? 200 : (o.plainEveryMs ?? 5000);
    this.now = o.now ?? Date.now;
    this.start = this.now();
    this.last = this.start;
  }

  update(f: ProgressFigures, force = false): void {
    const now = this.now();
    if (!force && now - this.last < this.every) return;
    // A plain log gets no final line for a scan that ended before the first interval.
    if (force && !this.tty && !this.drawn) return;
    this.last = now;
    this.drawn = true;
    const line = this.describe(f, now);
    this.stream.write(this.tty ? `\r${line} ` : `distillguard: ${line}\n`);
  }

  /** "42% [========------------] 120,000 events  7,100/s  1,200 accounts  30 flagged  about 40 s left" */
  describe(f: ProgressFigures, now: number): string {
    const secs = Math.max(0.001, (now - this.start) / 1000);
    const rate = Math.round(f.events / secs);
    const counts = `${f.events.toLocaleString('en')} events  ${rate.toLocaleString('en')}/s  ${f.accounts.toLocaleString('en')} accounts  ${f.flagged.toLocaleString('en')} flagged`;
    if (this.total === null || this.total <= 0) return counts;
    const share = Math.min(1, f.bytes / this.total);
    const pct = `${Math.floor(share * 100)}%`.padStart(4);
    const width = 20;
    const bar = this.tty ? ` [${'='.repeat(Math.round(share * width)).padEnd(width, '-')}]` : '';
    const left = share > 0.01 && share < 1 ? `  about ${formatSeconds((secs * (1 - share)) / share)} left` : '';
    return `${pct}${bar} ${counts}${left}`;
  }

  done(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
  }
}

/** 40 → "40 s", 130 → "2 min 10 s", 4000 → "1 h 7 min". */
export function formatSeconds(s: number): string {
  const r = Math.round(s);
  if (r < 60) return `${r} s`;
  if (r < 3600) return `${Math.floor(r / 60)} min ${r % 60} s`;
  return `${Math.floor(r / 3600)} h ${Math.floor((r % 3600) / 60)} min`;
}
