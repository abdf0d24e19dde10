import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exchange } from '../../test/helpers/records.js';
import { IngestLog, type LogEntry } from './ingest-log.js';

const rec = (i: number) => exchange('a', 1_775_001_600_000 + i, `prompt ${i}`, { id: `e${i}` });
const entry = (seq: number): LogEntry => ({ seq, lines: 2, dup: 0, recs: [rec(seq * 2), rec(seq * 2 + 1)], rej: [] });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distillguard-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function reopen(segmentBytes?: number): Promise<{ log: IngestLog; seen: LogEntry[]; lastSeq: number }> {
  const seen: LogEntry[] = [];
  const { log, lastSeq } = await IngestLog.open({ dir, segmentBytes }, (e) => seen.push(e));
  return { log, seen, lastSeq };
}

describe('ingest log', () => {
  it('replays what was appended, in order, across segments, and group-commits concurrent appends', async () => {
    const { log } = await reopen(600);
    for (const s of [1, 2]) await log.append(entry(s)); // one by one: the segment fills and rotates
    await Promise.all([3, 4, 5, 6].map((s) => log.append(entry(s))));
    expect(log.syncs).toBeLessThan(6); // appends queued behind a sync went out together
    await log.close();
    expect((await readdir(dir)).filter((f) => f.startsWith('seg-')).length).toBeGreaterThan(1);
    const { log: again, seen, lastSeq } = await reopen(600);
    expect(lastSeq).toBe(6);
    expect(seen).toStrictEqual([1, 2, 3, 4, 5, 6].map(entry));
    await again.append(entry(7));
    await again.close();
    expect((await reopen()).seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('cuts a torn last line (never acknowledged) and appends after it', async () => {
    const { log } = await reopen();
    await log.append(entry(1));
    await log.close();
    const seg = join(dir, (await readdir(dir)).find((f) => f.startsWith('seg-'))!);
    const good = (await stat(seg)).size;
    await appendFile(seg, '{"seq":2,"lines":2,"dup":0,"recs":[{"kind":"exch'); // crash mid-write
    const { log: again, seen } = await reopen();
    expect(seen.map((e) => e.seq)).toEqual([1]);
    expect((await stat(seg)).size).toBe(good);
    await again.append(entry(2));
    await again.close();
    expect((await reopen()).seen.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('refuses a corrupt line before the tail, a gap in the sequence, and a newer format version', async () => {
    const { log } = await reopen();
    await log.append(entry(1));
    await log.append(entry(2));
    await log.close();
    const seg = join(dir, (await readdir(dir)).find((f) => f.startsWith('seg-'))!);
    const text = await readFile(seg, 'utf8');
    const lines = text.split('\n');
    await writeFile(seg, [lines[0], '{broken', lines[2], ''].join('\n'));
    await expect(reopen()).rejects.toThrow(/unreadable entry at byte \d+; the log is corrupt/);
    await writeFile(seg, [lines[0], lines[2], ''].join('\n'));
    await expect(reopen()).rejects.toThrow(/batch 2 follows batch 0/);
    await writeFile(seg, [lines[0].replace('"version":1', '"version":2'), lines[1], ''].join('\n'));
    await expect(reopen()).rejects.toThrow(/ingest log version 2; this distillguard reads version 1/);
  });

  it('keeps its files private to the owner', async () => {
    const { log } = await reopen();
    await log.append(entry(1));
    await log.close();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const seg = (await readdir(dir)).find((f) => f.startsWith('seg-'))!;
    expect((await stat(join(dir, seg))).mode & 0o777).toBe(0o600);
  });
});
