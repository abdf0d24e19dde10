// Applies items that arrive in bursts a slice at a time, yielding to the event loop between slices,
// so the gateway listener answers requests while it takes in a burst of decision changes (a policy
// reload re-decides every account at once: thousands of changes, ~10 µs each to format).
// Items are applied in arrival order; a burst that fits in the budget is applied at once, before
// push() returns, so a quiet listener stays as current as before.

export class SlicedApply<T> {
  private readonly batches: T[][] = [];
  /** The next item of batches[0]. */
  private at = 0;
  private scheduled = false;

  constructor(
    private readonly apply: (item: T) => void,
    /** Called after each slice (to trim what the applied items left behind). */
    private readonly afterSlice: () => void,
    private readonly budgetMs = 1,
  ) {}

  /** Items not applied yet. */
  get pending(): number {
    let n = 0;
    for (const b of this.batches) n += b.length;
    return n - this.at;
  }

  push(items: T[]): void {
    if (items.length === 0) return;
    this.batches.push(items);
    if (!this.scheduled) this.slice();
  }

  private slice(): void {
    this.scheduled = false;
    const until = performance.now() + this.budgetMs;
    let n = 0;
    while (this.batches.length > 0) {
      const batch = this.batches[0];
      while (this.at < batch.length) {
        this.apply(batch[this.at++]);
        // The clock is read every 16 items: applying one costs microseconds.
        if ((++n & 15) === 0 && performance.now() > until && this.pending > 0) {
          this.afterSlice();
          this.scheduled = true;
          setImmediate(() => this.slice());
          return;
        }
      }
      this.batches.shift();
      this.at = 0;
    }
    this.afterSlice();
  }
}
