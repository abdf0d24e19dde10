// Snapshots of the PostgreSQL store kept open a short while, so that a client paging through a
// listing (`?refresh=N`) reads every page from the state of the first one while the judge keeps
// writing: each is the REPEATABLE READ transaction a read ran in, left open (idle in transaction)
// until it expires. Single-node serve keeps its replaced in-memory snapshots the same way
// (src/server/store-writer.ts: the last 8, 30 s each); an open transaction holds back vacuum for
// those seconds and holds one pooled connection, hence the same small bound.
import type pg from 'pg';
import { PINNED_MS, PINNED_SNAPSHOTS, type RefreshInfo } from './store.js';

interface Pin {
  client: pg.PoolClient;
  refresh: RefreshInfo;
  until: number;
  /** Reads running on its transaction: it is ended only once they are done. */
  busy: number;
  ending: boolean;
}

export class PinnedSnapshots {
  /** By refresh number, oldest first (Map keeps insertion order). */
  private readonly pins = new Map<number, Pin>();
  private readonly timer: NodeJS.Timeout;
  private readonly releasing = new Set<Promise<void>>();

  constructor(
    readonly keep = PINNED_SNAPSHOTS,
    private readonly ms = PINNED_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.timer = setInterval(() => this.expire(), Math.max(50, Math.min(1000, ms / 4)));
    this.timer.unref();
  }

  get size(): number {
    return this.pins.size;
  }

  /**
   * Takes over `client`, whose open REPEATABLE READ transaction reflects `refresh`; false (the caller
   * ends it) when that refresh is already pinned.
   */
  pin(client: pg.PoolClient, refresh: RefreshInfo): boolean {
    if (this.pins.has(refresh.refresh)) return false;
    this.pins.set(refresh.refresh, { client, refresh, until: this.now() + this.ms, busy: 0, ending: false });
    for (const [n, p] of this.pins) {
      if (this.pins.size <= this.keep) break;
      this.end(n, p);
    }
    return true;
  }

  /** Runs `read` on refresh `n`'s transaction; undefined when it is not pinned (never, expired or evicted). */
  async readAt<T>(n: number, read: (client: pg.PoolClient) => Promise<T>): Promise<{ value: T; refresh: RefreshInfo } | undefined> {
    this.expire();
    const p = this.pins.get(n);
    if (p === undefined) return undefined;
    p.busy++;
    try {
      return { value: await read(p.client), refresh: p.refresh };
    } finally {
      p.busy--;
      if (p.ending && p.busy === 0) this.release(p);
    }
  }

  /** Ends every pinned transaction (the store is closing). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const all = [...this.pins];
    for (const [n, p] of all) this.end(n, p);
    while (all.some(([, p]) => p.busy > 0)) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(this.releasing);
  }

  private expire(): void {
    const now = this.now();
    for (const [n, p] of this.pins) if (p.until <= now) this.end(n, p);
  }

  private end(n: number, p: Pin): void {
    this.pins.delete(n);
    p.ending = true;
    if (p.busy === 0) this.release(p);
  }

  private release(p: Pin): void {
    const done = p.client.query('ROLLBACK').then(
      () => p.client.release(),
      (e: unknown) => p.client.release(e as Error), // a broken connection is dropped from the pool
    );
    this.releasing.add(done);
    void done.finally(() => this.releasing.delete(done));
  }
}
