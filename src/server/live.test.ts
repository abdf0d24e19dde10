// The live service against `scan` on the same simulated traffic: the same engine, so the same
// verdicts for everything both have judged; and a restart (replay of the ingest log) reproduces the
// live state exactly, audit log included.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScan } from '../cli/scan.js';
import { runSimulate } from '../sim/index.js';
import { buildEngineConfig } from '../config/schema.js';
import type { AccountOut } from '../core/output.js';
import { decodeLine } from '../decode/index.js';
import { openDuckDbStore } from '../store/duckdb.js';
import type { Store } from '../store/store.js';
import { LiveService } from './live.js';

let tmp: string;
let input: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'distillguard-live-'));
  input = (await runSimulate({ scenario: 'tiny', scale: 0.6, seed: 5, out: join(tmp, 'sim'), days: 2 })).path;
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function runLive(dir: string, lines?: string[]): Promise<{ accounts: AccountOut[]; audit: number; judgedThrough: number; replayed: number }> {
  await mkdir(dir, { recursive: true });
  const store = await openDuckDbStore(join(dir, 'store.duckdb'));
  const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
  const live = await LiveService.open({ cfg, store, logDir: join(dir, 'ingest'), flushMs: 60_000 });
  const replayed = live.replayedBatches;
  // The audit log's writes can be held back, so that a snapshot shows verdict changes the store has
  // not written yet (as under load): the check below must find them from memory.
  const gate = holdable(store);
  let audited = 0;
  let fromMemory = 0;
  if (lines) {
    for (let i = 0; i < lines.length; i += 700) {
      const items = lines.slice(i, i + 700).map((text, j) => {
        const raw = { file: 'http', line: j + 1, text, bytes: Buffer.byteLength(text) };
        return { raw, rec: decodeLine(raw, live.decodeContext) };
      });
      const r = await live.submit(items);
      expect(r.received).toBe(items.length);
      if ((i / 700) % 4 === 3) {
        const checked = await expectAuditAsOfSnapshot(live, store, gate, (i / 700) % 8 === 7);
        audited += checked.audited;
        fromMemory += checked.fromMemory;
      }
    }
    expect(audited).toBeGreaterThan(0);
    expect(fromMemory, 'no snapshot showed a verdict change the store had not written').toBeGreaterThan(0);
  }
  await live.drain();
  await live.flush(true);
  const step = cfg.judgeIntervalMs;
  const judgedThrough = Math.ceil(live.engine.now / step) * step - step;
  const accounts = await store.accounts();
  await live.close();
  const audit = (await store.audit({ kind: 'verdict_change', limit: 1000 })).length;
  await store.close();
  return { accounts, audit, judgedThrough, replayed };
}

type Gate = { held?: Promise<void>; release?: () => void; afterCommit?: boolean };

/**
 * Holds the store's audit writes while `held` is set; they go on once it is cleared. With
 * `afterCommit`, a write commits first and is held before it returns: its entries are in the store
 * and still on their way for the service (the window between a commit and its continuation).
 */
function holdable(store: Store): Gate {
  const gate: Gate = {};
  const append = store.appendAudit.bind(store);
  store.appendAudit = async (entries) => {
    if (!gate.afterCommit) await gate.held;
    const fresh = await append(entries);
    if (gate.afterCommit) await gate.held;
    return fresh;
  };
  return gate;
}

/**
 * One view: the published snapshot's accounts and the audit entries of that snapshot (as the account
 * route shows them) agree: an account's newest verdict change is to the verdict its row shows, also
 * while the audit log has not written it yet (writes held back meanwhile).
 */
async function expectAuditAsOfSnapshot(live: LiveService, store: Store, gate: Gate, afterCommit: boolean): Promise<{ audited: number; fromMemory: number }> {
  gate.afterCommit = afterCommit;
  gate.held = new Promise((r) => (gate.release = r));
  try {
    await live.drain(); // the engine judged what was sent; its verdict changes wait for the log
    await live.flush();
    const view = live.results;
    let audited = 0;
    let fromMemory = 0;
    for (const a of await view.accounts()) {
      const [newest] = await live.auditAsOf(view, { accountId: a.account_id, limit: 1 });
      if (newest === undefined) expect(a.verdict).toBe('benign');
      else expect([a.account_id, newest.body.to]).toStrictEqual([a.account_id, a.verdict]);
      if (newest === undefined) continue;
      audited++;
      const [stored] = await store.audit({ accountId: a.account_id, limit: 1 });
      if (stored?.id !== newest.id) fromMemory++;
    }
    return { audited, fromMemory };
  } finally {
    gate.held = undefined;
    gate.release!();
  }
}

describe('live service on simulated traffic', () => {
  it('flags what scan flags, at the same event time, and a restart replays to the same state', async () => {
    const lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l.length > 0);
    const dir = join(tmp, 'live');
    const first = await runLive(dir, lines);
    const flagged = first.accounts.filter((a) => a.verdict === 'distillation');
    expect(flagged.length).toBeGreaterThan(5);
    expect(first.audit).toBeGreaterThanOrEqual(flagged.length);

    const scan = await runScan({ inputs: [input], out: join(tmp, 'scan'), quiet: true });
    const scanById = new Map(scan.results.accounts.map((a) => [a.account_id, a]));
    for (const a of flagged) expect(scanById.get(a.account_id)?.flagged_at).toBe(a.flagged_at);
    // Everything scan flagged up to the last tick the live engine has judged, serve flagged too.
    // (scan also judges the final tick at end of input; serve waits for a record after it.)
    const servedById = new Map(first.accounts.map((a) => [a.account_id, a]));
    const judged = scan.results.accounts.filter((a) => a.flagged_at !== null && Date.parse(a.flagged_at) <= first.judgedThrough);
    expect(judged.length).toBeGreaterThan(5);
    for (const a of judged) expect(servedById.get(a.account_id)?.flagged_at).toBe(a.flagged_at);

    const again = await runLive(dir);
    expect(again.replayed).toBe(Math.ceil(lines.length / 700));
    expect(again.accounts).toStrictEqual(first.accounts);
    expect(again.audit).toBe(first.audit); // the replay's verdict changes were already audited
  });
});
