// serve's checkpoints in process: a service checkpointed between batches, restarted from its newest
// checkpoint (or an older one when the newest is missing or damaged), ends in the state of a service
// that replayed everything; the log is compacted behind the checkpoints, and a compacted log without a
// usable checkpoint refuses to start rather than lose batches. A checkpoint taken after a policy reload
// is restored like any other.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import { buildEngineConfig } from '../config/schema.js';
import { decodeLine } from '../decode/index.js';
import { loadDefaultPolicy, parsePolicy, type LoadedPolicy } from '../act/policy-load.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { Gateway } from './gateway.js';
import { LiveService } from './live.js';
import { listCheckpoints, saveAndPrune } from './checkpoints.js';

const PER_BATCH = 400;
let tmp: string;
let lines: string[];
let policy: LoadedPolicy;
const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'distillguard-ckpt-'));
  const input = (await runSimulate({ scenario: 'tiny', scale: 0.4, seed: 5, out: join(tmp, 'sim'), days: 2 })).path;
  lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l.length > 0);
  policy = await loadDefaultPolicy();
}, 120_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Opened {
  live: LiveService;
  gateway: Gateway;
  store: Awaited<ReturnType<typeof openDuckDbStore>>;
  close: () => Promise<{ state: string; audit: number }>;
}

/** A service on `dir` (store, log, checkpoints there), with the gateway's policy stage attached as serve has it. */
async function open(dir: string, checkpoints: boolean, sliceMs?: number): Promise<Opened> {
  await mkdir(dir, { recursive: true });
  const store = await openDuckDbStore(join(dir, 'store.duckdb'));
  const gateway = await Gateway.open(store, policy);
  const live = await LiveService.open({
    cfg,
    store,
    logDir: join(dir, 'ingest'),
    flushMs: 60_000,
    sliceMs,
    segmentBytes: 200 << 10,
    attach: (e) => gateway.attach(e),
    attachedState: gateway.checkpointPart,
    // Taken by the test (live.checkpoint()) and at close, not by the timer.
    checkpoints: checkpoints ? { everyMs: 3_600_000, keep: 2 } : undefined,
  });
  await gateway.start(() => undefined, 60_000);
  return {
    live,
    gateway,
    store,
    close: async () => {
      await live.drain();
      await live.flush(true);
      const c = live.counts;
      const state = JSON.stringify({
        accounts: await store.accounts(),
        campaigns: await store.campaigns(),
        decisions: gateway.snapshot(),
        counts: { ...c, backlog: 0, backlogBytes: 0 },
        summary: { ...live.summary(), wall_time_ms: 0, events_per_second: 0 },
      });
      await live.close();
      await gateway.close();
      const audit = (await store.audit({ limit: 100_000 })).length;
      await store.close();
      return { state, audit };
    },
  };
}

async function feed(live: LiveService, from: number, to: number, taken?: (batch: number) => void): Promise<void> {
  for (let i = from; i < to; i += PER_BATCH) {
    const items = lines.slice(i, Math.min(i + PER_BATCH, to)).map((text, j) => {
      const raw = { file: 'http', line: j + 1, text, bytes: Buffer.byteLength(text) };
      return { raw, rec: decodeLine(raw, live.decodeContext) };
    });
    const receipt = await live.submit(items);
    taken?.(receipt.batch);
  }
}

