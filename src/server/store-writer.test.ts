// Refreshes are spaced by their own work (at most a quarter of the main thread), not by the wall time
// they spent waiting: a refresh that waited for the engine's hold (a checkpoint copying it) must not
// keep the next one away for three times that wait.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailKeyOf } from '../config/secret.js';
import { buildEngineConfig } from '../config/schema.js';
import { Engine } from '../engine/engine.js';
import { openDuckDbStore } from '../store/duckdb.js';
import type { Store } from '../store/store.js';
import type { Summary } from '../core/output.js';
import { StoreWriter } from './store-writer.js';

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distillguard-store-writer-'));
  store = await openDuckDbStore(join(dir, 'store.duckdb'));
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const HOLD_WAIT_MS = 400;

describe('StoreWriter', () => {
  it('spaces refreshes by the work they did, not by the time they waited for the engine’s hold', async () => {
    const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
    const engine = new Engine(cfg);
    // The hold is granted only after a wait, as when a checkpoint is copying the engine.
    const hold = async (): Promise<() => void> => {
      await new Promise((r) => setTimeout(r, HOLD_WAIT_MS));
      return () => undefined;
    };
    const point = () => ({ judgedThrough: null, engineClock: null, consumed: 0 });
    const writer = new StoreWriter(store, engine, emailKeyOf(cfg), point, hold);
    const summary = (): Summary => ({}) as Summary;
    const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 150));
    await writer.publishFull(summary);
    expect(writer.lastFlush.ms).toBeGreaterThanOrEqual(HOLD_WAIT_MS - 5);
    // Soon after (well within 3x the wall time, the wait included, but past 3x the work): refreshed.
    await pause();
    await writer.publish(1, summary);
    expect(writer.flushes).toBe(2);
    await pause();
    await writer.publish(2, summary);
    expect(writer.flushes).toBe(3);
    await writer.persisted();
  });
});
