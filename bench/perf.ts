// bench:perf — `scan` throughput and peak RSS beside the platform's floor (one thread reading the same
// file and JSON.parse-ing every line), measured side by side, alternating, each run in a fresh child
// process; then one scan with stage timing on, for where the time goes. Inputs are simulated once and
// cached outside git (.cache/bench/).
//
//   npm run bench:perf -- [--scales 1] [--seed 1] [--scenario default] [--runs 3] [--json FILE]
//   npm run bench:perf -- --idle 10000,100000,1000000     (mostly-idle accounts: RSS per account)
//   npm run bench:perf -- --idle 100000,1000000 --active-every 0   (accounts without any exchange)
//   npm run bench:perf -- --compare ../other-build        (before/after: that build's scan alternates too)
//   npm run bench:perf -- --scales 0.1,1,10 --runs 1 --skip-stages   (the scaling curve; a table at the end)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSimulate } from '../src/sim/index.js';
import { formatStageTimes, runScan } from '../src/cli/scan.js';
import { StageTimes } from '../src/core/stage-times.js';
import { readLines, DEFAULT_SOURCE_OPTIONS } from '../src/sources/file.js';
import { ACTIVE_EVERY, writeIdleAccounts } from './idle-accounts.js';
import { cliNodeFlags } from './node-flags.js';

/** bin/distillguard.js's node flags (see its first lines). */
const NODE_FLAGS = cliNodeFlags();

/** What one child process reports on its stdout (one JSON line). */
interface ChildResult {
  mode: 'parse' | 'scan' | 'scan-timed' | 'compare';
  lines: number;
  ms: number;
  /** User + system CPU time of the whole process: less sensitive than wall time to a busy machine. */
  cpuMs: number;
  maxRssMiB: number;
  heapUsedMiB: number;
  accounts?: number;
  stages?: Record<string, number>;
  stageText?: string;
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    input: { type: 'string' },
    out: { type: 'string' },
    scenario: { type: 'string', default: 'default' },
    scales: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    idle: { type: 'string' },
    /** With --idle: one account in this many sends one exchange (0: none). */
    'active-every': { type: 'string', default: String(ACTIVE_EVERY) },
    cache: { type: 'string', default: '.cache/bench' },
    json: { type: 'string' },
    compare: { type: 'string' },
    /** No stage-timed scan (at 10x scale it costs as much as the measured runs). */
    'skip-stages': { type: 'boolean', default: false },
  },
});


async function runChild(mode: ChildResult['mode'], input: string, out: string): Promise<ChildResult> {
  const t0 = performance.now();
  let lines = 0;
  let accounts: number | undefined;
  let stages: Record<string, number> | undefined;
  let stageText: string | undefined;
  if (mode === 'parse') {
    // The floor: the same line source scan uses, one JSON.parse per line, nothing else.
    let keep = 0;
    for await (const batch of readLines(input, DEFAULT_SOURCE_OPTIONS)) {
      for (const l of batch) {
        const v = JSON.parse(l.text) as { ts?: unknown };
        if (v.ts !== undefined) keep++;
        lines++;
      }
    }
    if (keep < 0) throw new Error('unreachable');
  } else {
    const times = mode === 'scan-timed' ? new StageTimes() : undefined;
    const r = await runScan({ inputs: [input], out, quiet: true, times });
    lines = r.summary.lines_read;
    accounts = r.summary.accounts;
    if (times) {
      stages = times.toJSON();
      stageText = formatStageTimes(times);
    }
  }
  const ms = performance.now() - t0;
  const mem = process.memoryUsage();
  const ru = process.resourceUsage();
  return { mode, lines, ms, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssMiB: ru.maxRSS / 1024, heapUsedMiB: mem.heapUsed / 2 ** 20, accounts, stages, stageText };
}

async function sameOutputs(a: string, b: string): Promise<boolean> {
  for (const f of ['accounts.ndjson', 'campaigns.ndjson']) {
    const [x, y] = await Promise.all([readFile(join(a, f)), readFile(join(b, f))]);
    if (!x.equals(y)) return false;
  }
  return true;
}

