// `distillguard scan INPUT... --out DIR`: replay files through the online engine and write the contract's
// outputs (accounts.ndjson, campaigns.ndjson, summary.json, rejected.ndjson, report.html) and the store.
import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { buildEngineConfig, type EngineConfigInput } from '../config/schema.js';
import { scanSecretPath, withEmailKey } from '../config/secret.js';
import { loadConfigFile } from '../config/load.js';
import { InputError } from '../core/errors.js';
import type { Summary } from '../core/output.js';
import type { Rejection } from '../core/rejections.js';
import { toIso } from '../core/time.js';
import { ingestStream } from '../order/pipeline.js';
import { build as buildOrder } from '../order/config.js';
import { build as buildDecode } from '../decode/config.js';
import { checkReadable } from '../sources/file.js';
import { Engine } from '../engine/engine.js';
import { collectResults, type EngineResults } from '../engine/results.js';
import { renderReport } from '../report/html.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { intelScanHooks } from '../intel/scan-hooks.js';
import { decisionInputs, storedDecisions } from '../act/decisions.js';
import type { DecisionInput } from '../judge/decisions.js';
import type { Store } from '../store/store.js';
import type { CanonicalRecord } from '../core/records.js';
import { parseNumber } from './main.js';
import { Progress } from './progress.js';
import { STAGES, StageTimes } from '../core/stage-times.js';
import { DecodePool, defaultWorkers, ingestStreamParallel, type BatchDecoder } from '../engine/decode-pool.js';
import { loadDefaultPolicy, loadPolicyFile, type LoadedPolicy } from '../act/policy-load.js';
import type { PolicyStage } from '../act/policy-stage.js';
import { build as buildAct } from '../act/config.js';
import { actionLine, markLine } from '../act/action-out.js';

export interface ScanOptions {
  inputs: string[];
  out: string;
  db?: string;
  config?: string;
  maxLateness?: number; // minutes
  quiet?: boolean;
  /** Charge wall time per pipeline stage here (bench:perf, --stage-times); untimed when absent. */
  times?: StageTimes;
  /** Analyst decisions to apply at their event times (default: those stored in the target store). */
  decisions?: DecisionInput[];
  /** Write into this open store instead of opening `db` (a server re-judging its own store). */
  store?: Store;
  /** Peer indicators (a STIX bundle, or a store `intel pull` wrote), matched as evidence. */
  peerIntel?: string;
  /** Decode workers (0: decode on the engine's thread); default one per spare core, up to 4. */
  workers?: number;
  /** Decode on these instead of worker threads (cluster mode's worker processes); the caller closes it. */
  decoder?: BatchDecoder;
  /** The policy deciding actions.ndjson: a file, a loaded policy, or (absent) the default policy. */
  policy?: string | LoadedPolicy;
  /** More stages on the same replay (backtest's second policy): called once; the consumer sees each record after the engine. */
  attach?: (engine: Engine) => (r: CanonicalRecord) => void;
}

export interface ScanOutcome {
  summary: Summary;
  /** Accounts seen at all, with or without exchanges (`summary.accounts` counts those with exchanges). */
  knownAccounts: number;
  results: EngineResults;
  db: string;
  /** The act stage's final state (served exchanges per action, marks, campaigns acted on). */
  actions: PolicyStage;
  engine: Engine;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('detect distillation accounts and campaigns in NDJSON traffic (files, .gz, or - for stdin)')
    // Checked in the action, input first: commander would complain about --out before a missing input.
    .argument('[input...]', 'input files')
    .option('--out <dir>', 'output folder (required)')
    .option('--db <path>', 'DuckDB store (default: DIR/distillguard.duckdb)')
    .option('--config <file>', 'engine configuration (JSON) — thresholds, template similarity, link options')
    .option('--max-lateness <minutes>', 'accept records this much older than the newest seen', parseNumber('float', 0))
    .option('--stage-times', 'print the wall time spent in each pipeline stage to stderr (slightly slower)')
    .option('--peer-intel <file>', "peers' indicators to match (STIX bundle .json, or a store written by intel pull)")
    .option('--policy <file>', 'policy (YAML or JSON) deciding actions.ndjson (default: the shipped policies/default.yaml)')
    .option('--workers <n>', 'decode and sketch on this many worker threads (0: on the main thread; default: one per spare core, up to 4)', parseNumber('int', 0, 64))
    .action(async (inputs: string[], o: Omit<ScanOptions, 'inputs' | 'times' | 'out'> & { out?: string; stageTimes?: boolean }) => {
      if (inputs.length === 0) throw new InputError('scan needs an input: one or more NDJSON files (.gz too), or - for standard input');
      if (o.out === undefined) throw new InputError('scan needs --out DIR, the folder for accounts.ndjson, campaigns.ndjson, summary.json, the report and the store');
      const { stageTimes, out, ...rest } = o;
      const times = stageTimes ? new StageTimes() : undefined;
      await runScan({ inputs, out, ...rest, times });
      if (times) process.stderr.write(formatStageTimes(times));
    });
}

