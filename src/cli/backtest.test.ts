// scan --policy and backtest end to end on a small simulated world, through the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulate } from '../sim/index.js';
import { runCli, parseNdjson } from '../../test/helpers/scan-run.js';
import type { ActionLine } from '../act/action-out.js';
import type { BacktestOutcome } from './backtest.js';
import { readTruth } from '../eval/truth.js';
import { startTestServer } from '../../test/helpers/serve.js';
import { loadDefaultPolicy } from '../act/policy-load.js';
import { replayFile } from '../server/replay-file.js';
import { buildEngineConfig } from '../config/schema.js';
import { openDuckDbStore } from '../store/duckdb.js';

const tmp = mkdtempSync(join(tmpdir(), 'dg-backtest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sim = join(tmp, 'sim');
const input = join(sim, 'input.ndjson');
const LENIENT = `version: 1
name: lenient
revision: 7
rules:
  - id: confirmed-only
    when: { analyst: [confirmed] }
    action: block
`;

describe('scan --policy and backtest', () => {
  beforeAll(async () => {
    await runSimulate({ scenario: 'tiny', scale: 1, seed: 3, out: sim });
    await writeFile(join(tmp, 'lenient.yaml'), LENIENT);
    await writeFile(join(tmp, 'bad.yaml'), LENIENT.replace('action: block', 'action: banish'));
  }, 120_000);

  it('a bad policy file: exit 2, one line naming file, line and field, nothing written', async () => {
    const out = join(tmp, 'bad-out');
    const r = await runCli(['scan', input, '--out', out, '--policy', join(tmp, 'bad.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^distillguard: policy .*bad\.yaml:7:\d+: rules\[0\]\.action: .*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
    const b = await runCli(['backtest', input, '--policy', join(tmp, 'missing.yaml')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^distillguard: cannot read policy .*missing\.yaml/);
  });

  it('one history at a time, each source with its own flags, a bad NATS URL named: exit 2 and one line', async () => {
    const cases: [string[], RegExp][] = [
      [['backtest', input, '--nats', 'nats://127.0.0.1:1'], /give one history: input files, --db or --nats/],
      [['backtest'], /give input files to replay, --db PATH for a serve database, or --nats URL for a cluster/],
      [['backtest', input, '--secret-file', join(tmp, 'secret')], /--secret-file goes with --nats/],
      [['backtest', '--nats', 'http://127.0.0.1:4222'], /--nats takes a nats:\/\/ URL/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    }
  });

  it('scan writes actions.ndjson under the default policy: one line per change, in event time, with its rule and reasons', async () => {
    const out = join(tmp, 'scan');
    expect((await runCli(['scan', input, '--out', out])).code).toBe(0);
    const lines = parseNdjson<ActionLine>(await readFile(join(out, 'actions.ndjson'), 'utf8'));
    expect(lines.length).toBeGreaterThan(0);
    const last = new Map<string, ActionLine>();
    for (const l of lines) {
      expect(l.policy).toBe('default@1');
      expect(['enforce', 'shadow']).toContain(l.mode);
      expect(Date.parse(l.at)).not.toBeNaN();
      expect(Array.isArray(l.reasons)).toBe(true);
      if (l.mode !== 'enforce') continue;
      // A change: from the previous enforced action, and different from it in action, parameters or mark.
      const prev = last.get(l.account_id);
      expect(l.from).toBe(prev?.action ?? 'allow');
      if (prev) expect(JSON.stringify([l.action, l.params, l.mark])).not.toBe(JSON.stringify([prev.action, prev.params, prev.mark]));
      last.set(l.account_id, l);
    }
    const ats = lines.map((l) => Date.parse(l.at));
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    const truth = await readTruth(join(sim, 'truth.json'));
    const acted = lines.filter((l) => l.mode === 'enforce' && ['degrade', 'hold', 'block'].includes(l.action));
    expect(acted.length).toBeGreaterThan(0);
    for (const l of acted) expect(truth.accounts[l.account_id]?.label, l.account_id).toBe('distillation');
  });

  it('backtest compares two policies on one replay, per hard-negative group and account by account', async () => {
    const out = join(tmp, 'bt');
    const r = await runCli(['backtest', input, '--compare', join(tmp, 'lenient.yaml'), '--truth', join(sim, 'truth.json'), '--out', out, '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout) as BacktestOutcome;
    const [def, lenient] = o.reports;
    expect(def.policy).toBe('default@1');
    expect(lenient.policy).toBe('lenient@7');
    expect(def.served_leakage!).toBeLessThan(lenient.served_leakage!);
    expect(lenient.served_leakage).toBe(1);
    const truth = await readTruth(join(sim, 'truth.json'));
    const organic = Object.values(truth.accounts).filter((a) => a.label === 'organic').length;
    let inGroups = 0;
    for (const g of Object.values(def.groups!)) {
      inGroups += g.accounts;
      expect(g.by_strictest.degrade + g.by_strictest.hold + g.by_strictest.block).toBe(0);
    }
    expect(inGroups).toBeLessThanOrEqual(organic);
    expect(Object.values(def.exchanges_by_action).reduce((a, b) => a + b, 0)).toBe(def.exchanges);
    // Every account the default policy protects differs from the lenient one, and nothing else does.
    const protectedIds = Object.keys(truth.accounts).filter((id) => o.diff!.some((d) => d.account_id === id && d.a.strictest === 'degrade'));
    expect(protectedIds.length).toBeGreaterThan(0);
    for (const d of o.diff!) expect(d.b.strictest).toBe('allow');
    const diffFile = parseNdjson<{ account_id: string }>(await readFile(join(out, 'diff.ndjson'), 'utf8'));
    expect(diffFile.map((d) => d.account_id)).toEqual(o.diff!.map((d) => d.account_id));
  });

  it("backtest --db replays a serve database's history: the policy in force decides what the service decided, account by account", { timeout: 120_000 }, async () => {
    const s = await startTestServer({ dir: join(tmp, 'serve'), policy: await loadDefaultPolicy() });
    try {
      await replayFile(s.live, input, buildEngineConfig({}));
    } finally {
      await s.stop();
    }
    const db = join(tmp, 'serve', 'store.duckdb');
    const logDir = join(tmp, 'serve', 'ingest');
    expect((await runCli(['backtest', input, '--db', db])).stderr).toMatch(/^distillguard: backtest: give one history: input files, --db or --nats\n$/);
    expect((await runCli(['backtest'])).stderr).toMatch(/give input files to replay, --db PATH for a serve database, or --nats URL/);
    expect((await runCli(['backtest', '--db', db])).stderr).toMatch(/no ingest log at .*store\.duckdb\.ingest \(give --log-dir/);
    const r = await runCli(['backtest', '--db', db, '--log-dir', logDir, '--compare', join(tmp, 'lenient.yaml'), '--out', join(tmp, 'bt-db'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as BacktestOutcome;
    expect(o.reports.map((p) => p.policy)).toEqual(['default@1', 'lenient@7']);
    // The service's own action changes, as stored: each account's strictest enforced action.
    const store = await openDuckDbStore(db);
    const changes = await store.audit({ kind: 'action_change', limit: 100_000 });
    await store.close();
    const strictest = new Map<string, string>();
    const rank = ['allow', 'step_up', 'throttle', 'degrade', 'hold', 'block'];
    for (const e of changes) {
      if (e.body.mode !== 'enforce') continue;
      const a = String(e.body.action);
      if (rank.indexOf(a) > rank.indexOf(strictest.get(e.account_id!) ?? 'allow')) strictest.set(e.account_id!, a);
    }
    expect(strictest.size).toBeGreaterThan(0);
    const counted: Record<string, number> = {};
    for (const a of strictest.values()) counted[a] = (counted[a] ?? 0) + 1;
    const [def, lenient] = o.reports;
    for (const [a, n] of Object.entries(counted)) expect(def.accounts_by_strictest[a as keyof typeof def.accounts_by_strictest], a).toBe(n);
    // No ground truth: groups by plan, campaigns as the engine found them.
    expect(Object.keys(def.groups!).every((g) => g.startsWith('plan:'))).toBe(true);
    expect(def.campaigns!.length).toBeGreaterThan(0);
    expect(def.campaigns!.every((c) => c.kind === 'detected')).toBe(true);
    expect(def.served_leakage!).toBeLessThan(lenient.served_leakage!);
    expect(o.diff!.length).toBe(strictest.size - (counted.allow ?? 0));
  });
});
