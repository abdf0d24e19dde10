// Runs one async job at a time and folds the calls made while it runs into one more run: for writes
// triggered faster than they complete (audit entries after every engine slice, every 200 ms), which
// otherwise queue on the store's writer without bound and delay the store refresh queued behind them.
export class Coalesced {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly job: () => Promise<void>) {}

  /** Settles once a run that started after this call has ended (rejects with its error). */
  run(): Promise<void> {
    if (this.running) this.again = true;
    else this.running = this.loop();
    return this.running;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.job();
      } while (this.again);
    } finally {
      this.running = undefined;
    }
  }
}
