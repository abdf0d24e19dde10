// A service's history replayed into a fresh engine, for a backtest: the ingest log read without
// touching it, through a fresh order stage and engine, with the analyst decisions at the points they
// were made — the same path as serve's start-up replay (src/server/live.ts), so the engine judges as
// the service did. Stages attached before the replay see every consumed record after the engine.
import type { EngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import type { CanonicalRecord } from '../core/records.js';
import { Engine } from '../engine/engine.js';
import { emptyBatch } from '../order/pipeline.js';
import { build as buildOrder } from '../order/config.js';
import { build as buildDecode } from '../decode/config.js';
import type { DecisionRecord } from '../store/decision-store.js';
import { engineDecision } from '../act/decisions.js';
import { readIngestLog } from './ingest-log.js';
import { actionLine, policyLabel, type ActionLine } from '../act/action-out.js';
import { backtestOutcome, type BacktestOutcome, type PolicyRun } from '../act/backtest.js';
import type { LoadedPolicy } from '../act/policy-load.js';
import { PolicyStage } from '../act/policy-stage.js';
import type { Truth } from '../eval/truth.js';
import { DEFAULT_SOURCE } from './live.js';

export interface HistoryOptions {
  cfg: EngineConfig;
  logDir: string;
  /** The ingest log's key when it is encrypted at rest. */
  logKey?: Buffer;
  /** The store's analyst decisions; those with a position are applied where they were made. */
  decisions: readonly DecisionRecord[];
  /** Stages after the engine (policy stages), attached before the first record. */
  attach: (engine: Engine) => (r: CanonicalRecord) => void;
  /** As serve's --source-idle (ms): when a silent source stops holding the release point back. */
  sourceIdleMs?: number;
  /** Records between two yields to the event loop (a backtest inside `serve` must not stall it). */
  sliceRecords?: number;
}

export interface HistoryOutcome {
  engine: Engine;
  batches: number;
  records: number;
}

export async function replayHistory(o: HistoryOptions): Promise<HistoryOutcome> {
  const engine = new Engine(o.cfg);
  const ingestor = buildOrder(o.cfg, buildDecode({ emailKey: emailKeyOf(o.cfg) }), { sourceIdleMs: o.sourceIdleMs });
  const stage = o.attach(engine);
  const decisions = o.decisions.filter((d) => d.position !== null).sort((a, b) => a.position! - b.position! || a.id - b.id);
  const slice = o.sliceRecords ?? 20_000;
  let consumed = 0;
  let batches = 0;
  let sinceYield = 0;
  const decide = (): void => {
    while (decisions.length > 0 && decisions[0].position! <= consumed) {
      const d = decisions.shift()!;
      engine.decide(engineDecision(d));
    }
  };
  decide();
  for await (const e of readIngestLog(o.logDir, o.logKey)) {
    batches++;
    const source = e.src ?? DEFAULT_SOURCE;
    const at = e.at ?? 0;
    const out = emptyBatch();
    for (let i = 0; i < e.recs.length; i++) {
      const a = ingestor.admitFrom(source, at, e.recs[i], { file: `batch-${e.seq}`, line: i + 1, text: '', bytes: 0 }, out);
      if (a !== 'accepted') throw new Error(`ingest log batch ${e.seq}: record ${i + 1} was ${a} on replay; the log does not match this engine configuration (max lateness changed?)`);
    }
    if (e.wm !== undefined) ingestor.promiseFrom(source, at, e.wm);
    ingestor.settle(at, out);
    for (const r of out.records) {
      engine.push(r);
      stage(r);
      consumed++;
      if (decisions.length > 0) decide();
    }
    if (e.wm !== undefined) engine.advance(ingestor.watermark);
    sinceYield += e.recs.length;
    if (sinceYield >= slice) {
      sinceYield = 0;
      await new Promise((r) => setImmediate(r));
    }
  }
  return { engine, batches, records: consumed };
}

/** One act stage per policy on one engine, and the hook feeding each every consumed record. */
export function attachPolicies(policies: readonly LoadedPolicy[]): { runs: PolicyRun[]; attach: (engine: Engine) => (r: CanonicalRecord) => void } {
  const runs: PolicyRun[] = [];
  const attach = (engine: Engine): ((r: CanonicalRecord) => void) => {
    for (const p of policies) {
      const stage = new PolicyStage(engine, p.policy);
      const lines: ActionLine[] = [];
      stage.onAction((c) => lines.push(actionLine(c, p.policy)));
      runs.push({ label: policyLabel(p.policy), engine, stage, lines });
    }
    return (r) => {
      for (const run of runs) run.stage.push(r);
    };
  };
  return { runs, attach };
}

/**
 * Backtests policies on a service's history: one replay, one act stage per policy (policies do not
 * feed back into detection, so every policy sees the same verdicts).
 */
export async function backtestHistory(o: Omit<HistoryOptions, 'attach'>, policies: readonly LoadedPolicy[], truth?: Truth): Promise<BacktestOutcome & { batches: number; records: number }> {
  const { runs, attach } = attachPolicies(policies);
  const { batches, records } = await replayHistory({ ...o, attach });
  return { ...backtestOutcome(runs, truth), batches, records };
}
