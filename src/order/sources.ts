// Per-source event time. A fleet of gateways posts at once, each in its own time order but not in
// step with the others: one global watermark (newest ts seen − max lateness) makes the gateway that
// is a few minutes behind look late. So each source (an ingest key, or a source id it names) keeps
// its own clock:
//  - a record is late when it is older than its own source's newest ts − max lateness, or older than
//    what has already been released (the release point never goes back);
//  - the release point is the minimum over *active* sources of (newest − max lateness): the engine
//    advances only as far as the slowest gateway that is still sending;
//  - a source that has sent nothing for `idleMs` of wall time stops holding the others back (and is
//    forgotten once the release point has passed it). Wall time comes with each batch and is written
//    to the ingest log with it, so a replay takes the same decisions at the same points.
import type { Millis } from '../core/records.js';

interface Clock {
  newest: Millis;
  /** Wall time of the source's last batch. */
  lastWall: number;
  /** Expected before it sent anything (expect): while active, it holds the release point where it is. */
  expected?: true;
}

export interface SourceClockOptions {
  maxLatenessMs: number;
  /** Wall ms after which a silent source no longer holds the release point back. */
  idleMs: number;
  /** Most sources tracked at once (a key naming a new source per batch must not grow this without bound). */
  maxSources: number;
}

export class SourceClocks {
  private readonly clocks = new Map<string, Clock>();
  constructor(private readonly o: SourceClockOptions) {}

  /** Sources currently tracked. */
  get size(): number {
    return this.clocks.size;
  }

  /** Can a batch from this source be taken (it is tracked, or there is room for it)? */
  admits(source: string): boolean {
    return this.clocks.has(source) || this.clocks.size < this.o.maxSources;
  }

  /** The source's own lateness bound: records before it are late. −Infinity for a new source. */
  bound(source: string): Millis {
    const c = this.clocks.get(source);
    return c === undefined ? Number.NEGATIVE_INFINITY : c.newest - this.o.maxLatenessMs;
  }

  /** The source sent something at `wall` (a batch, or a watermark). */
  touch(source: string, wall: number): void {
    const c = this.clocks.get(source);
    if (c === undefined) this.clocks.set(source, { newest: Number.NEGATIVE_INFINITY, lastWall: wall });
    else if (wall > c.lastWall) c.lastWall = wall;
  }

  /**
   * A source that exists before it has sent anything (a partition of the cluster's record stream):
   * until its first record or its idle timeout it holds the release point where it is. No-op when known.
   */
  expect(source: string, wall: number): void {
    if (!this.clocks.has(source)) this.clocks.set(source, { newest: Number.NEGATIVE_INFINITY, lastWall: wall, expected: true });
  }

  /** An accepted record's ts (the source was touched first). */
  saw(source: string, ts: Millis): void {
    const c = this.clocks.get(source)!;
    if (ts > c.newest) c.newest = ts;
  }

  /** The source promises nothing older than `ts`: its bound moves there. */
  promise(source: string, ts: Millis): void {
    const c = this.clocks.get(source)!;
    if (ts + this.o.maxLatenessMs > c.newest) c.newest = ts + this.o.maxLatenessMs;
  }

  /**
   * How far records may be released at wall time `wall`: the lowest bound over active sources (all
   * sources when none is active). Idle sources whose bound the release point has passed are forgotten.
   */
  releasePoint(wall: number, current: Millis): Millis {
    let lowActive = Number.POSITIVE_INFINITY;
    let highAll = Number.NEGATIVE_INFINITY;
    const idleBefore = wall - this.o.idleMs;
    for (const c of this.clocks.values()) {
      if (c.newest === Number.NEGATIVE_INFINITY) {
        // Touched, nothing accepted yet: holds nothing; expected, it holds everything while active.
        if (c.expected === true && c.lastWall >= idleBefore) lowActive = Number.NEGATIVE_INFINITY;
        continue;
      }
      const b = c.newest - this.o.maxLatenessMs;
      if (c.lastWall >= idleBefore && b < lowActive) lowActive = b;
      if (b > highAll) highAll = b;
    }
    const w = Math.max(current, lowActive === Number.POSITIVE_INFINITY ? highAll : lowActive);
    for (const [id, c] of this.clocks) if (c.lastWall < idleBefore && c.newest - this.o.maxLatenessMs <= w) this.clocks.delete(id);
    return w;
  }
}
