// End-to-end tests of `distillguard scan` against the data contract (../shared/docs/contract.md):
// bad input through the whole command, every output file, .gz / stdin / several inputs, exit status 2
// with one line on stderr, and online honesty over simulated traffic (the `tiny` scenario).
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runScan } from '../src/cli/scan.js';
import { runSimulate } from '../src/sim/index.js';
import type { AccountOut, Summary } from '../src/core/output.js';
import { openDuckDbStore } from '../src/store/duckdb.js';
import { buildBin, runBin } from './helpers/bin.js';
import {
  accountProblems,
  campaignProblems,
  externalReferences,
  OUTPUT_FILES,
  outputsPresent,
  readScan,
  runCli,
  type CliRun,
  type ScanFiles,
} from './helpers/scan-run.js';

type Json = Record<string, unknown>;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dg-scan-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const T0 = Date.parse('2026-04-22T10:00:00Z');
const at = (min: number): string => new Date(T0 + min * 60_000).toISOString();

function exchange(id: string, account: string, min: number, extra: Json = {}): Json {
  return {
    type: 'exchange',
    id,
    ts: at(min),
    account_id: account,
    model: 'claude-sonnet-4-5',
    request: {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system: 'You are a helpful assistant.',
      messages: [{ role: 'user', content: `what should I cook tonight? (${id})` }],
    },
    response: { usage: { input_tokens: 20, output_tokens: 200 }, stop_reason: 'end_turn' },
    client: { ip: '198.51.100.7', asn: 64500, country: 'DE', user_agent: 'anthropic-python/0.40' },
    ...extra,
  };
}

function openaiExchange(id: string, account: string, min: number): Json {
  return {
    type: 'exchange',
    id,
    ts: at(min),
    account_id: account,
    request: { model: 'gpt-5', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `summarize this memo (${id})` }], max_completion_tokens: 512 },
    response: { usage: { prompt_tokens: 30, completion_tokens: 90 }, choices: [{ index: 0, finish_reason: 'stop' }] },
  };
}

const line = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Volatile summary fields (wall time, rate, the inputs as named) removed, for comparisons. */
function stableSummary(s: Summary): Partial<Summary> {
  const { wall_time_ms: _w, events_per_second: _e, inputs: _i, ...rest } = s;
  return rest;
}

/** The contract's identity, and the per-reason counts adding up to `rejected`. */
function expectReconciles(s: Summary): void {
  expect(s.lines_read).toBe(s.accepted + s.rejected + s.duplicates);
  expect(Object.values(s.rejected_by_reason).reduce((a, b) => a + b, 0)).toBe(s.rejected);
  expect(s.late).toBe(s.rejected_by_reason.late);
}

function expectOneLine(r: CliRun): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n'), JSON.stringify(r.stderr)).toBe(true);
  expect(r.stderr.trimEnd().split('\n'), JSON.stringify(r.stderr)).toHaveLength(1);
  expect(r.stderr.trim().length).toBeGreaterThan(10);
}

// ---------------------------------------------------------------------------------------------
// 1. Every kind of bad input, in one file with good records.

const EMAIL = 'Jane.Doe+api@example.com';
const HUGE = exchange('huge', 'acct_a', 31, { request: { max_tokens: 10, messages: [{ role: 'user', content: 'z'.repeat(1_100_000) }] } });
const LONG_BAD = `{"type":"exchange","id":"long","note":"${'q'.repeat(3000)}"`;

/** [line content, outcome]: outcome is 'ok', 'dup' or a reject code. Blank lines are not lines read. */
const MIXED: [unknown, string][] = [
  [{ type: 'account', account_id: 'acct_a', ts: at(0), created_at: '2026-01-05T08:00:00Z', plan: 'paid', verification: 'phone', country: 'DE' }, 'ok'],
  [exchange('ok_1', 'acct_a', 1), 'ok'],
  ['{"type":"exchange","id":', 'invalid_json'],
  [{ ...exchange('no_request', 'acct_a', 2), request: undefined }, 'missing_field'],
  [exchange('status_text', 'acct_a', 2, { status: '200' }), 'wrong_type'],
  [{ type: 'completion', id: 'c1', ts: at(2), account_id: 'acct_a' }, 'unknown_type'],
  [exchange('bad_ts', 'acct_a', 2, { ts: '2026-13-45T99:00:00Z' }), 'bad_timestamp'],
  [openaiExchange('ok_2', 'acct_b', 30), 'ok'],
  [exchange('late_1', 'acct_a', 5), 'late'],
  [HUGE, 'too_large'],
  [exchange('no_messages', 'acct_a', 30, { request: { prompt: 'hi', max_tokens: 5 } }), 'bad_body'],
  // A resent copy of a record still inside the lateness window (docs/contract.md, "Input": ids are
  // remembered for one window; a copy of an older record is late, src/order/pipeline.test.ts).
  [openaiExchange('ok_2', 'acct_b', 30), 'dup'],
  ['', 'blank'],
  [openaiExchange('ok_3', 'acct_b', 31), 'ok'],
  [{ type: 'account', account_id: 'acct_b', ts: at(31), email: EMAIL, plan: 'gold' }, 'wrong_type'],
  [LONG_BAD, 'invalid_json'],
  [exchange('ok_4', 'acct_c', 32, { ts: T0 + 32 * 60_000 }), 'ok'],
  [{ type: 'account', account_id: 'acct_d', ts: at(33), created_at: at(33), plan: 'free' }, 'ok'],
];
const MIXED_TEXT = `${MIXED.map(([v]) => line(v)).join('\n')}\n`;

