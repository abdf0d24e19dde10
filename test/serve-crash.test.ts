// kill -9 mid-stream: the real `distillguard serve` process is killed while batches are in flight,
// restarted on the same store and ingest log, and the counts reconciled: every acknowledged record
// is counted exactly once, and a client retrying its unacknowledged batches loses and doubles nothing.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBin, runBin, startServe, type ServeProcess } from './helpers/bin.js';

const KEYS = { ingest: 'crash-test-ingest-key-0001', read: 'crash-test-read-key-000001' };
const T0 = Date.UTC(2026, 3, 1);
const PER_BATCH = 50;
const BATCHES = 80;
const WORKERS = 4;
const KILL_AFTER_ACKS = 30;
/** With checkpoints: the clients pause after this many acknowledgements until one is written. */
const CHECKPOINT_AFTER_ACKS = 10;

let dir: string;
let bin: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distillguard-crash-'));
  bin = await buildBin(join(dir, 'pkg'));
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ keys: [{ id: 'gw', key: KEYS.ingest, roles: ['ingest'] }, { id: 'ro', key: KEYS.read, roles: ['read'] }] }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Batch b: PER_BATCH exchanges with ids b-i, one second of event time per batch, 20 accounts. */
function batchBody(b: number): string {
  let s = '';
  for (let i = 0; i < PER_BATCH; i++) {
    const n = b * PER_BATCH + i;
    s += `${JSON.stringify({
      type: 'exchange',
      id: `b${b}-${i}`,
      ts: T0 + b * 1000 + i * 10,
      account_id: `acct-${n % 20}`,
      request: { max_tokens: 256, messages: [{ role: 'user', content: `item ${n}: summarize the water cycle` }] },
      response: { usage: { input_tokens: 12, output_tokens: 90 } },
    })}\n`;
  }
  return s;
}

async function post(url: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${url}/v1/records`, { method: 'POST', body, headers: { authorization: `Bearer ${KEYS.ingest}`, 'content-type': 'application/x-ndjson' } });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** Waits until serve has written a checkpoint beside its ingest log. */
async function checkpointWritten(logDir: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    if ((await readdir(logDir)).some((f) => /^ckpt-\d+\.ckpt$/.test(f))) return;
  }
  throw new Error(`no checkpoint in ${logDir} after 20 s`);
}

async function read(url: string, path: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${KEYS.read}` } });
  return (await r.json()) as Record<string, unknown>;
}

const args = (db = 'store.duckdb', extra: string[] = []): string[] => [...extra, '--db', join(dir, db), '--port', '0', '--keys', join(dir, 'keys.json'), '--max-lateness', '1', '--flush-ms', '50', '--log-level', 'warn'];

