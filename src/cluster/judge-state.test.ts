// The judge's state fed record-stream messages directly (no NATS): partitions merged on the minimum of
// their watermarks give a scan's results; a silent partition stops holding the others back after its
// idle time (in publish time) and what it sends after that is late; a message at or below the applied
// sequence changes nothing; a checkpoint restored mid-stream ends where the uninterrupted run ends.
// The judge's start with the gateway's policy stage (./judge-restore.ts) on real checkpoint files: one
// that fails after the gateway's part was read leaves nothing to the older one or to the fresh start,
// and one taken after a policy reload is restored.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import type { CanonicalRecord } from '../core/records.js';
import { decodeLine, isRejection } from '../decode/index.js';
import { build as buildDecode } from '../decode/config.js';
import { encodeCheckpoint, loadCheckpoint, saveCheckpoint } from '../engine/checkpoint.js';
import { Engine } from '../engine/engine.js';
import { collectResults } from '../engine/results.js';
import { emptyBatch, Ingestor } from '../order/pipeline.js';
import { runSimulate } from '../sim/index.js';
import { readLines } from '../sources/file.js';
import { byPartition, type StreamItem } from './record-stream.js';
import { JudgeState } from './judge-state.js';
import { restoreJudgeState, saveJudgeCheckpoint } from './judge-restore.js';
import { Gateway } from '../server/gateway.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { loadDefaultPolicy, parsePolicy, withSuppression } from '../act/policy-load.js';
import type { ActionLine } from '../act/action-out.js';
import type { Store } from '../store/store.js';
import { STRICT_POLICY } from '../../test/helpers/strict-policy.js';

const cfg = buildEngineConfig({ emailKey: 'judge-state-test-key-0123456789' });
const MIN = 60_000;

interface Msg {
  seq: number;
  partition: number;
  published: number;
  item: StreamItem;
}

let records: CanonicalRecord[] = [];
let scanResults = '';
let messages: Msg[] = [];
/** The judge fed every message, once (the first test). */
let whole: JudgeState;

/** A scan of the records: one stream through the order stage, the engine, then finish. */
function scan(recs: CanonicalRecord[]): string {
  const engine = new Engine(cfg);
  const ingestor = new Ingestor({ emailKey: Buffer.from(emailKeyOf(cfg)), maxLatenessMs: cfg.maxLatenessMs });
  const out = emptyBatch();
  recs.forEach((r, i) => ingestor.admit(r, { file: 'x', line: i + 1, text: '', bytes: 0 }, out));
  ingestor.flush(out);
  for (const r of out.records) engine.push(r);
  engine.finish();
  return JSON.stringify(collectResults(engine, emailKeyOf(cfg)));
}

/** serve --cluster's messages for the records: batches of 300 in arrival order, split by partition, then a watermark on each. */
function publish(recs: CanonicalRecord[], partitions: number): Msg[] {
  const out: Msg[] = [];
  let published = Date.UTC(2026, 0, 1);
  for (let b = 0; b < recs.length; b += 300) {
    for (const [p, part] of byPartition(recs.slice(b, b + 300), b, partitions)) out.push({ seq: out.length + 1, partition: p, published: published++, item: { kind: 'records', recs: part.recs, order: part.order, partitions } });
  }
  const end = recs[recs.length - 1].ts + 24 * 60 * MIN;
  for (let p = 0; p < partitions; p++) out.push({ seq: out.length + 1, partition: p, published: published++, item: { kind: 'watermark', ts: end, partitions } });
  return out;
}