describe('scan: every kind of bad input with good records, through runScan and main', () => {
  let input: string;
  let viaRun: ScanFiles;
  let viaMain: ScanFiles;
  let mainRun: CliRun;

  beforeAll(async () => {
    input = join(tmp, 'mixed.ndjson');
    await writeFile(input, MIXED_TEXT);
    await runScan({ inputs: [input], out: join(tmp, 'mixed-run'), quiet: true });
    viaRun = await readScan(join(tmp, 'mixed-run'));
    mainRun = await runCli(['scan', input, '--out', join(tmp, 'mixed-main')]);
    viaMain = await readScan(join(tmp, 'mixed-main'));
  });

  it('summary.json: lines read = accepted + rejected + duplicates, and every count', () => {
    const s = viaRun.summary;
    expectReconciles(s);
    const outcomes = MIXED.map(([, o]) => o).filter((o) => o !== 'blank');
    const rejectCodes = outcomes.filter((o) => o !== 'ok' && o !== 'dup');
    expect(s).toMatchObject({
      lines_read: outcomes.length,
      accepted: outcomes.filter((o) => o === 'ok').length,
      accepted_exchanges: 4,
      accepted_accounts_records: 2,
      rejected: rejectCodes.length,
      duplicates: 1,
      late: 1,
      accounts: 3,
      campaigns: 0,
      flagged_accounts: 0,
      first_event: at(0),
      last_event: at(33),
    });
    expect(s.lines_read).toBe(17);
    expect(s.rejected_by_reason).toMatchObject({
      invalid_json: 2,
      missing_field: 1,
      wrong_type: 2,
      unknown_type: 1,
      bad_timestamp: 1,
      bad_body: 1,
      too_large: 1,
      late: 1,
    });
    expect(s.inputs).toEqual([input]);
  });

  it('rejected.ndjson: one line per rejected line with file, physical line number, reason and raw', () => {
    const expected = MIXED.map(([v, o], i) => ({ v, o, line: i + 1 })).filter((x) => !['ok', 'dup', 'blank'].includes(x.o));
    expect(viaRun.rejected.map((r) => [r.line, r.reason])).toEqual(expected.map((x) => [x.line, x.o]));
    for (const r of viaRun.rejected) {
      expect(r.file).toBe(input);
      expect(typeof r.raw).toBe('string');
      expect(r.raw.length).toBeLessThanOrEqual(1024);
    }
    const byLine = new Map(viaRun.rejected.map((r) => [r.line, r]));
    // Short lines are kept whole; long ones are cut to their first 1 KiB (ASCII: 1024 characters).
    expect(byLine.get(3)?.raw).toBe('{"type":"exchange","id":');
    expect(byLine.get(5)?.raw).toBe(line(MIXED[4][0]));
    expect(byLine.get(10)?.raw).toBe(line(HUGE).slice(0, 1024));
    expect(byLine.get(16)?.raw).toBe(LONG_BAD.slice(0, 1024));
    // The e-mail in a rejected account line is never exported raw.
    expect(viaRun.text.rejected).not.toContain(EMAIL);
    expect(viaRun.text.rejected.toLowerCase()).not.toContain('jane.doe');
  });

  it('accounts.ndjson: one line per account that sent an exchange, with the contract fields and types', () => {
    expect(viaRun.accounts.flatMap(accountProblems)).toEqual([]);
    const byId = new Map(viaRun.accounts.map((a) => [a.account_id, a]));
    expect([...byId.keys()].sort()).toEqual(['acct_a', 'acct_b', 'acct_c']); // acct_d sent nothing
    expect(byId.get('acct_a')?.exchanges).toBe(1); // the duplicate and the rejected ones do not count
    expect(byId.get('acct_b')?.exchanges).toBe(2);
    expect(byId.get('acct_c')?.exchanges).toBe(1);
    for (const a of viaRun.accounts) expect(a).toMatchObject({ verdict: 'benign', campaign_id: null, flagged_at: null, exchanges_before_flag: null });
    expect(viaRun.campaigns).toEqual([]);
    expect(viaRun.text.campaigns).toBe('');
  });

  it('main(["scan", ...]) writes the same files as runScan, exits 0 and prints one summary line', () => {
    expect(mainRun.code).toBe(0);
    expect(mainRun.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(mainRun.stderr).toContain('17 lines, 6 accepted, 10 rejected, 1 duplicates');
    expect(viaMain.text.accounts).toBe(viaRun.text.accounts);
    expect(viaMain.text.rejected).toBe(viaRun.text.rejected);
    expect(viaMain.text.campaigns).toBe(viaRun.text.campaigns);
    expect(stableSummary(viaMain.summary)).toEqual(stableSummary(viaRun.summary));
    expect(outputsPresent(join(tmp, 'mixed-main'))).toEqual([...OUTPUT_FILES]);
    expect(existsSync(join(tmp, 'mixed-main', 'distillguard.duckdb'))).toBe(true);
  });

  it('report.html is a self-contained HTML page', () => {
    const html = viaRun.text.report;
    expect(html.trimStart().toLowerCase().startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('</html>');
    expect(externalReferences(html)).toEqual([]);
  });

  it('a non-ASCII rejected line is cut to 1 KiB (1024 bytes), not 1024 characters', async () => {
    const bad = `{"type":"exchange","id":"x","note":"${'é'.repeat(3000)}"`; // 2 bytes per é
    const path = join(tmp, 'non-ascii.ndjson');
    await writeFile(path, `${bad}\n`);
    await runScan({ inputs: [path], out: join(tmp, 'non-ascii'), quiet: true });
    const [r] = (await readScan(join(tmp, 'non-ascii'))).rejected;
    expect(r.reason).toBe('invalid_json');
    expect(bad.startsWith(r.raw.replace(/\uFFFD$/, ''))).toBe(true);
    expect(Buffer.byteLength(r.raw, 'utf8')).toBeLessThanOrEqual(1024);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Realistic traffic: the simulator's `tiny` scenario, scanned once through main().

interface InputLine {
  text: string;
  ts: number;
  type: string;
  account: string;
}

const SEED = 7;

describe('scan of simulated traffic (tiny, seed 7)', () => {
  let simDir: string;
  let lines: InputLine[];
  let out: string;
  let db: string;
  let full: ScanFiles;
  let run: CliRun;

  beforeAll(async () => {
    simDir = join(tmp, 'tiny');
    const sim = await runSimulate({ scenario: 'tiny', scale: 1, seed: SEED, out: simDir });
    const text = await readFile(sim.path, 'utf8');
    lines = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const o = JSON.parse(l) as { ts: string; type: string; account_id: string };
        return { text: l, ts: Date.parse(o.ts), type: o.type, account: o.account_id };
      });
    out = join(tmp, 'tiny-out');
    db = join(tmp, 'elsewhere', 'store.duckdb');
    await mkdir(join(tmp, 'elsewhere'));
    run = await runCli(['scan', sim.path, '--out', out, '--db', db]);
    full = await readScan(out);
  });

  it('scans it: exit 0, nothing rejected, counts reconcile, some accounts flagged (the suite has something to check)', () => {
    expect(run.code, run.stderr).toBe(0);
    const s = full.summary;
    expectReconciles(s);
    expect(s.lines_read).toBe(lines.length);
    expect(s).toMatchObject({ rejected: 0, duplicates: 0, late: 0, accepted: lines.length });
    expect(s.accepted_exchanges).toBe(lines.filter((l) => l.type === 'exchange').length);
    expect(s.flagged_accounts).toBeGreaterThanOrEqual(10);
    expect(s.campaigns).toBeGreaterThanOrEqual(1);
    expect(full.rejected).toEqual([]);
  });

  it('accounts.ndjson: contract fields and types, one line per account that sent an exchange, exact exchange counts', () => {
    expect(full.accounts.flatMap(accountProblems)).toEqual([]);
    const counts = new Map<string, number>();
    for (const l of lines) if (l.type === 'exchange') counts.set(l.account, (counts.get(l.account) ?? 0) + 1);
    expect(full.accounts.length).toBe(counts.size);
    expect(new Set(full.accounts.map((a) => a.account_id)).size).toBe(full.accounts.length);
    for (const a of full.accounts) expect(a.exchanges, a.account_id).toBe(counts.get(a.account_id));
    const s = full.summary;
    expect(s.accounts).toBe(full.accounts.length);
    expect(s.flagged_accounts).toBe(full.accounts.filter((a) => a.verdict === 'distillation').length);
    expect(s.suspicious_accounts).toBe(full.accounts.filter((a) => a.verdict === 'suspicious').length);
  });

  it('campaigns.ndjson: contract fields, members agree with accounts.ndjson, exchanges add up', () => {
    expect(full.campaigns.flatMap(campaignProblems)).toEqual([]);
    expect(full.summary.campaigns).toBe(full.campaigns.length);
    const byId = new Map(full.accounts.map((a) => [a.account_id, a]));
    const seen = new Set<string>();
    for (const c of full.campaigns) {
      expect(seen.has(c.campaign_id)).toBe(false);
      seen.add(c.campaign_id);
      let exchanges = 0;
      let first = Infinity;
      for (const id of c.accounts) {
        const a = byId.get(id);
        expect(a, `${c.campaign_id} member ${id} is not in accounts.ndjson`).toBeDefined();
        expect(a?.campaign_id).toBe(c.campaign_id);
        exchanges += a?.exchanges ?? 0;
        first = Math.min(first, Date.parse(a?.first_seen ?? ''));
      }
      expect(c.exchanges).toBe(exchanges);
      expect(Date.parse(c.first_seen)).toBe(first);
      expect(Date.parse(c.first_seen)).toBeLessThanOrEqual(Date.parse(c.last_seen));
    }
    for (const a of full.accounts) if (a.campaign_id !== null) expect(seen.has(a.campaign_id), a.account_id).toBe(true);
  });

  it('no raw e-mail address and no raw prompt text in any output', () => {
    const emails = new Set<string>();
    for (const l of lines) {
      if (l.type !== 'account') continue;
      const e = (JSON.parse(l.text) as { email?: string }).email;
      if (e) emails.add(e.toLowerCase());
    }
    expect(emails.size).toBeGreaterThan(100);
    const texts = Object.values(full.text).map((t) => t.toLowerCase());
    const leaked = [...emails].filter((e) => texts.some((t) => t.includes(e)));
    expect(leaked).toEqual([]);
    // Indicators are keyed hashes, prefixes and fingerprints: never a system prompt.
    const systems = new Set<string>();
    for (const l of lines.slice(0, 5000)) {
      if (l.type !== 'exchange') continue;
      const req = (JSON.parse(l.text) as { request: { system?: unknown } }).request;
      if (typeof req.system === 'string' && req.system.length > 20) systems.add(req.system);
    }
    expect(systems.size).toBeGreaterThan(0);
    for (const c of full.campaigns) for (const i of c.indicators) expect(systems.has(i.value), `${i.kind}: ${i.value}`).toBe(false);
  });

  it('report.html is self-contained', () => {
    const html = full.text.report;
    expect(html.trimStart().toLowerCase().startsWith('<!doctype html>')).toBe(true);
    expect(externalReferences(html)).toEqual([]);
    for (const c of full.campaigns) expect(html).toContain(c.campaign_id);
  });

  it('--db puts the DuckDB store where asked (not in the output folder) with the same scan', async () => {
    expect((await stat(db)).size).toBeGreaterThan(0);
    expect(existsSync(join(out, 'distillguard.duckdb'))).toBe(false);
    expect(readdirSync(out).sort()).toEqual([...OUTPUT_FILES].sort());
    const store = await openDuckDbStore(db);
    try {
      expect(stableSummary((await store.summary()) as Summary)).toEqual(stableSummary(full.summary));
      const stored = await store.accounts();
      expect(stored.length).toBe(full.accounts.length);
      const pick = (a: AccountOut) => [a.account_id, a.verdict, a.campaign_id, a.flagged_at, a.exchanges, a.exchanges_before_flag];
      const sort = (xs: AccountOut[]) => xs.map(pick).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
      expect(sort(stored)).toEqual(sort(full.accounts));
      expect((await store.campaigns()).map((c) => [c.campaign_id, c.accounts]).sort()).toEqual(full.campaigns.map((c) => [c.campaign_id, c.accounts]).sort());
    } finally {
      await store.close();
    }
  });

  it('flagged_at is at or after the account\'s first exchange; exchanges_before_flag counts the exchanges up to it', () => {
    const tsByAccount = new Map<string, number[]>();
    for (const l of lines) {
      if (l.type !== 'exchange') continue;
      let xs = tsByAccount.get(l.account);
      if (!xs) tsByAccount.set(l.account, (xs = []));
      xs.push(l.ts);
    }
    const flagged = full.accounts.filter((a) => a.flagged_at !== null);
    expect(flagged.length).toBeGreaterThan(0);
    for (const a of flagged) {
      const T = Date.parse(a.flagged_at as string);
      const ts = tsByAccount.get(a.account_id) ?? [];
      expect(T, a.account_id).toBeGreaterThanOrEqual(Math.min(...ts));
      const before = a.exchanges_before_flag as number;
      expect(before, a.account_id).toBeLessThanOrEqual(a.exchanges);
      expect(before, a.account_id).toBeGreaterThanOrEqual(1);
      // "of those, how many came before flagged_at" (an exchange exactly at T may count either way)
      expect(before, a.account_id).toBeGreaterThanOrEqual(ts.filter((t) => t < T).length);
      expect(before, a.account_id).toBeLessThanOrEqual(ts.filter((t) => t <= T).length);
      expect(a.verdict).toBe('distillation');
    }
  });

  it('online honesty: the prefix of the input ending at T flags every account the full run flagged at or before T', async () => {
    const flags = full.accounts.filter((a) => a.flagged_at !== null).map((a) => ({ id: a.account_id, at: Date.parse(a.flagged_at as string) }));
    const times = [...new Set(flags.map((f) => f.at))].sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(4);
    // The earliest flag time and a few later ones (kept in the first ~60% of the input for speed).
    const cuts = [...new Set([0, 0.2, 0.4, 0.6].map((q) => times[Math.round(q * (times.length - 1))]))];
    expect(cuts.length).toBeGreaterThanOrEqual(3);
    for (const T of cuts) {
      const name = `prefix-${new Date(T).toISOString().replace(/[:.]/g, '')}`;
      const path = join(tmp, `${name}.ndjson`);
      const prefix = lines.filter((l) => l.ts <= T);
      expect(prefix.length).toBeLessThan(lines.length);
      await writeFile(path, `${prefix.map((l) => l.text).join('\n')}\n`);
      const r = await runCli(['scan', path, '--out', join(tmp, name)]);
      expect(r.code, r.stderr).toBe(0);
      const part = await readScan(join(tmp, name));
      expect(part.summary.lines_read).toBe(prefix.length);
      const verdict = new Map(part.accounts.map((a) => [a.account_id, a.verdict]));
      const missed = flags.filter((f) => f.at <= T && verdict.get(f.id) !== 'distillation');
      expect(
        missed.map((f) => `${f.id} flagged at ${new Date(f.at).toISOString()} in the full run, ${verdict.get(f.id) ?? 'absent'} in the prefix to ${new Date(T).toISOString()}`),
      ).toEqual([]);
      expect(flags.filter((f) => f.at <= T).length).toBeGreaterThan(0);
      await rm(path);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 3. The same outputs from a .gz file, from standard input, and from several inputs.

describe('scan: .gz, standard input and several inputs give the same outputs as the plain file', () => {
  let sample: string[];
  let injected: string[];
  let plain: string;
  const push = (l: string): string => {
    sample.push(l);
    return l;
  };
  let plainOut: ScanFiles;

  /** Simulated traffic (the first day of `tiny`, seed 3) with a few bad lines, a duplicate and a late line. */
  beforeAll(async () => {
    const sim = await runSimulate({ scenario: 'tiny', scale: 1, seed: 3, out: join(tmp, 'tiny-3'), days: 1 });
    const text = (await readFile(sim.path, 'utf8')).split('\n').filter((l) => l !== '');
    // After the 50th line a non-JSON line; after the 400th exchange a wrong type; after the 900th a
    // resent copy (a duplicate); after the 1500th a copy with a new id an hour older (late).
    sample = [];
    injected = [];
    let n = 0;
    for (const l of text) {
      sample.push(l);
      if (sample.length === 50) injected.push(push('not json at all'));
      if (!l.includes('"type":"exchange"')) continue;
      n++;
      const o = JSON.parse(l) as Json;
      if (n === 400) injected.push(push(JSON.stringify({ ...o, status: 'teapot' })));
      if (n === 900) push(l);
      if (n === 1500) injected.push(push(JSON.stringify({ ...o, id: 'late-copy', ts: Date.parse(String(o.ts)) - 3_600_000 })));
    }
    expect(n).toBeGreaterThan(1500);
    plain = join(tmp, 'sample.ndjson');
    await writeFile(plain, `${sample.join('\n')}\n`);
    await runScan({ inputs: [plain], out: join(tmp, 'sample-plain'), quiet: true });
    plainOut = await readScan(join(tmp, 'sample-plain'));
  });

  /** Same accounts, campaigns and counts; the same rejections once (file, line) is mapped to the plain file's line. */
  const expectSame = (got: ScanFiles, plainLine: (file: string, line: number) => number): void => {
    expect(got.text.accounts).toBe(plainOut.text.accounts);
    expect(got.text.campaigns).toBe(plainOut.text.campaigns);
    expect(stableSummary(got.summary)).toEqual(stableSummary(plainOut.summary));
    expect(got.rejected.map((r) => ({ ...r, file: plain, line: plainLine(r.file, r.line) }))).toEqual(plainOut.rejected);
  };

  it('the plain file: the injected lines are rejected, duplicated and late as written', () => {
    const s = plainOut.summary;
    expectReconciles(s);
    expect(s.lines_read).toBe(sample.length);
    expect(s.rejected_by_reason).toMatchObject({ invalid_json: 1, wrong_type: 1, late: 1 });
    expect(s.rejected).toBe(3);
    expect(s.duplicates).toBe(1);
    expect(plainOut.rejected.map((r) => r.raw)).toEqual(injected);
    expect(plainOut.rejected.map((r) => r.reason)).toEqual(['invalid_json', 'wrong_type', 'late']);
    expect(plainOut.rejected.map((r) => sample[r.line - 1])).toEqual(injected);
    expect(s.accounts).toBeGreaterThan(50);
    expect(s.flagged_accounts).toBeGreaterThan(0); // the comparisons cover verdicts too
  });

  it('a .gz file', async () => {
    const gz = join(tmp, 'sample.ndjson.gz');
    await writeFile(gz, gzipSync(await readFile(plain)));
    const r = await runCli(['scan', gz, '--out', join(tmp, 'sample-gz')]);
    expect(r.code, r.stderr).toBe(0);
    expectSame(await readScan(join(tmp, 'sample-gz')), (_f, l) => l);
  });

  it('standard input (-), plain and gzip-compressed', async () => {
    for (const [name, src] of [
      ['stdin', plain],
      ['stdin-gz', join(tmp, 'sample.ndjson.gz')],
    ] as const) {
      const spy = vi.spyOn(process, 'stdin', 'get').mockReturnValue(createReadStream(src) as unknown as typeof process.stdin);
      let r: CliRun;
      try {
        r = await runCli(['scan', '-', '--out', join(tmp, `sample-${name}`)]);
      } finally {
        spy.mockRestore();
      }
      expect(r.code, r.stderr).toBe(0);
      const got = await readScan(join(tmp, `sample-${name}`));
      expect(got.summary.inputs).toEqual(['-']);
      for (const rej of got.rejected) expect(rej.file).toBe('-');
      expectSame(got, (_f, l) => l);
    }
  });

  it('several inputs (plain, .gz, plain) are read in order as one stream; rejections name their own file and line', async () => {
    // Cut so that each part holds one rejected line: part 2 starts with the wrong-type line, part 3
    // holds the late one on its 6th line.
    const cut1 = sample.indexOf(injected[1]);
    const cut2 = sample.indexOf(injected[2]) - 5;
    const parts = [sample.slice(0, cut1), sample.slice(cut1, cut2), sample.slice(cut2)];
    const paths = [join(tmp, 'part1.ndjson'), join(tmp, 'part2.ndjson.gz'), join(tmp, 'part3.ndjson')];
    await writeFile(paths[0], `${parts[0].join('\n')}\n`);
    await writeFile(paths[1], gzipSync(`${parts[1].join('\n')}\n`));
    await writeFile(paths[2], `${parts[2].join('\n')}\n`);
    const r = await runCli(['scan', ...paths, '--out', join(tmp, 'sample-parts')]);
    expect(r.code, r.stderr).toBe(0);
    const got = await readScan(join(tmp, 'sample-parts'));
    expect(got.summary.inputs).toEqual(paths);
    const offset = [0, cut1, cut2];
    expectSame(got, (f, l) => offset[paths.indexOf(f)] + l);
    expect(got.rejected.map((x) => [x.file, x.line, x.reason])).toEqual([
      [paths[0], 51, 'invalid_json'],
      [paths[1], 1, 'wrong_type'],
      [paths[2], 6, 'late'],
    ]);
  });

  it('a second input that restarts earlier in time is late, line by line', async () => {
    const a = join(tmp, 'later.ndjson');
    const b = join(tmp, 'earlier.ndjson');
    await writeFile(a, `${line(exchange('x1', 'acct_a', 60))}\n${line(exchange('x2', 'acct_a', 61))}\n`);
    await writeFile(b, `${line(exchange('y1', 'acct_b', 0))}\n${line(exchange('y2', 'acct_b', 55))}\n${line(exchange('y3', 'acct_b', 62))}\n`);
    await runScan({ inputs: [a, b], out: join(tmp, 'restart'), quiet: true });
    const got = await readScan(join(tmp, 'restart'));
    expect(got.rejected.map((r) => [r.file, r.line, r.reason])).toEqual([[b, 1, 'late']]);
    expect(got.summary).toMatchObject({ lines_read: 5, accepted: 4, rejected: 1, late: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Exit status 2 and one line on stderr; nothing written when the input cannot be read.

describe('scan: unreadable input and bad flags end the run with status 2 and one line on stderr', () => {
  let good: string;
  beforeAll(async () => {
    good = join(tmp, 'good.ndjson');
    await writeFile(good, `${line(exchange('g1', 'acct_a', 0))}\n`);
  });

  const nothingWritten = (dir: string): void => {
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  };

  it('a missing input file: nothing is written, not even the output folder or the --db file', async () => {
    const out = join(tmp, 'x-missing');
    const missing = join(tmp, 'no-such-file.ndjson');
    const r = await runCli(['scan', missing, '--out', out, '--db', join(tmp, 'x-missing.duckdb')]);
    expectOneLine(r);
    expect(r.stderr).toContain('no-such-file.ndjson');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(tmp, 'x-missing.duckdb'))).toBe(false);
  });

  it('a missing input after a good one: checked before anything is read or written', async () => {
    const out = join(tmp, 'x-missing-2');
    await mkdir(out);
    const r = await runCli(['scan', good, join(tmp, 'gone.ndjson.gz'), '--out', out]);
    expectOneLine(r);
    expect(r.stderr).toContain('gone.ndjson.gz');
    nothingWritten(out);
  });

  it('a directory given as input', async () => {
    const out = join(tmp, 'x-dir');
    const r = await runCli(['scan', tmp, '--out', out]);
    expectOneLine(r);
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)('a file without read permission', async () => {
    const locked = join(tmp, 'locked.ndjson');
    await writeFile(locked, `${line(exchange('l1', 'acct_a', 0))}\n`);
    await chmod(locked, 0o000);
    const out = join(tmp, 'x-locked');
    const r = await runCli(['scan', locked, '--out', out]);
    expectOneLine(r);
    expect(existsSync(out)).toBe(false);
  });

  it('a truncated .gz file: status 2, one line, and no summary or accounts written', async () => {
    const gz = gzipSync(Buffer.from(`${MIXED_TEXT}${MIXED_TEXT}`));
    const path = join(tmp, 'truncated.ndjson.gz');
    await writeFile(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const out = join(tmp, 'x-truncated');
    const r = await runCli(['scan', path, '--out', out]);
    expectOneLine(r);
    expect(r.stderr).toContain('truncated.ndjson.gz');
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
    expect(existsSync(join(out, 'accounts.ndjson'))).toBe(false);
  });

  it('standard input named twice', async () => {
    const r = await runCli(['scan', '-', '-', '--out', join(tmp, 'x-stdin2')]);
    expectOneLine(r);
    expect(existsSync(join(tmp, 'x-stdin2'))).toBe(false);
  });

  it.each([
    ['an unknown option', ['--frobnicate']],
    ['an unknown option with a value', ['--max-latenes', '5']],
    ['--max-lateness not a number', ['--max-lateness', 'soon']],
    ['--max-lateness negative', ['--max-lateness', '-5']],
    ['--max-lateness empty', ['--max-lateness', '']],
  ])('bad flags: %s', async (_name, flags) => {
    const out = join(tmp, `x-flags-${_name.replace(/\W+/g, '-')}`);
    const r = await runCli(['scan', good, '--out', out, ...flags]);
    expectOneLine(r);
    expect(existsSync(out)).toBe(false);
  });

  it('bad flags: no --out', async () => {
    expectOneLine(await runCli(['scan', good]));
  });

  it('bad flags: no input at all', async () => {
    expectOneLine(await runCli(['scan', '--out', join(tmp, 'x-noinput')]));
    expect(existsSync(join(tmp, 'x-noinput'))).toBe(false);
  });

  it('no arguments at all: the one line names the missing input, not an option', async () => {
    const r = await runCli(['scan']);
    expectOneLine(r);
    expect(r.stderr).toMatch(/needs an input/);
  });

  it.each([
    ['a missing file', null],
    ['not JSON', '{ thresholds: 0.9 '],
    ['a value out of range', JSON.stringify({ thresholds: { distillation: 2 } })],
    ['a wrong type', JSON.stringify({ maxLatenessMs: 'ten minutes' })],
    ['suspicious above distillation', JSON.stringify({ thresholds: { distillation: 0.6, suspicious: 0.9 } })],
  ])('a bad --config file: %s', async (name, content) => {
    const cfg = join(tmp, `cfg-${name.replace(/\W+/g, '-')}.json`);
    if (content !== null) await writeFile(cfg, content);
    const out = join(tmp, `x-cfg-${name.replace(/\W+/g, '-')}`);
    const r = await runCli(['scan', good, '--out', out, '--config', cfg]);
    expectOneLine(r);
    expect(r.stderr).toContain(cfg);
    expect(existsSync(out)).toBe(false);
  });

  it('a good --config file and --max-lateness are applied (the bad-flag tests are not failing on the command itself)', async () => {
    const cfg = join(tmp, 'cfg-good.json');
    await writeFile(cfg, JSON.stringify({ maxLineBytes: 2048 }));
    const path = join(tmp, 'cfg-input.ndjson');
    const big = exchange('big', 'acct_a', 1, { request: { max_tokens: 5, messages: [{ role: 'user', content: 'w'.repeat(3000) }] } });
    await writeFile(path, [exchange('a1', 'acct_a', 30), exchange('a2', 'acct_a', 5), big].map(line).join('\n'));
    const out = join(tmp, 'x-cfg-good');
    const r = await runCli(['scan', path, '--out', out, '--config', cfg, '--max-lateness', '30']);
    expect(r.code, r.stderr).toBe(0);
    const got = await readScan(out);
    // 25 minutes late is within 30; 29 minutes late too; the 3 KB line is over the 2 KiB limit.
    expect(got.rejected.map((x) => [x.line, x.reason])).toEqual([[3, 'too_large']]);
    expect(got.summary).toMatchObject({ accepted: 2, late: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// 5. bin/distillguard.js as a real process: exit status, stderr, a real pipe on standard input.

describe('bin/distillguard.js as a process', () => {
  let bin: string;
  let input: string;
  beforeAll(async () => {
    bin = await buildBin(join(tmp, 'pkg'));
    input = join(tmp, 'bin-mixed.ndjson');
    await writeFile(input, MIXED_TEXT);
  });

  it('scan - with the input piped in: exit 0, the same outputs as the file, one summary line', async () => {
    const r = await runBin(bin, ['scan', '-', '--out', join(tmp, 'bin-stdin')], input);
    expect(r.code, r.stderr).toBe(0);
    // A loaded machine may take past the plain progress interval (5 s): those lines are not the summary.
    const progress = /^distillguard: [\d,]+ events {2}[\d,]+\/s/;
    expect(r.stderr.trimEnd().split('\n').filter((l) => !progress.test(l))).toHaveLength(1);
    const got = await readScan(join(tmp, 'bin-stdin'));
    await runScan({ inputs: [input], out: join(tmp, 'bin-file'), quiet: true });
    const want = await readScan(join(tmp, 'bin-file'));
    expect(got.text.accounts).toBe(want.text.accounts);
    expect(stableSummary(got.summary)).toEqual(stableSummary(want.summary));
    expect(got.rejected).toEqual(want.rejected.map((x) => ({ ...x, file: '-' })));
  });

  it.each([
    ['a missing input file', (dir: string) => ['scan', join(dir, 'nope.ndjson'), '--out', join(dir, 'bin-x1')]],
    ['a bad --max-lateness', (dir: string) => ['scan', join(dir, 'bin-mixed.ndjson'), '--out', join(dir, 'bin-x2'), '--max-lateness', 'soon']],
  ])('%s: exit status 2, one line on stderr, nothing written', async (_name, args) => {
    const argv = args(tmp);
    const r = await runBin(bin, argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n'), JSON.stringify(r.stderr)).toBe(true);
    expect(r.stderr.trimEnd().split('\n'), JSON.stringify(r.stderr)).toHaveLength(1);
    expect(existsSync(argv[argv.indexOf('--out') + 1])).toBe(false);
  });
});
