// Runs async operations one at a time, in call order: a DuckDB connection takes one statement
// sequence at a time, and a failed operation must not block the ones queued after it.
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn);
    this.tail = p.catch(() => undefined);
    return p;
  }
  /** Settles once everything queued so far has. */
  drain(): Promise<unknown> {
    return this.tail;
  }
}