export async function runScan(opts: ScanOptions): Promise<ScanOutcome> {
  const t0 = performance.now();
  const fileCfg: EngineConfigInput = opts.config ? await loadConfigFile(opts.config) : {};
  if (opts.maxLateness !== undefined) fileCfg.maxLatenessMs = Math.round(opts.maxLateness * 60_000);
  const cfg = await withEmailKey(buildEngineConfig(fileCfg), scanSecretPath());
  await checkReadable(opts.inputs);
  const policy = typeof opts.policy === 'object' ? opts.policy : opts.policy ? await loadPolicyFile(opts.policy) : await loadDefaultPolicy();
  const out = resolve(opts.out);
  try {
    await mkdir(out, { recursive: true });
  } catch (e) {
    throw new InputError(`cannot create output folder ${out}: ${(e as Error).message}`);
  }
  const db = resolve(opts.db ?? join(out, 'distillguard.duckdb'));
  // Decisions are inputs: replayed with the records, each at the event time it applies from.
  const decisions = opts.decisions ?? decisionInputs(opts.store ? [] : await storedDecisions(db));
  let nextDecision = 0;
  let decisionsApplied = 0;
  const intel = await intelScanHooks(cfg, opts.peerIntel);
  const times = opts.times;
  const engine = new Engine(cfg, intel.engine, times);
  intel.bind(engine);
  const act = buildAct(policy.policy, engine, times);
  const attached = opts.attach?.(engine);
  const actions = createWriteStream(join(out, 'actions.ndjson'));
  act.onAction((c) => actions.write(`${JSON.stringify(actionLine(c, policy.policy))}\n`));
  const rejected = createWriteStream(join(out, 'rejected.ndjson'));
  const ingestor = buildOrder(cfg, buildDecode(cfg, intel.shareEmail), { times });
  const progress = opts.quiet ? undefined : new Progress({ totalBytes: await inputBytes(opts.inputs) });
  let bytes = 0;
  let flagged = 0;
  engine.onVerdict((c) => {
    if (c.to === 'distillation') flagged++;
  });
  let exchanges = 0;
  let accountRecords = 0;
  let firstTs: number | null = null;
  let lastTs: number | null = null;
  const workers = opts.workers ?? defaultWorkers();
  const ownPool = opts.decoder === undefined && workers > 0 ? new DecodePool(cfg, workers) : undefined;
  const pool = opts.decoder ?? ownPool;
  const ingestOpts = { maxLineBytes: cfg.maxLineBytes, times, onBytes: (n: number) => void (bytes += n) };
  try {
    const batches = pool ? ingestStreamParallel(opts.inputs, ingestor, pool, ingestOpts) : ingestStream(opts.inputs, ingestor, ingestOpts);
    for await (const batch of batches) {
      for (const r of batch.rejections) {
        if (!rejected.write(rejectionLine(r))) await once(rejected, 'drain');
      }
      for (const r of batch.records) {
        while (nextDecision < decisions.length && decisions[nextDecision].at < r.ts) if (engine.decide(decisions[nextDecision++])) decisionsApplied++;
        engine.push(r);
        act.push(r);
        attached?.(r);
        if (r.kind === 'exchange') exchanges++;
        else accountRecords++;
        if (firstTs === null) firstTs = r.ts;
        lastTs = r.ts;
      }
      progress?.update({ events: exchanges + accountRecords, accounts: engine.observer.list.length, flagged, bytes });
    }
  } finally {
    await ownPool?.close();
    rejected.end();
    await once(rejected, 'finish');
  }
  while (nextDecision < decisions.length) if (engine.decide(decisions[nextDecision++])) decisionsApplied++;
  engine.finish();
  actions.end();
  await once(actions, 'finish');
  await writeNdjson(join(out, 'marks.ndjson'), act.marks.map(markLine));
  const tOut = times ? performance.now() : 0;
  progress?.update({ events: exchanges + accountRecords, accounts: engine.observer.list.length, flagged, bytes }, true);
  progress?.done();

  const results = collectResults(engine, cfg.emailKey, intel.extra);
  const wall = performance.now() - t0;
  const c = ingestor.counts();
  const summary: Summary = {
    version: 1,
    inputs: opts.inputs,
    lines_read: c.linesRead,
    accepted: c.accepted,
    accepted_exchanges: exchanges,
    accepted_accounts_records: accountRecords,
    rejected: c.rejected,
    rejected_by_reason: c.rejectedByReason,
    duplicates: c.duplicates,
    late: c.late,
    accounts: results.accounts.length,
    flagged_accounts: results.accounts.filter((a) => a.verdict === 'distillation').length,
    suspicious_accounts: results.accounts.filter((a) => a.verdict === 'suspicious').length,
    campaigns: results.campaigns.length,
    first_event: firstTs === null ? null : toIso(firstTs),
    last_event: lastTs === null ? null : toIso(lastTs),
    wall_time_ms: Math.round(wall),
    events_per_second: Math.round(c.linesRead / Math.max(wall / 1000, 1e-3)),
  };
  await writeNdjson(join(out, 'accounts.ndjson'), results.accounts);
  await writeNdjson(join(out, 'campaigns.ndjson'), results.campaigns);
  await writeFile(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const scanResult = { summary, ...results };
  await writeFile(join(out, 'report.html'), renderReport(scanResult));
  if (opts.store) {
    await opts.store.writeScan(scanResult);
  } else {
    const store = await openDuckDbStore(db);
    try {
      await store.writeScan(scanResult);
    } finally {
      await store.close();
    }
  }
  times?.add('output', tOut);
  const intelNote = await intel.finish(out);
  if (!opts.quiet) {
    if (intelNote) process.stderr.write(`distillguard: ${intelNote}\n`);
    process.stderr.write(
      `distillguard: ${summary.lines_read} lines, ${summary.accepted} accepted, ${summary.rejected} rejected, ` +
        `${summary.duplicates} duplicates; ${summary.accounts} accounts with exchanges${knownOnly(engine.observer.list.length, summary.accounts)}, ${summary.flagged_accounts} distillation, ` +
        `${summary.suspicious_accounts} suspicious, ${summary.campaigns} campaigns` +
        `${decisions.length ? `, ${decisionsApplied} of ${decisions.length} analyst decisions applied` : ''} → ${out}\n`,
    );
  }
  return { summary, results, db, knownAccounts: engine.observer.list.length, actions: act, engine };
}

/** Accounts known only from their account records (signed up, never sent an exchange) are not scored. */
export function knownOnly(known: number, withExchanges: number): string {
  const idle = known - withExchanges;
  return idle > 0 ? ` (${idle.toLocaleString('en')} more known only from account records: signed up, sent nothing)` : '';
}

/** Total size of the inputs on disk; null when one is standard input. */
async function inputBytes(inputs: readonly string[]): Promise<number | null> {
  if (inputs.includes('-')) return null;
  let n = 0;
  for (const f of inputs) n += (await stat(f)).size;
  return n;
}

function rejectionLine(r: Rejection): string {
  return `${JSON.stringify({ file: r.file, line: r.line, stage: r.stage, reason: r.reason, detail: r.detail, raw: r.raw })}\n`;
}

async function writeNdjson(path: string, rows: readonly object[]): Promise<void> {
  const w = createWriteStream(path);
  for (const r of rows) {
    if (!w.write(`${JSON.stringify(r)}\n`)) await once(w, 'drain');
  }
  w.end();
  await once(w, 'finish');
}

/** One line per stage: milliseconds and share of the timed total. */
export function formatStageTimes(times: StageTimes): string {
  const total = Math.max(times.total(), 1e-9);
  const lines = STAGES.map((s) => `  ${s.padEnd(15)} ${Math.round(times.ms[s]).toLocaleString('en').padStart(9)} ms ${((100 * times.ms[s]) / total).toFixed(1).padStart(5)}%`);
  return `stage times:\n${lines.join('\n')}\n`;
}