describe('serve checkpoints', () => {
  it('a write removes the partial file a killed write left (ckpt-….ckpt.tmp), and keeps the newest `keep`', async () => {
    const d = await mkdtemp(join(tmpdir(), 'dg-ckpt-tmp-'));
    try {
      await writeFile(join(d, 'ckpt-0000000007.ckpt.tmp'), 'half a checkpoint');
      await writeFile(join(d, 'notes.tmp'), 'not ours');
      for (const seq of [3, 9, 12]) await saveAndPrune(d, seq, Buffer.from(`state ${seq}`), 2, () => Promise.resolve(undefined));
      expect((await readdir(d)).sort()).toEqual(['ckpt-0000000009.ckpt', 'ckpt-0000000012.ckpt', 'notes.tmp']);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });

  it('restarts from the newest checkpoint (or the one before a damaged one) into the state of a full replay, and compacts the log', async () => {
    const third = Math.floor(lines.length / 3 / PER_BATCH) * PER_BATCH;
    const ref = await open(join(tmp, 'ref'), false);
    await feed(ref.live, 0, lines.length);
    const expected = await ref.close();
    const flagged = (JSON.parse(expected.state) as { accounts: { verdict: string }[] }).accounts.filter((x) => x.verdict === 'distillation');
    expect(flagged.length).toBeGreaterThan(3); // something to restore

    const dir = join(tmp, 'ckpt');
    // Short slices: the checkpoint's copy of the engine is cut into many turns of the event loop.
    const a = await open(dir, true, 0.05);
    await feed(a.live, 0, third);
    await a.live.checkpoint();
    const segmentsBefore = (await readdir(join(dir, 'ingest'))).filter((f) => f.startsWith('seg-')).length;
    await feed(a.live, third, 2 * third);
    // No batch in flight: the cut is taken at once, the engine is copied behind it, a slice at a
    // time, while batches go on being taken (they are not in this checkpoint).
    const second = a.live.checkpoint();
    expect(a.live.checkpointCopying).toBe(true);
    let next = 0;
    await feed(a.live, 2 * third, 2 * third + PER_BATCH, (n) => (next = n));
    await second;
    expect(a.live.lastCheckpoint!.seq).toBe(next - 1);
    expect(a.live.lastCheckpoint!.slices).toBeGreaterThan(1);
    // Mid-batch: a checkpoint wanted while batches are in flight waits for them to be durable (its cut).
    const inflight = feed(a.live, 2 * third + PER_BATCH, lines.length);
    await a.live.checkpoint();
    await inflight;
    expect(a.live.lastCheckpoint?.compacted).toBeGreaterThan(0);
    const segmentsAfter = (await readdir(join(dir, 'ingest'))).filter((f) => f.startsWith('seg-')).length;
    expect(segmentsAfter).toBeLessThan(segmentsBefore + 10);
    expect((await listCheckpoints(join(dir, 'ingest'))).length).toBe(2);
    const first = await a.close(); // a clean stop checkpoints the end
    expect(first.state).toBe(expected.state);

    // Restart from the clean stop's checkpoint: nothing to replay.
    const b = await open(dir, true);
    expect(b.live.restoredFrom?.seq).toBe(b.live.replayedBatches);
    const again = await b.close();
    expect(again.state).toBe(expected.state);
    expect(again.audit).toBe(expected.audit);

    // The newest damaged: the one before it, and the batches after it replayed.
    const [newest, older] = await listCheckpoints(join(dir, 'ingest'));
    const bytes = await readFile(newest.path);
    bytes[bytes.length - 50] ^= 0xff;
    await writeFile(newest.path, bytes);
    const c = await open(dir, true);
    expect(c.live.checkpointNotes.join('\n')).toMatch(/does not match its checksum/);
    expect(c.live.restoredFrom?.seq).toBe(older.seq);
    expect(c.live.replayedBatches).toBeGreaterThan(older.seq);
    const fromOlder = await c.close();
    expect(fromOlder.state).toBe(expected.state);
    expect(fromOlder.audit).toBe(expected.audit);

    // Every checkpoint gone from a compacted log: refuse, naming why.
    for (const f of await listCheckpoints(join(dir, 'ingest'))) await rm(f.path);
    const store = await openDuckDbStore(join(dir, 'store.duckdb'));
    try {
      await expect(LiveService.open({ cfg, store, logDir: join(dir, 'ingest'), checkpoints: { everyMs: 60_000, keep: 2 } })).rejects.toThrow(/compacted through batch \d+/);
    } finally {
      await store.close();
    }
  }, 240_000);

  it('a checkpoint taken after a policy reload (to a policy without the first one\'s optional fields) is restored, not skipped for a replay of the whole log', async () => {
    const dir = join(tmp, 'reload');
    const half = Math.floor(lines.length / 2 / PER_BATCH) * PER_BATCH;
    const a = await open(dir, true);
    await feed(a.live, 0, half);
    const strict = parsePolicy('version: 1\nname: strict\nrevision: 2\nrules:\n  - id: block\n    when: { verdict: [distillation] }\n    action: block\n', 'test');
    const v = await a.live.whileStill(() => a.gateway.reload(strict, 'alice'));
    await feed(a.live, half, lines.length);
    await a.live.checkpoint();
    const before = await a.close();
    const b = await open(dir, true);
    expect(b.live.checkpointNotes).toEqual([]);
    expect(b.live.restoredFrom).toBeDefined();
    expect(b.gateway.current.version).toEqual(v);
    const after = await b.close();
    expect(after.state).toBe(before.state);
    expect(after.audit).toBe(before.audit);
  }, 120_000);

  it('a split or merge made before a checkpoint is in it: a restart does not apply it again', async () => {
    const dir = join(tmp, 'regroup');
    const half = Math.floor(lines.length / 2 / PER_BATCH) * PER_BATCH;
    const a = await open(dir, true);
    await feed(a.live, 0, half);
    await a.live.drain();
    await a.live.flush(true);
    const [c] = (await a.store.campaigns()).sort((x, y) => y.accounts.length - x.accounts.length);
    expect(c.accounts.length, 'a campaign to split').toBeGreaterThanOrEqual(4);
    // A store that fails to record the split: refused, and the engine keeps the campaign whole (it is
    // applied only once stored, so engine and store never disagree about it).
    const decisions = a.store.decisions;
    const record = decisions.record.bind(decisions);
    decisions.record = () => Promise.reject(new Error('disk full'));
    await expect(a.live.regroup({ split: c.campaign_id, accounts: c.accounts.slice(0, 2) }, 'carol', '')).rejects.toThrow('disk full');
    decisions.record = record;
    const campaignOf = (id: string): string | undefined => a.live.engine.judge.campaignOf(a.live.engine.observer.accounts.get(id)!)?.id;
    expect(c.accounts.map(campaignOf)).toEqual(c.accounts.map(() => c.campaign_id));
    await a.live.regroup({ split: c.campaign_id, accounts: c.accounts.slice(0, 2) }, 'carol', '');
    expect(c.accounts.filter((id) => campaignOf(id) === c.campaign_id).length).toBeLessThan(c.accounts.length);
    // The engine's clock moves past the decision before the checkpoint.
    await feed(a.live, half, lines.length);
    await a.live.checkpoint();
    const before = await a.close();
    const b = await open(dir, true);
    expect(b.live.restoredFrom, b.live.checkpointNotes.join('\n')).toBeDefined();
    const after = await b.close();
    expect(after.state).toBe(before.state);
  }, 120_000);
});