describe('serve flags', () => {
  it('refuses to start without keys, with a bad keys file or a bad webhook URL: one line, exit 2', async () => {
    const db = join(dir, 'flags.duckdb');
    const noKeys = await runBin(bin, ['serve', '--db', db]);
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toBe('distillguard: serve needs --keys FILE (or --no-auth for a local demo)\n');
    await writeFile(join(dir, 'bad-keys.json'), JSON.stringify({ keys: [{ id: 'x', key: 'short', roles: ['ingest'] }] }));
    const badKeys = await runBin(bin, ['serve', '--db', db, '--keys', join(dir, 'bad-keys.json')]);
    expect(badKeys.code).toBe(2);
    expect(badKeys.stderr).toMatch(/^distillguard: keys file .*bad-keys\.json: keys\.0\.key: a key must be at least 16 characters\n$/);
    const badHook = await runBin(bin, ['serve', '--db', db, '--no-auth', '--webhook-url', 'ftp://x', '--webhook-secret-file', join(dir, 'keys.json')]);
    expect(badHook.code).toBe(2);
    expect(badHook.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

/** Final accounts of each variant, compared once both have run. */
const finals = new Map<string, unknown>();

describe.each([
  { variant: 'replaying the whole log', db: 'store.duckdb', extra: ['--checkpoint-every', '0'] },
  // Checkpoints every second: the clients pause once until one is written, so the kill comes after it
  // (with batches in flight, as in the other variant); the restart restores it and replays the rest.
  { variant: 'from a checkpoint', db: 'ckpt.duckdb', extra: ['--checkpoint-every', '1'] },
])('serve survives kill -9, restarting $variant', ({ variant, db, extra }) => {
  it('counts every acknowledged record exactly once after a SIGKILL and restart', async () => {
    const logDir = join(dir, `${db}.ingest`);
    let srv: ServeProcess = await startServe(bin, args(db, extra));
    const acked = new Set<number>();
    const unacked = new Set<number>();
    let next = 0;
    let killed = false;
    let paused: Promise<void> | undefined;
    // Each client stops at its first failure: after the kill every client ends with one batch it
    // does not know the fate of, however many answers were already on the wire.
    const worker = async (): Promise<void> => {
      while (next < BATCHES) {
        await paused;
        const b = next++;
        try {
          const r = await post(srv.url, batchBody(b));
          if (r.status !== 200) throw new Error(`status ${r.status}`);
          expect(r.json).toMatchObject({ accepted: PER_BATCH, duplicates: 0, rejected: 0 });
          acked.add(b);
          if (variant === 'from a checkpoint' && acked.size === CHECKPOINT_AFTER_ACKS) paused = checkpointWritten(logDir);
          if (acked.size === KILL_AFTER_ACKS && !killed) {
            killed = true;
            srv.child.kill('SIGKILL'); // the other workers' batches are in flight
          }
        } catch {
          unacked.add(b); // connection reset: the client does not know whether it was kept
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect((await srv.exited).signal).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS); // answers already on the wire may still arrive
    expect(unacked.size).toBeGreaterThan(0);

    srv = await startServe(bin, args(db, extra));
    if (variant === 'from a checkpoint') expect(srv.stderr()).toMatch(/restored the checkpoint of batch \d+ and replayed \d+ batches/);
    else expect(srv.stderr()).toMatch(/; replayed \d+ batches in/);
    try {
      // Nothing acknowledged is lost: at least the acknowledged records were replayed.
      const before = (await read(srv.url, '/v1/summary')).summary as Record<string, number>;
      expect(before.accepted).toBeGreaterThanOrEqual(acked.size * PER_BATCH);
      expect(before.accepted).toBeLessThanOrEqual((acked.size + unacked.size) * PER_BATCH);
      expect(before.accepted % PER_BATCH).toBe(0); // whole batches only: a torn entry was cut, never half-applied

      // The client retries what it did not see acknowledged, then sends the rest.
      let retriedDuplicates = 0;
      for (const b of [...unacked].sort((x, y) => x - y)) {
        const r = await post(srv.url, batchBody(b));
        expect(r.status).toBe(200);
        expect((r.json.accepted as number) + (r.json.duplicates as number)).toBe(PER_BATCH);
        expect([0, PER_BATCH]).toContain(r.json.duplicates); // a batch is durable whole or not at all
        retriedDuplicates += r.json.duplicates as number;
      }
      expect(retriedDuplicates).toBe(before.accepted - acked.size * PER_BATCH);
      for (let b = 0; b < BATCHES; b++) {
        if (acked.has(b) || unacked.has(b)) continue;
        expect((await post(srv.url, batchBody(b))).json.accepted).toBe(PER_BATCH);
      }
      // One record an hour later releases the ordering buffer (bounded lateness: 1 minute).
      const last = JSON.stringify({ type: 'exchange', id: 'last', ts: T0 + 3_600_000, account_id: 'acct-0', request: { messages: [{ role: 'user', content: 'bye' }] } });
      expect((await post(srv.url, `${last}\n`)).json.accepted).toBe(1);

      const total = BATCHES * PER_BATCH + 1;
      let summary: Record<string, number> = {};
      let live: Record<string, number> = {};
      // Polls until the store has caught up; the deadline is generous for a loaded CI machine.
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
        const s = await read(srv.url, '/v1/summary');
        summary = s.summary as Record<string, number>;
        live = s.live as Record<string, number>;
        if (summary.accepted === total && live.backlog === 0 && live.consumed === total - 1) {
          const accounts = (await read(srv.url, '/v1/accounts?limit=1000')).accounts as { exchanges: number }[];
          if (accounts.reduce((n, a) => n + a.exchanges, 0) === total - 1) break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(summary.accepted).toBe(total);
      expect(summary.duplicates).toBe(retriedDuplicates);
      expect(summary.lines_read).toBe(summary.accepted + summary.rejected + summary.duplicates);
      const accounts = (await read(srv.url, '/v1/accounts?limit=1000')).accounts as { exchanges: number }[];
      expect(accounts).toHaveLength(20);
      expect(accounts.reduce((n, a) => n + a.exchanges, 0)).toBe(total - 1); // the last record waits in the ordering buffer
      finals.set(variant, accounts);
      // The same records, whatever the crash and the restart: the same results.
      if (finals.size === 2) expect(finals.get('from a checkpoint')).toStrictEqual(finals.get('replaying the whole log'));
    } finally {
      srv.child.kill('SIGTERM');
      expect((await srv.exited).code).toBe(0);
    }
  });
});