function child(mode: ChildResult['mode'], input: string, out: string): ChildResult {
  // `compare`: the same child runner in another build (its dist/bench/perf.js), scanning untimed.
  const self = mode === 'compare' ? resolve(values.compare!, 'dist/bench/perf.js') : fileURLToPath(import.meta.url);
  const args = [self, '--child', mode === 'compare' ? 'scan' : mode, '--input', input, '--out', out];
  // Every child with the node flags bin/distillguard.js runs with (its shebang), floor included: the
  // same runtime for both sides of the ratio, and for the compared build.
  const p = spawnSync(process.execPath, [...NODE_FLAGS, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (p.status !== 0) throw new Error(`bench child ${mode} failed (${p.status}): ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').pop()!) as ChildResult;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number): string => Math.round(x).toLocaleString('en');

async function measure(input: string, runs: number, label: string): Promise<Record<string, unknown>> {
  const out = resolve(values.cache!, `scan-out-${process.pid}`);
  const otherOut = resolve(values.cache!, `scan-out-compare-${process.pid}`);
  const parse: ChildResult[] = [];
  const scan: ChildResult[] = [];
  const other: ChildResult[] = [];
  // Alternate so a noisy neighbour hits both sides alike.
  for (let i = 0; i < runs; i++) {
    parse.push(child('parse', input, out));
    scan.push(child('scan', input, out));
    if (values.compare) other.push(child('compare', input, otherOut));
  }
  // The guard of every optimization: the other build's verdicts and campaigns, byte for byte.
  const identical = values.compare ? await sameOutputs(out, otherOut) : undefined;
  const timed = values['skip-stages'] ? undefined : child('scan-timed', input, out);
  await rm(out, { recursive: true, force: true });
  await rm(otherOut, { recursive: true, force: true });
  const lines = scan[0].lines;
  const parseRate = median(parse.map((r) => r.lines / (r.ms / 1000)));
  const scanRate = median(scan.map((r) => r.lines / (r.ms / 1000)));
  const res = {
    input: label,
    lines,
    accounts: scan[0].accounts,
    runs,
    parse_lines_per_second: Math.round(parseRate),
    scan_events_per_second: Math.round(scanRate),
    ratio_scan_to_parse: Math.round((scanRate / parseRate) * 1000) / 1000,
    scan_ms: scan.map((r) => Math.round(r.ms)),
    scan_cpu_ms: scan.map((r) => Math.round(r.cpuMs)),
    parse_cpu_ms: parse.map((r) => Math.round(r.cpuMs)),
    parse_ms: parse.map((r) => Math.round(r.ms)),
    scan_peak_rss_mib: Math.round(median(scan.map((r) => r.maxRssMiB))),
    parse_peak_rss_mib: Math.round(median(parse.map((r) => r.maxRssMiB))),
    scan_heap_used_mib: Math.round(median(scan.map((r) => r.heapUsedMiB))),
    timed_scan_ms: timed && Math.round(timed.ms),
    stages_ms: timed?.stages,
    ...(values.compare
      ? {
          compare_build: values.compare,
          compare_events_per_second: Math.round(median(other.map((r) => r.lines / (r.ms / 1000)))),
          compare_ms: other.map((r) => Math.round(r.ms)),
          compare_cpu_ms: other.map((r) => Math.round(r.cpuMs)),
          // Builds older than the CPU-time report give no cpuMs: no ratio rather than NaN.
          // Despite its name (kept: the result files carry it), the compared build's CPU over this build's: > 1 is this build cheaper.
          cpu_ratio_this_to_compare: other.every((r) => Number.isFinite(r.cpuMs)) ? Math.round((median(other.map((r) => r.cpuMs)) / median(scan.map((r) => r.cpuMs))) * 100) / 100 : null,
          compare_peak_rss_mib: Math.round(median(other.map((r) => r.maxRssMiB))),
          compare_outputs_identical: identical,
        }
      : {}),
  };
  console.log(`\n## ${label}: ${fmt(lines)} lines, ${fmt(scan[0].accounts ?? 0)} accounts (medians of ${runs}, alternating)`);
  console.log(`  parse floor  ${fmt(parseRate).padStart(9)} lines/s   peak RSS ${fmt(res.parse_peak_rss_mib)} MiB`);
  console.log(`  scan         ${fmt(scanRate).padStart(9)} events/s  peak RSS ${fmt(res.scan_peak_rss_mib)} MiB   heap ${fmt(res.scan_heap_used_mib)} MiB`);
  console.log(`  ratio scan/parse ${res.ratio_scan_to_parse} (wall); CPU s: scan ${(median(scan.map((r) => r.cpuMs)) / 1000).toFixed(1)}, parse ${(median(parse.map((r) => r.cpuMs)) / 1000).toFixed(1)}`);
  if (res.compare_events_per_second !== undefined) {
    console.log(
      `  compare      ${fmt(res.compare_events_per_second).padStart(9)} events/s  peak RSS ${fmt(res.compare_peak_rss_mib!)} MiB  (${values.compare}); ` +
        `this build ${(scanRate / res.compare_events_per_second).toFixed(2)}x wall, ${res.cpu_ratio_this_to_compare == null ? 'CPU time not reported by that build' : `CPU time ${(1 / res.cpu_ratio_this_to_compare).toFixed(2)} of that build's`}; accounts.ndjson and campaigns.ndjson ${identical ? 'identical' : 'DIFFER'}`,
    );
  }
  if (timed) console.log(`  timed scan ${fmt(timed.ms)} ms; ${timed.stageText ?? ''}`);
  return res;
}

async function main(): Promise<void> {
  const seed = Number(values.seed);
  const runs = Number(values.runs);
  const results: Record<string, unknown> = {};
  console.log(`bench:perf node ${process.version}, ${(await import('node:os')).cpus().length} cores; parse on one thread, scan as the CLI runs it`);
  if (values.idle) {
    let prev: { n: number; rss: number } | undefined;
    const every = Number(values['active-every']);
    if (!(Number.isInteger(every) && every >= 0)) throw new Error(`--active-every: expected a whole number >= 0, got ${values['active-every']}`);
    const kind = every === 0 ? 'idle' : every === ACTIVE_EVERY ? 'mostly-idle' : `1-in-${every}-active`;
    const tag = every === ACTIVE_EVERY ? '' : `-active${every}`;
    for (const n of values.idle.split(',').map(Number)) {
      const dir = join(values.cache!, `idle-${n}${tag}`);
      const input = join(dir, 'input.ndjson');
      if (!existsSync(input)) {
        await mkdir(dir, { recursive: true });
        await writeIdleAccounts(input, n, every);
      }
      const r = await measure(input, runs, `${fmt(n)} ${kind} accounts`);
      const cur = { n, rss: r.scan_peak_rss_mib as number };
      if (prev) {
        // The steady-state cost of one more (mostly idle) account: the slope between two sizes.
        r.rss_bytes_per_account = Math.round(((cur.rss - prev.rss) * 2 ** 20) / (n - prev.n));
        console.log(`  per account (peak RSS slope from ${fmt(prev.n)} accounts): ${fmt(r.rss_bytes_per_account as number)} B`);
      }
      prev = cur;
      results[`idle-${n}${tag}`] = r;
    }
  } else {
    for (const scale of values.scales!.split(',').map(Number)) {
      const dir = join(values.cache!, `${values.scenario}-s${scale}-seed${seed}`);
      const input = join(dir, 'input.ndjson');
      if (!existsSync(join(dir, 'truth.json'))) {
        console.log(`simulating ${values.scenario} scale ${scale} seed ${seed} → ${dir} (once, cached)`);
        await runSimulate({ scenario: values.scenario!, scale, seed, out: dir });
      }
      results[`${values.scenario}-s${scale}`] = await measure(input, runs, `${values.scenario} scale ${scale} seed ${seed}`);
    }
  }
  printCurve(results);
  const jsonPath = values.json ?? (values.idle ? 'bench/results/perf-idle.json' : `bench/results/perf-${values.scenario}.json`);
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFile(jsonPath, `${JSON.stringify({ node: process.version, seed, results }, null, 2)}\n`);
  console.log(`\nfigures written to ${jsonPath}`);
}

/** The scaling curve: one row per input measured. */
function printCurve(results: Record<string, unknown>): void {
  const rows = Object.entries(results) as [string, Record<string, number>][];
  if (rows.length < 2) return;
  console.log('\n## scaling curve');
  console.log('| input | lines | accounts | scan events/s | parse lines/s | scan/parse | scan peak RSS MiB | B/account (RSS slope) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [k, r] of rows) {
    const slope = r.rss_bytes_per_account === undefined ? '' : fmt(r.rss_bytes_per_account);
    console.log(`| ${k} | ${fmt(r.lines)} | ${fmt(r.accounts)} | ${fmt(r.scan_events_per_second)} | ${fmt(r.parse_lines_per_second)} | ${r.ratio_scan_to_parse} | ${fmt(r.scan_peak_rss_mib)} | ${slope} |`);
  }
}

if (values.child) {
  const r = await runChild(values.child as ChildResult['mode'], values.input!, values.out!);
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else {
  await main();
}
