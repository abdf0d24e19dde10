// The judge's checkpoints (src/cluster/judge.ts): written with the stream sequence they cover, and at a
// start the newest one of the folder that reads back, restored into a fresh state with the gateway's
// policy stage attached, else a fresh state. No NATS, no store: the runner opens the gateway and hands
// it here; tests call these on real checkpoint files.
//
// Each attempt builds its own JudgeState, and building one attaches the gateway to its engine, which
// starts the gateway over (Gateway.attach): an attempt that failed after the state was read into it
// in place (a later object of the graph refused, the meta wrong) leaves nothing to the next attempt,
// and the fresh start after failed attempts is the start of a judge that never had a checkpoint.
import type { EngineConfig } from '../config/schema.js';
import { CheckpointError, encodeCheckpoint, loadCheckpoint, readCheckpointHeader } from '../engine/checkpoint.js';
import { restoreNewest, saveAndPrune, type CheckpointFile } from '../server/checkpoints.js';
import type { Gateway } from '../server/gateway.js';
import { JudgeState } from './judge-state.js';

/** What a judge checkpoint's meta holds besides the state. */
export interface JudgeCheckpointMeta {
  streamSeq: number;
  writtenAt: string;
}

export interface JudgeRestoreOptions {
  cfg: EngineConfig;
  /** Folder of the judge's checkpoints. */
  dir: string;
  /** The policy stage after the engine, attached to every state built here. */
  gateway: Gateway;
  /** Publish-time ms after which a silent partition stops holding the others back. */
  idleMs?: number;
}

export interface JudgeRestored {
  state: JudgeState;
  /** The checkpoint restored; undefined: a fresh state (the stream is read from its first message). */
  from: CheckpointFile | undefined;
  /** Why newer checkpoints were skipped, one line each. */
  skipped: string[];
}

/** A fresh judge state with the gateway attached (and started over with it). */
export function freshJudgeState(o: JudgeRestoreOptions): JudgeState {
  const { gateway } = o;
  return new JudgeState(o.cfg, { idleMs: o.idleMs, attach: (e) => gateway.attach(e), attachedState: gateway.checkpointPart });
}

/** The state of the newest usable checkpoint in `o.dir`, else a fresh one (built last, so the gateway is attached to it). */
export async function restoreJudgeState(o: JudgeRestoreOptions): Promise<JudgeRestored> {
  const r = await restoreNewest(o.dir, async (f) => {
    const head = await readCheckpointHeader(f.path);
    const meta = head.meta as unknown as JudgeCheckpointMeta;
    if (meta.streamSeq !== f.seq) throw new CheckpointError(`${f.path}: its meta does not name stream sequence ${f.seq}`);
    const s = freshJudgeState(o);
    await loadCheckpoint(f.path, s.checkpointRoot(), s.checkpointSpec());
    s.restored();
    return s;
  });
  return { state: r.result ?? freshJudgeState(o), from: r.from, skipped: r.skipped };
}

/** Writes a checkpoint of `state` (named by its stream sequence) and keeps the newest `keep`. */
export async function saveJudgeCheckpoint(dir: string, state: JudgeState, keep: number): Promise<{ seq: number; bytes: number; encodeMs: number }> {
  const seq = state.streamSeq;
  const meta: JudgeCheckpointMeta = { streamSeq: seq, writtenAt: new Date().toISOString() };
  const t0 = performance.now();
  const bytes = encodeCheckpoint(state.checkpointRoot(), state.checkpointSpec(), meta as unknown as Record<string, unknown>);
  const encodeMs = performance.now() - t0;
  await saveAndPrune(dir, seq, bytes, keep, () => Promise.resolve(undefined));
  return { seq, bytes: bytes.length, encodeMs };
}
