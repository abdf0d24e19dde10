// bench:split — measures, on a real scan, what a split of the engine by account would exchange at the
// seam Engine.judgeAt cuts along: per account judged at a tick, one delta (its tallies, signals and
// group keys); per group membership moved, one key joined or left; per verdict change, one flag sent
// back to the account's partition. Against the exchanges they replace, that is the compaction ratio.
// It also counts what does NOT partition by account: each exchange's template assignment reads and
// writes the one bucket table (link/templates.ts), so a split needs a shared template service; the
// distinct scaffold windows per partition bound how often a partition would have to ask it.
// Stage times split the engine's CPU into the per-account side and the cross-account side (the judge's
// ceiling in deltas/s is the account judgements over the cross-account seconds).
//
// With --workers 0 (the default) the engine's thread decodes too and the process's CPU time is that
// thread's: the judge's ceiling is then given in CPU seconds, which a loaded machine does not distort
// as it does wall time. With --workers 1 records carry their scaffold windows, which are counted.
//
//   node dist/bench/split-seam.js INPUT [--config FILE] [--partitions 1,2,4,16] [--workers 0|1]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../src/cli/scan.js';
import { StageTimes, type TimedStage } from '../src/core/stage-times.js';
import { murmur3 } from '../src/sketches/hash.js';

/** Stages that depend only on one account's records (they would run in the account's partition). */
const PER_ACCOUNT: readonly TimedStage[] = ['read', 'decode', 'order', 'observe', 'tag', 'judge.signals'];
/** Stages reading or writing state shared across accounts (the judge's side, or a shared service). */
const CROSS_ACCOUNT: readonly TimedStage[] = ['link.keys', 'judge.groups', 'link.pairs', 'judge.verdicts', 'act'];

/** The partition of an account: a stable hash of its id (the same in every process). */
export const partitionOf = (accountId: string, partitions: number): number => (murmur3(accountId, 0x70617274) >>> 0) % partitions;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const input = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!input) throw new Error('usage: split-seam.js INPUT [--config FILE] [--partitions 1,2,4,16]');
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const counts = (opt('--partitions') ?? '1,2,4,16,64').split(',').map(Number);
  const workers = Number(opt('--workers') ?? 0);
  // Exchanges of each account since its last judgement: how many exchanges one delta stands for.
  const sinceJudged: number[] = [];
  const perDelta: number[] = [];
  const out = await mkdtemp(join(tmpdir(), 'split-seam-'));
  const times = new StageTimes();
  // Per partition count: exchanges per partition, and the scaffold windows each partition has seen.
  const perPartition = counts.map((p) => ({ p, exchanges: new Float64Array(p), windows: Array.from({ length: p }, () => new Set<string>()) }));
  let exchanges = 0;
  let accountRecords = 0;
  let verdictChanges = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const { engine, summary } = await runScan({
      inputs: [input],
      out,
      config: opt('--config'),
      quiet: true,
      times,
      workers,
      attach: (engine) => {
        engine.onVerdict(() => verdictChanges++);
        engine.onJudgement((_at, judged) => {
          for (const s of judged) {
            perDelta.push(sinceJudged[s.idx] ?? 0);
            sinceJudged[s.idx] = 0;
          }
        });
        return (r) => {
          if (r.kind !== 'exchange') {
            accountRecords++;
            return;
          }
          exchanges++;
          const idx = engine.observer.accounts.get(r.accountId)!.idx;
          sinceJudged[idx] = (sinceJudged[idx] ?? 0) + 1;
          const w = r.sketch?.templates;
          for (const part of perPartition) {
            const k = partitionOf(r.accountId, part.p);
            part.exchanges[k]++;
            if (w) for (let i = 0; i < w.windows.length; i++) part.windows[k].add(`${w.salts[i]}:${w.windows[i]}`);
          }
        };
      },
    });
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const sum = (stages: readonly TimedStage[]): number => stages.reduce((a, s) => a + times.ms[s], 0) / 1000;
    const deltas = engine.accountJudgements + engine.membershipMoves + verdictChanges;
    const crossS = sum(CROSS_ACCOUNT);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    // The cross-account stages' share of the timed stages, applied to the process's CPU time.
    const share = (crossS * 1000) / times.total();
    const crossCpuS = share * cpuS;
    perDelta.sort((a, b) => a - b);
    const q = (f: number): number => perDelta[Math.min(perDelta.length - 1, Math.floor(f * perDelta.length))];
    const report = {
      input,
      lines: summary.lines_read,
      exchanges,
      account_records: accountRecords,
      accounts: engine.observer.list.length,
      judgements: engine.judgements,
      deltas: {
        account_judgements: engine.accountJudgements,
        membership_moves: engine.membershipMoves,
        verdict_changes: verdictChanges,
        total: deltas,
        per_exchange: round(deltas / exchanges),
        exchanges_per_delta: round(exchanges / deltas),
        exchanges_per_account_judgement: { mean: round(exchanges / engine.accountJudgements), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: perDelta.at(-1) },
      },
      shared_per_exchange: {
        templates_created: engine.linker.templates.size,
        template_creations_per_exchange: round(engine.linker.templates.size / exchanges),
        models: engine.linker.models.latestRelease ? 'a release seen' : 'no release seen',
      },
      partitions: perPartition.map(({ p, exchanges: ex, windows }) => {
        const max = Math.max(...ex);
        const distinct = windows.reduce((a, s) => a + s.size, 0);
        const windowsCounted = workers > 0 ? { distinct_windows: distinct, windows_per_exchange: round(distinct / exchanges) } : { distinct_windows: 'counted with --workers 1' };
        return { partitions: p, max_over_mean: round(max / (exchanges / p)), ...windowsCounted };
      }),
      seconds: {
        wall: round(wallS),
        cpu: round(cpuS),
        decode_workers: workers,
        per_account_stages: round(sum(PER_ACCOUNT)),
        cross_account_stages: round(crossS),
        sketch_and_templates: round(times.ms.sketch / 1000),
        output: round(times.ms.output / 1000),
      },
      cross_account_share: round(share),
      judge_ceiling_deltas_per_s: { wall: Math.round(deltas / crossS), ...(workers === 0 ? { cpu: Math.round(deltas / crossCpuS) } : {}) },
      stage_ms: times.toJSON(),
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
