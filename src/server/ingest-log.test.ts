import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exchange } from '../../test/helpers/records.js';
import { IngestLog, type IngestLogOptions, type LogEntry, PART_BYTES } from './ingest-log.js';

const rec = (i: number) => exchange('a', 1_775_001_600_000 + i, `prompt ${i}`, { id: `e${i}` });
const entry = (seq: number): LogEntry => ({ seq, lines: 2, dup: 0, recs: [rec(seq * 2), rec(seq * 2 + 1)], rej: [] });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distillguard-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function reopen(segmentBytes?: number, more: Partial<IngestLogOptions> = {}): Promise<{ log: IngestLog; seen: LogEntry[]; lastSeq: number }> {
  const seen: LogEntry[] = [];
  const { log, lastSeq } = await IngestLog.open({ dir, segmentBytes, ...more }, (e) => seen.push(e));
  return { log, seen, lastSeq };
}

describe('ingest log', () => {
  it('replays what was appended, in order, across segments, and group-commits concurrent appends', async () => {
    const { log } = await reopen(3000);
    for (const s of [1, 2]) await log.append(entry(s)); // one by one: the segment fills and rotates
    await Promise.all([3, 4, 5, 6].map((s) => log.append(entry(s))));
    expect(log.syncs).toBeLessThan(6); // appends queued behind a sync went out together
    await log.close();
    expect((await readdir(dir)).filter((f) => f.startsWith('seg-')).length).toBeGreaterThan(1);
    const { log: again, seen, lastSeq } = await reopen(3000);
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
    await writeFile(seg, [lines[0].replace('"version":2', '"version":3'), lines[1], ''].join('\n'));
    await expect(reopen()).rejects.toThrow(/ingest log version 3; this distillguard reads versions 1 and 2/);
  });

  it('keeps its files private to the owner', async () => {
    const { log } = await reopen();
    await log.append(entry(1));
    await log.close();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const seg = (await readdir(dir)).find((f) => f.startsWith('seg-'))!;
    expect((await stat(join(dir, seg))).mode & 0o777).toBe(0o600);
  });

  it('writes a huge batch in bounded parts, keeps segments near their size, and replays it whole', async () => {
    // 60,000 records of ~700 bytes (~42 MB of JSON): one string of it would be fine, 10x not; parts stay small.
    const big: LogEntry = { seq: 1, lines: 60_000, dup: 0, recs: Array.from({ length: 60_000 }, (_, i) => rec(i)), rej: [] };
    const { log } = await reopen(4 << 20);
    await log.append(big);
    await log.append(entry(2));
    await log.close();
    const segs = (await readdir(dir)).filter((f) => f.startsWith('seg-'));
    expect(segs.length).toBeGreaterThan(2);
    for (const f of segs) expect((await stat(join(dir, f))).size).toBeLessThan((4 << 20) + PART_BYTES + 4096);
    const { seen } = await reopen(4 << 20);
    expect(seen.map((e) => e.seq)).toEqual([1, 2]);
    expect(seen[0].recs.length).toBe(60_000);
    expect(seen[0].recs[59_999]).toStrictEqual(rec(59_999));
  });

  it('cuts a batch torn between its parts, even one that spilled into a new segment', async () => {
    const { log } = await reopen(2 << 20);
    await log.append(entry(1));
    await log.close();
    const first = (await readdir(dir)).filter((f) => f.startsWith('seg-'));
    const { log: l2 } = await reopen(2 << 20);
    await l2.append({ seq: 2, lines: 8000, dup: 0, recs: Array.from({ length: 8000 }, (_, i) => rec(i)), rej: [] });
    await l2.close();
    // Simulate the crash: drop the batch's last part (its counts) from the last segment.
    const segs = (await readdir(dir)).filter((f) => f.startsWith('seg-')).sort();
    expect(segs.length).toBeGreaterThan(first.length);
    const lastSeg = join(dir, segs[segs.length - 1]);
    const lines = (await readFile(lastSeg, 'utf8')).split('\n').filter((l) => l !== '');
    await writeFile(lastSeg, `${lines.slice(0, -1).join('\n')}\n`);
    const { log: again, seen } = await reopen(2 << 20);
    expect(seen.map((e) => e.seq)).toEqual([1]);
    await again.append(entry(2));
    await again.close();
    expect((await reopen(2 << 20)).seen.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('encrypts segments at rest (AES-256-GCM) and refuses a wrong key or an altered line', async () => {
    const key = Buffer.alloc(32, 7);
    const { log } = await reopen(undefined, { key });
    await log.append(entry(1));
    await log.append(entry(2));
    await log.close();
    const seg = join(dir, (await readdir(dir)).find((f) => f.startsWith('seg-'))!);
    const text = await readFile(seg, 'utf8');
    expect(text).not.toContain('prompt 2');
    expect(text).toContain('aes-256-gcm');
    const back = await reopen(undefined, { key });
    expect(back.seen).toStrictEqual([entry(1), entry(2)]);
    await back.log.close();
    await expect(reopen(undefined, { key: Buffer.alloc(32, 8) })).rejects.toThrow(/encrypted under another key/);
    await expect(reopen()).rejects.toThrow(/is encrypted: give the ingest log key/);
    const lines = text.split('\n');
    const swapped = [lines[0], lines[2], lines[1], ''].join('\n');
    await writeFile(seg, swapped);
    await expect(reopen(undefined, { key })).rejects.toThrow(/unreadable entry .* \(or was altered\)/);
  });

  it('deletes closed segments older than the retention, and replays from the oldest batch kept', async () => {
    let now = Date.now();
    const { log } = await reopen(600, { retentionMs: 60_000, now: () => now });
    for (const s of [1, 2, 3]) await log.append(entry(s));
    await log.close();
    const before = (await readdir(dir)).filter((f) => f.startsWith('seg-')).length;
    expect(before).toBe(3);
    now += 120_000; // two minutes later: all closed segments are out of the window
    const { log: again, seen } = await reopen(600, { retentionMs: 60_000, now: () => now });
    expect(again.expired).toBe(2);
    expect(seen.map((e) => e.seq)).toEqual([3]);
    await again.append(entry(4));
    await again.close();
  });
});
