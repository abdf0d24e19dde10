// A cluster's history replayed into a fresh engine, for a backtest: the record stream (dg.rec.*) read
// from its first message to the last one it held when the replay started, through a fresh JudgeState
// (the judge's own order stage across partitions and engine), with the analyst decisions applied where
// they are in the stream. Policy changes are read past: a backtest asks what the given policies would
// have done, and policies do not feed back into detection. The single-node counterpart, over serve's
// ingest log, is src/server/history.ts.
import { jetstream, DeliverPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CanonicalRecord } from '../core/records.js';
import type { EngineConfig } from '../config/schema.js';
import type { Engine } from '../engine/engine.js';
import { ensureRecordStreams, partitionOfSubject, readStreamItem, RECORD_STREAM } from './record-stream.js';
import { JudgeState } from './judge-state.js';
import { ANALYST_SUBJECT, readAnalystMessage } from './analyst-decisions.js';
import { POLICY_SUBJECT } from './policy-messages.js';
import type { LoadedPolicy } from '../act/policy-load.js';
import { backtestOutcome, type BacktestOutcome } from '../act/backtest.js';
import type { Truth } from '../eval/truth.js';
import { attachPolicies } from '../server/history.js';

/** The judge's default --partition-idle (s): a replay must use the judge's value to judge as it did. */
export const DEFAULT_PARTITION_IDLE_S = 300;

export interface StreamHistoryOptions {
  nc: NatsConnection;
  cfg: EngineConfig;
  /** Stages after the engine (policy stages), attached before the first record. */
  attach: (engine: Engine) => (r: CanonicalRecord) => void;
  /** As the judge's --partition-idle (ms of publish time): the replay must use the judge's value to judge as it did. */
  idleMs: number;
  /** Messages between two yields to the event loop. */
  sliceMessages?: number;
}

export interface StreamHistoryOutcome {
  engine: Engine;
  /** Stream messages read (records, watermarks, decisions, policy changes). */
  messages: number;
  /** Records the engine consumed. */
  records: number;
  /** Analyst decisions applied, and refused (with the judge's reasons). */
  decisions: number;
  refusedDecisions: number;
  /** The last stream sequence replayed. */
  lastSeq: number;
}

export async function replayStream(o: StreamHistoryOptions): Promise<StreamHistoryOutcome> {
  const jsm = await ensureRecordStreams(o.nc);
  const { first_seq: first, last_seq: last, messages: held } = (await jsm.streams.info(RECORD_STREAM)).state;
  // A stream that lost its first messages (max age, max bytes) cannot be replayed as the judge saw it.
  if (held > 0 && first > 1) throw new Error(`the record stream no longer holds messages 1 to ${first - 1} (aged out): a replay would miss their records, so no backtest is made from it`);
  const state = new JudgeState(o.cfg, { idleMs: o.idleMs, attach: o.attach });
  const out: StreamHistoryOutcome = { engine: state.engine, messages: 0, records: 0, decisions: 0, refusedDecisions: 0, lastSeq: 0 };
  if (held === 0) return out;
  // An ordered consumer: ephemeral, in sequence, re-created by the client past any gap. The stream's
  // only subjects are dg.rec.* (no filter: nats-server before 2.10 refuses filter_subjects).
  const consumer = await jetstream(o.nc).consumers.get(RECORD_STREAM, { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume({ max_messages: 256 });
  const slice = o.sliceMessages ?? 200;
  try {
    for await (const m of messages) {
      try {
        if (m.subject === ANALYST_SUBJECT) {
          const r = state.applyDecision(m.seq, readAnalystMessage(m.data));
          if (r?.applied) out.decisions++;
          else if (r) out.refusedDecisions++;
        } else if (m.subject === POLICY_SUBJECT) state.takeControl(m.seq);
        else state.apply(m.seq, partitionOfSubject(m.subject), m.time.getTime(), readStreamItem(m.data, m.headers));
      } catch (e) {
        throw new Error(`record stream message ${m.seq} (${m.subject}) is unreadable: ${(e as Error).message}`);
      }
      out.messages++;
      out.lastSeq = m.seq;
      if (m.seq >= last) break;
      if (out.messages % slice === 0) await new Promise((r) => setImmediate(r));
    }
  } finally {
    await messages.close();
  }
  out.records = state.counts.consumed;
  return out;
}

/**
 * Backtests policies on a cluster's history: one replay of the record stream, one act stage per
 * policy (as src/server/history.ts's backtestHistory does over serve's ingest log).
 */
export async function backtestStream(o: Omit<StreamHistoryOptions, 'attach'>, policies: readonly LoadedPolicy[], truth?: Truth): Promise<BacktestOutcome & Omit<StreamHistoryOutcome, 'engine'>> {
  const { runs, attach } = attachPolicies(policies);
  const { engine: _engine, ...counts } = await replayStream({ ...o, attach });
  return { ...backtestOutcome(runs, truth), ...counts };
}
