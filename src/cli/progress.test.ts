import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

function sink(isTTY: boolean): { write(s: string): void; isTTY: boolean; out: string[] } {
  const out: string[] = [];
  return { isTTY, out, write: (s: string) => void out.push(s) };
}

describe('scan progress', () => {
  it('writes plain lines every few seconds with percentage and time left when stderr is not a terminal', () => {
    let t = 0;
    const s = sink(false);
    const p = new Progress({ stream: s, totalBytes: 1000, now: () => t, plainEveryMs: 5000 });
    t = 1000;
    p.update({ events: 10, accounts: 2, flagged: 0, bytes: 100 });
    expect(s.out).toEqual([]); // not yet: one line per interval
    t = 5000;
    p.update({ events: 500, accounts: 20, flagged: 1, bytes: 250 });
    t = 6000;
    p.update({ events: 600, accounts: 20, flagged: 1, bytes: 300 });
    t = 10_000;
    p.update({ events: 1000, accounts: 40, flagged: 3, bytes: 500 });
    expect(s.out).toEqual([
      'distillguard:  25% 500 events  100/s  20 accounts  1 flagged  about 15 s left\n',
      'distillguard:  50% 1,000 events  100/s  40 accounts  3 flagged  about 10 s left\n',
    ]);
    p.update({ events: 2000, accounts: 80, flagged: 3, bytes: 1000 }, true);
    expect(s.out.at(-1)).toMatch(/^distillguard: 100% 2,000 events/);
  });

  it('redraws one line with a bar on a terminal, and shows no share for standard input', () => {
    let t = 0;
    const s = sink(true);
    const p = new Progress({ stream: s, totalBytes: 1000, now: () => t });
    t = 300;
    p.update({ events: 30, accounts: 3, flagged: 0, bytes: 400 });
    expect(s.out[0]).toMatch(/^\r 40% \[========------------\] 30 events/);
    const stdin = new Progress({ stream: sink(false), totalBytes: null, now: () => t });
    expect(stdin.describe({ events: 30, accounts: 3, flagged: 0, bytes: 400 }, 1300)).toBe('30 events  30/s  3 accounts  0 flagged');
  });

  it('stays silent in a log for a scan shorter than the interval', () => {
    const s = sink(false);
    const p = new Progress({ stream: s, totalBytes: 10, now: () => 1 });
    p.update({ events: 1, accounts: 1, flagged: 0, bytes: 10 }, true);
    p.done();
    expect(s.out).toEqual([]);
  });
});
