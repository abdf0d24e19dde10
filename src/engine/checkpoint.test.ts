// Checkpoints: a run cut anywhere, checkpointed, restored into a fresh engine and fed the rest gives
// byte-identical outputs to one uninterrupted run (accounts, campaigns, daily, evidence, links,
// actions, marks, dedupe and ordering); a checkpoint of another configuration, build or key, or a
// damaged file, is refused with a clear error.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { deserialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngineConfig, type EngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import type { CanonicalRecord } from '../core/records.js';
import { joinKinds } from '../core/state-graph.js';
import { Ingestor, emptyBatch } from '../order/pipeline.js';
import { readLines } from '../sources/file.js';
import type { RawLine } from '../sources/file.js';
import { build as buildAct } from '../act/config.js';
import { ACT_KINDS } from '../act/state-kinds.js';
import { actionLine, markLine } from '../act/action-out.js';
import { loadDefaultPolicy, type LoadedPolicy } from '../act/policy-load.js';
import { runSimulate } from '../sim/index.js';
import { Engine } from './engine.js';
import { collectResults } from './results.js';
import { ENGINE_KINDS } from './state-kinds.js';
import { CheckpointError, encodeCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointSpec } from './checkpoint.js';

const KINDS = joinKinds(ENGINE_KINDS, ACT_KINDS);

/** The scan pipeline in memory: order → engine → act, its outputs as one string. */
class Pipeline {
  readonly engine: Engine;
  readonly ingestor: Ingestor;
  readonly act;
  actions: string[] = [];

  constructor(
    readonly cfg: EngineConfig,
    readonly policy: LoadedPolicy,
  ) {
    this.engine = new Engine(cfg);
    this.act = buildAct(policy.policy, this.engine);
    this.act.onAction((c) => this.actions.push(JSON.stringify(actionLine(c, policy.policy))));
    this.ingestor = new Ingestor({ maxLatenessMs: cfg.maxLatenessMs, maxLineBytes: cfg.maxLineBytes, emailKey: Buffer.from(emailKeyOf(cfg)) });
  }

  feed(lines: readonly RawLine[]): void {
    for (const raw of lines) {
      const out = emptyBatch();
      this.ingestor.push(raw, out);
      this.consume(out.records);
    }
  }

  private consume(recs: readonly CanonicalRecord[]): void {
    for (const r of recs) {
      this.engine.push(r);
      this.act.push(r);
    }
  }

  outputs(): string {
    const out = emptyBatch();
    this.ingestor.flush(out);
    this.consume(out.records);
    this.engine.finish();
    const r = collectResults(this.engine, emailKeyOf(this.cfg));
    return JSON.stringify({ ...r, actions: this.actions, marks: this.act.marks.map(markLine), counts: this.ingestor.counts() });
  }

  /** What a checkpoint holds: every stage, and the outputs already written (the actions). */
  root(): object {
    return { ingestor: this.ingestor, engine: this.engine, act: this.act, actions: this.actions };
  }
}

/** The state graph of a checkpoint's bytes (unencrypted), as written. */
function stateOf(bytes: Buffer): unknown {
  return deserialize(bytes.subarray(bytes.indexOf(0x0a) + 1));
}

