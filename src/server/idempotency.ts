// Idempotency-Key: a client that retries a batch (its connection dropped before the answer) sends
// the same key again and gets the original receipt; nothing is counted twice. Keys are scoped to the
// ingest key that sent them, remembered with a digest of the body (the same key with another body
// is a client bug: 409), written to the ingest log with their batch (a retry after a crash and
// restart is still recognised) and kept for `ttlMs` of wall time, at most `max` of them.
import { createHash } from 'node:crypto';
import { ApiError } from './errors.js';

export interface Remembered<R> {
  hash: string;
  receipt: R;
  at: number;
}

export class IdempotencyKeys<R> {
  private readonly done = new Map<string, Remembered<R>>();
  private readonly pending = new Map<string, { hash: string; result: Promise<R> }>();

  constructor(
    private readonly ttlMs = 24 * 3_600_000,
    private readonly max = 100_000,
  ) {}

  get size(): number {
    return this.done.size;
  }

  /** A key as sent: 1-255 visible ASCII characters. */
  static check(key: string): string {
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new ApiError('bad_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    return key;
  }

  static digest(body: Buffer): string {
    return createHash('sha256').update(body).digest('base64url');
  }

  /**
   * The receipt of an earlier batch with this key (null if none), or the promise of one still in
   * flight. Synchronous, so two concurrent requests with one key cannot both miss. 409 when the key
   * came with a different body.
   */
  lookup(key: string, hash: string, now: number): Promise<R> | R | null {
    const p = this.pending.get(key);
    if (p !== undefined) {
      this.same(p.hash, hash, key);
      return p.result;
    }
    const d = this.done.get(key);
    if (d === undefined || d.at < now - this.ttlMs) return null;
    this.same(d.hash, hash, key);
    return d.receipt;
  }

  /** Registers the batch being taken under this key; settles when it does. */
  track(key: string, hash: string, result: Promise<R>): void {
    this.pending.set(key, { hash, result });
    const clear = (): void => void this.pending.delete(key);
    result.then(clear, clear);
  }

  /** The batch's receipt, once durable (live) or read back from the log (replay). */
  remember(key: string, entry: Remembered<R>): void {
    this.done.delete(key);
    this.done.set(key, entry);
    const cutoff = entry.at - this.ttlMs;
    for (const [k, v] of this.done) {
      if (this.done.size <= this.max && v.at >= cutoff) break;
      this.done.delete(k); // oldest first (insertion order)
    }
  }

  private same(stored: string, hash: string, key: string): void {
    if (stored !== hash) throw new ApiError('conflict', `Idempotency-Key ${JSON.stringify(key.slice(0, 40))} was used for a different batch`);
  }
}
