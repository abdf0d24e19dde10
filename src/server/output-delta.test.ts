// The live refresh writes only what changed: applied one after another, its deltas must give exactly
// the rows `scan`'s collectResults derives from the same engine state, at every step.
import { emailKeyOf } from '../config/secret.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import { buildEngineConfig } from '../config/schema.js';
import type { CanonicalRecord } from '../core/records.js';
import { decodeLine } from '../decode/index.js';
import { emptyBatch, Ingestor } from '../order/pipeline.js';
import { Engine } from '../engine/engine.js';
import { collectResults } from '../engine/results.js';
import type { DailyRow, EvidenceRow } from '../store/store.js';
import { OutputDelta } from './output-delta.js';

let tmp: string;
let lines: string[];
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'distillguard-delta-'));
  const input = (await runSimulate({ scenario: 'tiny', scale: 0.4, seed: 9, out: join(tmp, 'sim'), days: 2 })).path;
  lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l.length > 0);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('OutputDelta', () => {
  it('applied in turn, its deltas equal the whole output at every refresh, and unchanged rows are not sent again', async () => {
    const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
    const engine = new Engine(cfg);
    const ingestor = new Ingestor({ emailKey: Buffer.from(emailKeyOf(cfg)), maxLatenessMs: cfg.maxLatenessMs, maxLineBytes: cfg.maxLineBytes });
    const ctx = { emailKey: Buffer.from(emailKeyOf(cfg)) };
    const delta = new OutputDelta(engine, emailKeyOf(cfg));
    const accounts = new Map<string, unknown>();
    const evidence = new Map<string, EvidenceRow[]>();
    const campaigns = new Map<string, unknown>();
    const links = new Map<string, unknown[]>();
    const daily = new Map<string, DailyRow[]>();
    let sentAccounts = 0;
    const step = 1500;
    for (let i = 0; i < lines.length; i += step) {
      const out = emptyBatch();
      lines.slice(i, i + step).forEach((text, j) => {
        const raw = { file: 'x', line: i + j + 1, text, bytes: text.length };
        ingestor.admit(decodeLine(raw, ctx), raw, out);
      });
      for (const r of out.records as CanonicalRecord[]) engine.push(r);
      // Every other refresh is derived in parts with event-loop turns between them (as serve does).
      const turn = (i / step) % 2 === 1 ? (): Promise<void> => new Promise((r) => setImmediate(r)) : undefined;
      const d = i === 0 ? await delta.all(turn) : await delta.changes(turn);
      sentAccounts += d.accounts.length;
      for (const a of d.accounts) {
        accounts.set(a.account_id, a);
        evidence.set(a.account_id, []);
      }
      for (const e of d.evidence) evidence.get(e.account_id)!.push(e);
      for (const id of [...d.removedCampaigns, ...d.campaigns.map((c) => c.campaign_id)]) {
        campaigns.delete(id);
        links.delete(id);
      }
      for (const c of d.campaigns) campaigns.set(c.campaign_id, c);
      for (const l of d.links) links.set(l.campaign_id, [...(links.get(l.campaign_id) ?? []), l]);
      for (const day of d.days ?? []) daily.set(day, []);
      for (const r of d.daily) daily.get(r.day)!.push(r);

      const whole = collectResults(engine, emailKeyOf(cfg));
      expect(d.counts.accounts).toBe(whole.accounts.length);
      expect(d.counts.flagged).toBe(whole.accounts.filter((a) => a.verdict === 'distillation').length);
      expect([...accounts.values()]).toHaveLength(whole.accounts.length);
      // The same bytes as scan's rows (key order included), and the same evidence rows.
      for (const a of whole.accounts) expect(JSON.stringify(accounts.get(a.account_id))).toBe(JSON.stringify(a));
      expect([...evidence.values()].flat().map((e) => JSON.stringify(e)).sort()).toStrictEqual(whole.evidence.map((e) => JSON.stringify(e)).sort());
      expect(new Map(whole.campaigns.map((c) => [c.campaign_id, c]))).toStrictEqual(campaigns);
      expect([...links.values()].flat().length).toBe(whole.links.length);
      expect([...daily.keys()].sort().flatMap((k) => daily.get(k)!)).toStrictEqual(whole.daily);
    }
    const flagged = [...accounts.values()].filter((a) => (a as { verdict: string }).verdict === 'distillation');
    expect(flagged.length).toBeGreaterThan(0);
    // Most accounts are idle in most slices: far fewer rows sent than accounts × refreshes.
    expect(sentAccounts).toBeLessThan(accounts.size * Math.ceil(lines.length / step) * 0.6);
    expect((await delta.changes()).accounts).toHaveLength(0); // nothing moved since
  });
});