const results = (s: JudgeState): string => JSON.stringify(collectResults(s.engine, emailKeyOf(cfg)));
/** Records through JSON, as they cross the stream. */
const wire = (recs: CanonicalRecord[]): CanonicalRecord[] => JSON.parse(JSON.stringify(recs)) as CanonicalRecord[];

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dg-judge-state-'));
  try {
    const sim = await runSimulate({ scenario: 'tiny', scale: 0.2, seed: 3, days: 1, out: dir });
    const ctx = buildDecode({ emailKey: emailKeyOf(cfg) });
    for await (const batch of readLines(sim.path)) {
      for (const raw of batch) {
        const r = decodeLine(raw, ctx);
        if (!isRejection(r)) records.push(r);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  records = wire(records);
  scanResults = scan(records);
  messages = publish(records, 3);
}, 60_000);

describe('the judge state', () => {
  it('three partitions merged on the minimum of their watermarks give the results of a scan of the same records', () => {
    expect(new Set(records.map((r) => r.ts)).size, 'the input has records with equal ts across accounts (the ties the ordinals break)').toBeLessThan(records.length);
    const s = (whole = new JudgeState(cfg));
    for (const m of messages) expect(s.apply(m.seq, m.partition, m.published, m.item)).toBe(true);
    expect(s.counts).toMatchObject({ received: records.length, accepted: records.length, consumed: records.length, late: 0, duplicates: 0 });
    expect(JSON.parse(scanResults).campaigns.length).toBeGreaterThan(0);
    expect(results(s) === scanResults, 'the judge’s results differ from the scan’s').toBe(true);
  });

  it('a silent partition holds event time back until its idle time (publish time) has passed; then what it sends behind the release point is late', () => {
    const idleMs = 5 * MIN;
    const s = new JudgeState(cfg, { idleMs });
    const t0 = Date.UTC(2026, 3, 1);
    const ex = (id: string, account: string, ts: number): CanonicalRecord => ({ ...records.find((r) => r.kind === 'exchange')!, id, accountId: account, ts });
    const quiet = records.find((r) => r.kind === 'exchange')!;
    const at = (wall: number, p: number, recs: CanonicalRecord[]): StreamItem => ({ kind: 'records', recs, order: recs.map((_, i) => wall * 10 + i), partitions: 2 });
    // Partition 0 runs 30 minutes of event time ahead; partition 1 has said nothing yet: nothing is released.
    s.apply(1, 0, t0, at(1, 0, [ex('a', 'acct-a', t0), ex('b', 'acct-a', t0 + 30 * MIN)]));
    expect(s.counts.consumed).toBe(0);
    expect(s.buffered).toBe(2);
    // Partition 1 speaks: the release point is the lower of the two (its newest − max lateness).
    s.apply(2, 1, t0 + 1000, at(2, 1, [ex('c', 'acct-b', t0 + 12 * MIN)]));
    expect(s.releasedThrough).toBe(t0 + 12 * MIN - cfg.maxLatenessMs);
    expect(s.counts.consumed).toBe(1);
    // Partition 1 falls silent. Within its idle time it still holds partition 0 back ...
    s.apply(3, 0, t0 + 1000 + idleMs, at(3, 0, [ex('d', 'acct-a', t0 + 40 * MIN)]));
    expect(s.releasedThrough).toBe(t0 + 2 * MIN);
    // ... past it (by publish time), partition 0 alone moves event time.
    s.apply(4, 0, t0 + 1001 + idleMs, at(4, 0, [ex('e', 'acct-a', t0 + 41 * MIN)]));
    expect(s.releasedThrough).toBe(t0 + 31 * MIN);
    expect(s.counts.consumed).toBe(3);
    // Partition 1 comes back with a record behind the release point: late, counted, not judged.
    s.apply(5, 1, t0 + 2000 + idleMs, at(5, 1, [ex('f', 'acct-b', t0 + 20 * MIN), ex('g', 'acct-b', t0 + 45 * MIN)]));
    expect(s.counts.late).toBe(1);
    // Applying a message again (a restart re-reading past its checkpoint) changes nothing.
    const before = JSON.stringify(s.counts);
    expect(s.apply(5, 1, t0 + 2000 + idleMs, at(5, 1, [quiet]))).toBe(false);
    expect(s.apply(2, 1, t0 + 1000, at(2, 1, [quiet]))).toBe(false);
    expect(JSON.stringify(s.counts)).toBe(before);
  });

  it('records of equal ts from different partitions reach the engine in serve\'s arrival order (the ordinals), not in the order of their messages', () => {
    const s = new JudgeState(cfg);
    const t0 = Date.UTC(2026, 3, 1);
    const ex = (id: string, ts: number): CanonicalRecord => ({ ...records.find((r) => r.kind === 'exchange')!, id, accountId: `acct-${id}`, ts });
    // Arrival at serve: a, b, c, d (all at t0); a and c went to partition 0, b and d to partition 1.
    s.apply(1, 0, t0, { kind: 'records', recs: [ex('a', t0), ex('c', t0)], order: [0, 2], partitions: 2 });
    s.apply(2, 1, t0, { kind: 'records', recs: [ex('b', t0), ex('d', t0)], order: [1, 3], partitions: 2 });
    for (const p of [0, 1]) s.apply(3 + p, p, t0, { kind: 'watermark', ts: t0 + 60 * MIN, partitions: 2 });
    expect(s.engine.observer.list.map((a) => a.id)).toEqual(['acct-a', 'acct-b', 'acct-c', 'acct-d']);
  });

  it('checkpointed mid-stream and restored into a fresh state, then fed from a few messages before its sequence: the results of the uninterrupted run, every record once', () => {
    const cut = Math.floor(messages.length * 0.6);
    const first = new JudgeState(cfg);
    for (const m of messages.slice(0, cut)) first.apply(m.seq, m.partition, m.published, m.item);
    const bytes = encodeCheckpoint(first.checkpointRoot(), first.checkpointSpec(), { streamSeq: first.streamSeq });
    return (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dg-judge-ckpt-'));
      try {
        const path = join(dir, 'c.ckpt');
        await saveCheckpoint(path, bytes);
        const resumed = new JudgeState(cfg);
        expect(await loadCheckpoint(path, resumed.checkpointRoot(), resumed.checkpointSpec())).toEqual({ streamSeq: messages[cut - 1].seq });
        resumed.restored();
        expect(resumed.streamSeq).toBe(messages[cut - 1].seq);
        // A durable consumer re-delivering from before the checkpoint: those messages are skipped.
        for (const m of messages.slice(cut - 5)) resumed.apply(m.seq, m.partition, m.published, { ...m.item, ...(m.item.kind === 'records' ? { recs: wire(m.item.recs) } : {}) });
        expect(resumed.counts).toEqual(whole.counts);
        expect(results(resumed) === scanResults).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    })();
  }, 60_000);
});

/** A policy whose rules lack the default's optional fields (description, mark, when.analyst). */
const STRICT = parsePolicy(STRICT_POLICY, 'test');

describe('the judge start with the gateway attached (judge-restore.ts)', () => {
  const feed = (s: JudgeState, from: number, to: number): void => {
    for (const m of messages.slice(from, to)) s.apply(m.seq, m.partition, m.published, m.item);
  };
  /** Runs `body` with a DuckDB store (the gateway's audit) and a checkpoint folder. */
  const withStore = async (body: (store: Store, dir: string) => Promise<void>): Promise<void> => {
    const tmp = await mkdtemp(join(tmpdir(), 'dg-judge-restore-'));
    const store = await openDuckDbStore(join(tmp, 'store.duckdb'));
    try {
      await mkdir(join(tmp, 'ckpt'));
      await body(store, join(tmp, 'ckpt'));
    } finally {
      await store.close();
      await rm(tmp, { recursive: true, force: true });
    }
  };
  /** The records the gateway has counted: the position a reload now is audited at (it writes the audit: call last). */
  const gatewayConsumed = async (g: Gateway): Promise<number> => (await g.reload(STRICT, 'probe')).position;

  it('a checkpoint that fails after the gateway part was read is skipped for the older one, and with none usable the judge starts clean: its gateway counts from 0, as one that never had a checkpoint', async () => {
    const policy = await loadDefaultPolicy();
    await withStore(async (store, dir) => {
      // The uninterrupted run: what a clean start must reach.
      const ref = await Gateway.open(store, policy);
      const whole = (await restoreJudgeState({ cfg, dir, gateway: ref })).state;
      feed(whole, 0, messages.length);
      const wanted = { decisions: ref.snapshot(), consumed: whole.counts.consumed };
      expect(wanted.decisions.length, 'the policy acted on some accounts').toBeGreaterThan(0);

      const g = await Gateway.open(store, policy);
      const first = await restoreJudgeState({ cfg, dir, gateway: g });
      expect(first.from).toBeUndefined();
      const s = first.state;
      const cut = Math.floor(messages.length * 0.5);
      feed(s, 0, cut);
      const older = await saveJudgeCheckpoint(dir, s, 2);
      const atOlder = { counts: JSON.stringify(s.counts), decisions: g.snapshot() };
      feed(s, cut, Math.floor(messages.length * 0.8));
      expect(s.counts.consumed).toBeGreaterThan(0);
      // The newest as another build would write it: the engine (read after the gateway) lacks a field.
      const engine = s.engine as unknown as Record<string, unknown>;
      delete engine[Object.keys(engine).find((k) => typeof engine[k] !== 'function')!];
      const newest = await saveJudgeCheckpoint(dir, s, 2);

      const g2 = await Gateway.open(store, policy);
      const second = await restoreJudgeState({ cfg, dir, gateway: g2 });
      expect(second.skipped.join('\n')).toMatch(new RegExp(`ckpt-0*${newest.seq}\\.ckpt: .*this build has the field and the state does not`));
      expect(second.from?.seq).toBe(older.seq);
      expect(JSON.stringify(second.state.counts)).toBe(atOlder.counts);
      expect(g2.snapshot()).toEqual(atOlder.decisions);
      feed(second.state, cut, messages.length);
      expect(g2.snapshot()).toEqual(wanted.decisions);

      // Only the failing one left: a fresh start, the gateway as if no attempt had filled it.
      await rm(join(dir, (await readdir(dir)).find((f) => f.includes(String(older.seq).padStart(10, '0')))!));
      const g3 = await Gateway.open(store, policy);
      const third = await restoreJudgeState({ cfg, dir, gateway: g3 });
      expect(third.from).toBeUndefined();
      expect(third.skipped).toHaveLength(1);
      expect(third.state.streamSeq).toBe(0);
      expect(g3.snapshot()).toEqual([]);
      feed(third.state, 0, messages.length);
      expect(g3.snapshot()).toEqual(wanted.decisions);
      expect(await gatewayConsumed(g2)).toBe(wanted.consumed);
      expect(await gatewayConsumed(g3)).toBe(wanted.consumed);
      for (const x of [ref, g, g2, g3]) await x.close();
    });
  }, 60_000);

  it('a checkpoint taken after a policy reload (to a policy without the first one\'s optional fields) is restored, with the version and decisions it held', async () => {
    const policy = await loadDefaultPolicy();
    await withStore(async (store, dir) => {
      const g = await Gateway.open(store, policy);
      const s = (await restoreJudgeState({ cfg, dir, gateway: g })).state;
      await g.start(() => undefined, 60_000); // the startup policy recorded at position 0
      const cut = Math.floor(messages.length * 0.5);
      feed(s, 0, cut);
      const reloaded = await g.reload(STRICT, 'alice');
      feed(s, cut, Math.floor(messages.length * 0.8));
      const saved = await saveJudgeCheckpoint(dir, s, 2);
      const held = { version: g.current.version, decisions: g.snapshot(), counts: JSON.stringify(s.counts) };
      expect(held.version).toEqual(reloaded);
      await g.close();

      // A restart: the audit now holds two versions, the second at its position.
      const g2 = await Gateway.open(store, policy);
      expect(g2.current.version).toMatchObject({ name: 'default', position: 0 }); // the first recorded, in force from the start
      const r = await restoreJudgeState({ cfg, dir, gateway: g2 });
      expect(r.skipped).toEqual([]);
      expect(r.from?.seq).toBe(saved.seq);
      expect(g2.current.version).toEqual(held.version);
      expect(g2.current.policy).toEqual(STRICT.policy);
      expect(g2.snapshot()).toEqual(held.decisions);
      expect(JSON.stringify(r.state.counts)).toBe(held.counts);
      await g2.close();
    });
  }, 60_000);

  it('policy versions read from the record stream are applied by the stream on a replay, not also from the audit: a judge restored from before them makes the changes of the uninterrupted run', async () => {
    const policy = await loadDefaultPolicy();
    await withStore(async (store, dir) => {
      const g = await Gateway.open(store, policy);
      const s = (await restoreJudgeState({ cfg, dir, gateway: g })).state;
      await g.start(() => undefined, 60_000);
      const at = Math.floor(messages.length * 0.6);
      feed(s, 0, at - 5);
      const saved = await saveJudgeCheckpoint(dir, s, 2);
      const after: ActionLine[] = [];
      g.subscribe(undefined, (_seq, line) => after.push(line));
      feed(s, at - 5, at);
      // Two changes read from the stream one after the other (one position): a stricter policy, then a
      // suppression of an account it blocks.
      await g.reload(STRICT, 'alice', 1_000_001);
      const blocked = g.snapshot().find((d) => d.action === 'block');
      expect(blocked, 'the stricter policy blocks someone').toBeDefined();
      const suppressed = withSuppression(STRICT, { account_id: blocked!.account_id, rule: 'distillation-block', until: '2030-01-01T00:00:00Z', by: 'alice', note: 'a lab under contract' });
      await g.reload(suppressed, 'alice', 1_000_002);
      feed(s, at, messages.length);
      await g.close();

      // Restarted from the checkpoint before them: the stream brings both again at the same place.
      const g2 = await Gateway.open(store, policy);
      const r = await restoreJudgeState({ cfg, dir, gateway: g2 });
      expect(r.from?.seq).toBe(saved.seq);
      const again: ActionLine[] = [];
      g2.subscribe(undefined, (_seq, line) => again.push(line));
      feed(r.state, at - 5, at);
      await g2.reload(STRICT, 'alice', 1_000_001);
      await g2.reload(suppressed, 'alice', 1_000_002);
      feed(r.state, at, messages.length);
      expect(again).toEqual(after);
      expect(g2.snapshot()).toEqual(g.snapshot());
      await g2.close();
    });
  }, 60_000);
});
