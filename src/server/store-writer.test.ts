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

  // A store whose writes are slow (a loaded PostgreSQL behind serve --cluster): each write of the real
  // store takes SLOW_MS more, so the default spacing keeps the next one ~19 x SLOW_MS away.
  const SLOW_MS = 500;
  const slowStore = (): Store =>
    new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'writeLive') return async (...a: Parameters<Store['writeLive']>) => (await new Promise((r) => setTimeout(r, SLOW_MS)), target.writeLive(...a));
        const v = Reflect.get(target, key, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  const writerOn = (s: Store, pacing?: ConstructorParameters<typeof StoreWriter>[5]): StoreWriter => {
    const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
    return new StoreWriter(s, new Engine(cfg), emailKeyOf(cfg), () => ({ judgedThrough: null, engineClock: null, consumed: 0 }), undefined, pacing);
  };
  const summary = (): Summary => ({}) as Summary;
  /** Resolves with the wall ms until the store holds refresh `n`. */
  const storedWithin = (w: StoreWriter, n: number): Promise<number> => {
    const t0 = performance.now();
    return new Promise((done) => w.onStoreWrite((info) => info.refresh >= n && done(performance.now() - t0)));
  };

  it('a forced flush (a clean stop) writes the last refresh at once, not after the spacing a slow write earned', async () => {
    const w = writerOn(slowStore());
    await w.writeFull(summary);
    await w.publish(1, summary);
    await w.persisted(); // one slow write: the next is due only ~19 x SLOW_MS later
    expect(w.lastWrite.ms).toBeGreaterThanOrEqual(SLOW_MS - 5);
    await w.publish(2, summary); // its write now waits out that spacing
    const t0 = performance.now();
    await w.flush(3, summary, true);
    // Was the whole spacing (~9.5 s) before this write could start; now the write itself and no wait.
    expect(performance.now() - t0).toBeLessThan(19 * SLOW_MS * 0.5);
    expect(w.lastWrite.refresh).toBe(w.lastRefresh!.refresh);
  });

  it('where the store is the read path (the cluster judge), a write waits at most maxStoreWaitMs after a slow one', async () => {
    const w = writerOn(slowStore(), { storeSpacing: 3, maxStoreWaitMs: 200 });
    await w.writeFull(summary);
    await w.publish(1, summary);
    await w.persisted();
    const stored = storedWithin(w, w.lastRefresh!.refresh + 1);
    await w.publish(2, summary);
    // Spacing alone: 3 x SLOW_MS after the last write, then the write; capped: 200 ms, then the write.
    expect(await stored).toBeLessThan(3 * SLOW_MS + SLOW_MS);
  });
});
