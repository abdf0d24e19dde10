// serve's checkpoints: every `everyMs` (and at a clean shutdown) the service's whole state — order
// stage, engine, the gateway's policy stage, the counters and idempotency keys the log would rebuild —
// is written beside the ingest log with the log position it covers (src/engine/checkpoint.ts). A
// restart restores the newest one that reads back and replays only the batches after it; then the log
// is compacted: segments wholly before the oldest checkpoint kept are deleted, so the log and the
// restart time stop growing with history.
//
//   DIR/ckpt-0000001234.ckpt   the state after batch 1234 (newest `keep` kept)
//
// A checkpoint that cannot be restored (torn, altered, another configuration or build) is skipped,
// saying why, for the next older one; with none usable the whole log is replayed — unless it was
// compacted, when the start refuses (src/server/ingest-log.ts) rather than lose the batches only a
// checkpoint held.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogPosition } from './ingest-log.js';
import { saveCheckpoint } from '../engine/checkpoint.js';

const NAME = /^ckpt-(\d{10})\.ckpt$/;
/** A checkpoint being written (saveCheckpoint writes beside, then renames); one left by a killed writer is stale. */
const PARTIAL = /^ckpt-\d{10}\.ckpt\.tmp$/;

export interface CheckpointSettings {
  /** Wall ms between checkpoints (taken only when batches arrived since the last). */
  everyMs: number;
  /** Checkpoints kept; the log is compacted up to the oldest of them. */
  keep: number;
}

export const DEFAULT_CHECKPOINTS: CheckpointSettings = { everyMs: 5 * 60_000, keep: 2 };

/** What a checkpoint's meta holds besides the state: where the log stood, and the inputs applied outside it. */
export interface ServeCheckpointMeta {
  position: LogPosition;
  /** Highest analyst decision id applied (decisions are replayed by position; those after it are applied again). */
  decisionId: number;
  writtenAt: string;
}

export interface CheckpointFile {
  path: string;
  seq: number;
}

/** A checkpoint written: its size and the time encoding (cut to sealed, wall: the thread serves between slices) and writing it took. */
export interface CheckpointWritten {
  seq: number;
  bytes: number;
  encodeMs: number;
  writeMs: number;
  /** Log segments deleted by the compaction that followed. */
  compacted: number;
  /** Of encodeMs: the cut (what ingest changes, copied at once), the engine held still (cut, copy in slices, serialization), the one synchronous serialization. */
  cutMs: number;
  heldMs: number;
  serializeMs: number;
  /** Slices the engine's copy was cut into (the thread served batches and reads between them). */
  slices: number;
}

/** Checkpoint files in the folder, newest first. */
export async function listCheckpoints(dir: string): Promise<CheckpointFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .map((f) => NAME.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: join(dir, m[0]), seq: Number(m[1]) }))
    .sort((a, b) => b.seq - a.seq);
}

export function checkpointPath(dir: string, seq: number): string {
  return join(dir, `ckpt-${String(seq).padStart(10, '0')}.ckpt`);
}

/**
 * Restores the newest checkpoint that `attempt` accepts (it builds a fresh service, restores into it
 * and opens the log after the checkpoint's position; it throws when any of that fails). Returns the
 * result and why newer checkpoints were skipped; undefined result when none could be used.
 */
export async function restoreNewest<T>(dir: string, attempt: (f: CheckpointFile) => Promise<T>): Promise<{ result: T | undefined; from: CheckpointFile | undefined; skipped: string[] }> {
  const skipped: string[] = [];
  for (const f of await listCheckpoints(dir)) {
    try {
      return { result: await attempt(f), from: f, skipped };
    } catch (e) {
      skipped.push(`${f.path}: ${(e as Error).message}`);
    }
  }
  return { result: undefined, from: undefined, skipped };
}

/**
 * Writes one checkpoint and keeps the newest `keep`; returns the position of the oldest kept (what
 * the log may be compacted up to), or undefined while fewer than `keep` exist (a fallback must remain).
 */
export async function saveAndPrune(dir: string, seq: number, bytes: Buffer | readonly Buffer[], keep: number, positionOf: (f: CheckpointFile) => Promise<LogPosition | undefined>): Promise<LogPosition | undefined> {
  await saveCheckpoint(checkpointPath(dir, seq), bytes);
  const all = await listCheckpoints(dir);
  for (const old of all.slice(keep)) await rm(old.path, { force: true });
  // One writer per folder and this write is renamed: any partial file left is a killed write's.
  for (const f of await readdir(dir)) if (PARTIAL.test(f)) await rm(join(dir, f), { force: true });
  const kept = all.slice(0, keep);
  if (kept.length < keep) return undefined;
  return positionOf(kept[kept.length - 1]);
}

/** Bytes of the checkpoints in the folder. */
export async function checkpointBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await listCheckpoints(dir)) n += (await stat(f.path)).size;
  return n;
}