let dir: string;
let lines: RawLine[];
let cfg: EngineConfig;
let policy: LoadedPolicy;
let full: string;
const spec = (): CheckpointSpec => ({ kinds: KINDS, config: cfg, wiring: [cfg] });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dg-ckpt-'));
  const sim = await runSimulate({ scenario: 'tiny', scale: 0.5, seed: 7, days: 2, out: join(dir, 'traffic') });
  lines = [];
  for await (const batch of readLines(sim.path)) lines.push(...batch.map((l) => ({ ...l })));
  cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
  policy = await loadDefaultPolicy();
  const p = new Pipeline(cfg, policy);
  p.feed(lines);
  full = p.outputs();
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('engine checkpoints', () => {
  it('the uninterrupted run has something to compare (campaigns, flags, actions)', () => {
    const o = JSON.parse(full) as { campaigns: unknown[]; accounts: { verdict: string }[]; actions: unknown[] };
    expect(o.campaigns.length).toBeGreaterThan(0);
    expect(o.accounts.filter((a) => a.verdict === 'distillation').length).toBeGreaterThan(5);
    expect(o.actions.length).toBeGreaterThan(0);
  });

  it('cut at two points, checkpointed to a file and restored into a fresh pipeline: outputs byte-identical, and the writer is unaffected', async () => {
    for (const frac of [0.3, 0.8]) {
      const cut = Math.floor(lines.length * frac);
      const before = new Pipeline(cfg, policy);
      before.feed(lines.slice(0, cut));
      const path = join(dir, `cut-${cut}.ckpt`);
      const bytes = encodeCheckpoint(before.root(), spec(), { cut });
      await saveCheckpoint(path, bytes);
      const after = new Pipeline(cfg, policy);
      const meta = await loadCheckpoint(path, after.root(), spec());
      expect(meta).toEqual({ cut });
      after.feed(lines.slice(cut));
      expect(after.outputs() === full, `outputs after a restore at line ${cut} differ from the uninterrupted run`).toBe(true);
      // No state shared between the two: the writer goes on to the same end (checked on the short tail).
      if (frac > 0.5) {
        before.feed(lines.slice(cut));
        expect(before.outputs() === full).toBe(true);
      }
    }
  }, 240_000);

  it('refuses another configuration, a damaged or torn file, another version, and a wrong or missing key', async () => {
    const p = new Pipeline(cfg, policy);
    p.feed(lines.slice(0, 2000));
    const path = join(dir, 'refuse.ckpt');
    const bytes = encodeCheckpoint(p.root(), spec(), { seq: 3 });
    await saveCheckpoint(path, bytes);
    const other = buildEngineConfig({ emailKey: 'test-email-key-0123456789', judgeIntervalMs: 30 * 60_000 });
    // Every refusal comes before the state is read: one fresh pipeline serves them all.
    const fresh = new Pipeline(cfg, policy).root();
    await expect(loadCheckpoint(path, fresh, { kinds: KINDS, config: other, wiring: [other] })).rejects.toThrow(/another engine configuration/);
    await expect(loadCheckpoint(path, fresh, { ...spec(), kinds: ENGINE_KINDS })).rejects.toThrow(/other classes/);

    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 100] ^= 1;
    await writeFile(path, flipped);
    await expect(loadCheckpoint(path, fresh, spec())).rejects.toThrow(/checksum; the file is corrupt/);
    await writeFile(path, bytes.subarray(0, bytes.length - 10));
    await expect(loadCheckpoint(path, fresh, spec())).rejects.toThrow(/torn/);
    await writeFile(path, Buffer.from(bytes.toString('latin1').replace('"version":1', '"version":9'), 'latin1'));
    await expect(loadCheckpoint(path, fresh, spec())).rejects.toThrow(/checkpoint version 9; this distillguard reads version 1/);
    await writeFile(path, 'hello\n');
    await expect(loadCheckpoint(path, fresh, spec())).rejects.toThrow(CheckpointError);

    const key = Buffer.alloc(32, 7);
    await saveCheckpoint(path, encodeCheckpoint(p.root(), { ...spec(), key }, {}));
    expect((await readFile(path)).includes(Buffer.from('acct'))).toBe(false);
    await expect(loadCheckpoint(path, fresh, spec())).rejects.toThrow(/encrypted: give the ingest log key/);
    await expect(loadCheckpoint(path, fresh, { ...spec(), key: Buffer.alloc(32, 8) })).rejects.toThrow(/another key/);
    const r = new Pipeline(cfg, policy);
    await loadCheckpoint(path, r.root(), { ...spec(), key });
    // The restored state is the written one: written again, the same graph (numbers may change representation, so not the same bytes).
    expect(isDeepStrictEqual(stateOf(encodeCheckpoint(r.root(), spec(), {})), stateOf(bytes))).toBe(true);
  }, 240_000);
});
