// A one-line progress bar on stderr, only when stderr is a terminal (quiet in pipes, CI and logs).

export interface ProgressFigures {
  events: number;
  accounts: number;
  flagged: number;
}

export class Progress {
  private readonly enabled: boolean;
  private readonly start = Date.now();
  private last = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY) && !process.env.CI;
  }

  private readonly stream: NodeJS.WriteStream;

  update(f: ProgressFigures, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 200) return;
    this.last = now;
    const secs = Math.max(0.001, (now - this.start) / 1000);
    const rate = Math.round(f.events / secs);
    const width = 20;
    const spin = Math.floor(now / 100) % width;
    const bar = Array.from({ length: width }, (_, i) => (i === spin ? '=' : '-')).join('');
    this.stream.write(
      `\r[${bar}] ${f.events.toLocaleString('en')} events  ${rate.toLocaleString('en')}/s  ` +
        `${f.accounts.toLocaleString('en')} accounts  ${f.flagged.toLocaleString('en')} flagged `,
    );
  }

  done(): void {
    if (this.enabled) this.stream.write('\n');
  }
}
