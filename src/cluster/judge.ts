// `distillguard judge --nats URL --pg URL --dir DIR`: the cluster's engine. It reads the record stream
// (src/cluster/record-stream.ts) with its durable consumer, in stream order, applies each message to
// its state (./judge-state.ts: order stage across partitions, engine), writes results to PostgreSQL
// (the StoreWriter serve uses), records verdict changes in the audit log and publishes them on
// `dg.decisions` for gateways, and checkpoints its state with the stream sequence it covers.
//
// Restart: the newest checkpoint in DIR that reads back is restored (as serve restores its own,
// src/server/checkpoints.ts) and the consumer is set to start at the message after its sequence, so
// the messages since are applied exactly once and nothing before it is read again. With no usable
// checkpoint the stream is read from its first message. The consumer's position is the checkpoint's
// (it is re-created at each start), never the server's: state and position are one cut.
//
// One loop does everything in turn (fetch a slice of messages, apply them, then the periodic work:
// verdict changes out, store refresh, checkpoint), so a checkpoint is always taken between messages
// and after the changes they made have been published.
import { jetstream, AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import type { Summary } from '../core/output.js';
import { REJECT_CODES, type RejectCode } from '../core/rejections.js';
import { toIso } from '../core/time.js';
import type { VerdictChange } from '../judge/judge.js';
import type { OutputCounts } from '../server/output-delta.js';
import { StoreWriter, type StorePacing } from '../server/store-writer.js';
import type { AuditEntry, Store } from '../store/store.js';
import { policyAuditEntry, verdictAuditEntries, type PolicyEvent } from './decision-events.js';
import { DECISION_SUBJECT, ensureRecordStreams, JUDGE_DURABLE, partitionOfSubject, readStreamItem, RECORD_STREAM } from './record-stream.js';
import type { JudgeState, AnalystOutcome } from './judge-state.js';
import { restoreJudgeState, saveJudgeCheckpoint } from './judge-restore.js';
import { ANALYST_SUBJECT, readAnalystMessage } from './analyst-decisions.js';
import { recordAnalystOutcome } from './analyst-record.js';
import { POLICY_SUBJECT, readPolicyMessage, type PolicyMessage } from './policy-messages.js';
import { publishOnce } from './streams.js';
import { actionAuditEntry, Gateway } from '../server/gateway.js';
import { parsePolicy, type LoadedPolicy } from '../act/policy-load.js';

export interface JudgeOptions {
  nc: NatsConnection;
  store: Store;
  cfg: EngineConfig;
  /** The policy deciding actions (`--policy`, else the shipped default); taking effect at start when it changed since the last. */
  policy: LoadedPolicy;
  /** Told the audit entries newly written (verdict and action changes): webhooks. */
  onAudit?: (fresh: AuditEntry[]) => void;
  /** Folder of the judge's checkpoints. */
  dir: string;
  /** Wall ms between checkpoints (taken only when messages were applied since the last); 0: only at a clean stop. */
  checkpointEveryMs?: number;
  /** Checkpoints kept. */
  checkpointKeep?: number;
  /** Wall ms between store refreshes. */
  flushMs?: number;
  /** Publish-time ms after which a silent partition stops holding the others back. */
  idleMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Messages a fetch asks for (a round between the periodic work); each is at most the server's max_payload (1 MiB by default). */
const FETCH_MESSAGES = 64;
/**
 * The judge's store is serve --cluster's read path (single-node serve reads its in-memory snapshot
 * and keeps the store behind): spaced like a refresh, and never more than 2 s after the last write.
 */
const JUDGE_STORE_PACING: StorePacing = { storeSpacing: 3, maxStoreWaitMs: 2000 };
/** A store write at least this long is logged (wall ms). */
const SLOW_STORE_WRITE_MS = 2000;

export class ClusterJudge {
  private readonly js: JetStreamClient;
  private readonly writer: StoreWriter;
  private changes: VerdictChange[] = [];
  /** Analyst decisions applied (or refused) since the last publish, to record. */
  private readonly decided: AnalystOutcome[] = [];
  /** Enforced action changes and policy versions, in the order the policy stage made them, for dg.decisions. */
  private readonly actions: (AuditEntry | PolicyEvent)[] = [];
  private lastCheckpointSeq = 0;
  checkpoints = 0;
  /** Times a message was missing from what the client delivered and the consumer was re-created at it. */
  gaps = 0;
  /** Wall ms the start took: restoring the checkpoint (or nothing) and writing the state to the store. */
  startMs = 0;

  private constructor(
    private readonly o: JudgeOptions,
    readonly state: JudgeState,
    private readonly jsm: JetStreamManager,
    readonly restoredSeq: number | null,
    /** The policy stage on the engine, with its audit of action changes and policy versions (single-node serve's). */
    readonly gateway: Gateway,
  ) {
    this.js = jetstream(o.nc);
    this.writer = new StoreWriter(o.store, state.engine, emailKeyOf(o.cfg), () => ({
      judgedThrough: this.judgedThrough(),
      engineClock: Number.isFinite(state.engine.now) ? toIso(state.engine.now) : null,
      consumed: state.counts.consumed,
    }), undefined, JUDGE_STORE_PACING);
    // serve --cluster reads this store: a slow write delays what it shows, so the judge says so.
    this.writer.onStoreWrite((info, w) => {
      if (w.ms >= SLOW_STORE_WRITE_MS) o.log?.(`distillguard: judge: store write of refresh ${info.refresh} took ${Math.round(w.ms)} ms (${Object.entries(w.rows).map(([t, n]) => `${t} ${n}`).join(', ')})`);
    });
    state.onVerdict = (c) => this.changes.push(c);
    // Subscribed without a replay of the restored recent changes: those were published before the checkpoint.
    gateway.subscribe(undefined, (_seq, line) => this.actions.push(actionAuditEntry(line)));
    gateway.onPolicy(() => this.actions.push(policyAuditEntry(gateway.current.version, this.eventTime())));
    this.lastCheckpointSeq = restoredSeq ?? 0;
  }

  /** Restores the newest usable checkpoint of `o.dir` (else starts empty) and publishes the state to the store. */
  static async open(o: JudgeOptions): Promise<ClusterJudge> {
    const t0 = performance.now();
    const jsm = await ensureRecordStreams(o.nc);
    // The policy history (reloads at their positions) comes from the store's audit, as in single-node serve.
    const gateway = await Gateway.open(o.store, o.policy);
    // Each attempt, and the fresh start after failed ones, attaches (and so starts over) the gateway.
    const restored = await restoreJudgeState({ cfg: o.cfg, dir: o.dir, gateway, idleMs: o.idleMs });
    for (const note of restored.skipped) o.log?.(`distillguard: judge: checkpoint skipped: ${note}`);
    const judge = new ClusterJudge(o, restored.state, jsm, restored.from?.seq ?? null, gateway);
    // Refresh numbers go on from the store's: serve --cluster pages by them across judge restarts.
    judge.writer.numberAfter((await o.store.snapshot(async () => null)).refresh?.refresh ?? 0);
    await judge.writer.writeFull((c) => judge.summary(c));
    // Action changes pending in the checkpoint go to the audit; a policy file changed since the last start takes effect now.
    await gateway.start((entries) => o.onAudit?.(entries));
    judge.startMs = performance.now() - t0;
    return judge;
  }

  /** Reads the stream until `signal` aborts, then publishes what is pending, checkpoints and writes the store one last time. */
  async run(): Promise<void> {
    const { o, state } = this;
    let next = await this.firstToRead();
    let consumer = await this.consumerFrom(next);
    const flushMs = o.flushMs ?? 1000;
    const everyMs = o.checkpointEveryMs ?? 60_000;
    let nextFlush = Date.now() + flushMs;
    let nextCheckpoint = everyMs > 0 ? Date.now() + everyMs : Infinity;
    while (!o.signal?.aborted) {
      const batch = await consumer.fetch({ max_messages: FETCH_MESSAGES, expires: 5000 });
      const stop = (): void => void batch.stop();
      o.signal?.addEventListener('abort', stop, { once: true });
      let gap = false;
      for await (const m of batch) {
        if (m.seq < next) continue;
        if (m.seq > next) {
          // A message the client dropped (slow consumer, a missed heartbeat): never skipped, read again from it.
          gap = true;
          batch.stop();
          break;
        }
        if (m.subject === ANALYST_SUBJECT) {
          let d;
          try {
            d = readAnalystMessage(m.data);
          } catch (e) {
            throw new Error(`record stream message ${m.seq} (${m.subject}) is unreadable: ${(e as Error).message}`);
          }
          const outcome = state.applyDecision(m.seq, d);
          if (outcome) this.decided.push(outcome);
        } else if (m.subject === POLICY_SUBJECT) {
          let p;
          try {
            p = readPolicyMessage(m.data);
          } catch (e) {
            throw new Error(`record stream message ${m.seq} (${m.subject}) is unreadable: ${(e as Error).message}`);
          }
          if (state.takeControl(m.seq)) await this.applyPolicy(m.seq, p);
        } else {
          let item;
          try {
            item = readStreamItem(m.data, m.headers);
          } catch (e) {
            throw new Error(`record stream message ${m.seq} (${m.subject}) is unreadable: ${(e as Error).message}`);
          }
          state.apply(m.seq, partitionOfSubject(m.subject), m.time.getTime(), item);
        }
        next = m.seq + 1;
      }
      o.signal?.removeEventListener('abort', stop);
      if (gap) {
        this.gaps++;
        await this.stillHeld(next);
        consumer = await this.consumerFrom(next);
        continue;
      }
      if (this.changes.length > 0 || this.actions.length > 0 || this.decided.length > 0) await this.publishChanges();
      const now = Date.now();
      if (now >= nextFlush) {
        await this.writer.flush(this.version(), (c) => this.summary(c));
        nextFlush = now + flushMs;
      }
      if (now >= nextCheckpoint) {
        await this.checkpoint();
        nextCheckpoint = Date.now() + everyMs;
      }
    }
    await this.publishChanges();
    await this.checkpoint();
    await this.writer.flush(this.version(), (c) => this.summary(c), true);
    await this.gateway.close();
  }

  /**
   * The first message to apply: the one after the checkpoint's, which the stream must still hold
   * (else the judge would silently skip records: it refuses, naming the gap). A judge without a
   * checkpoint starts at the stream's first message.
   */
  private async firstToRead(): Promise<number> {
    const next = this.state.streamSeq + 1;
    const { first_seq: first } = (await this.jsm.streams.info(RECORD_STREAM)).state;
    if (this.state.streamSeq === 0) return Math.max(1, first);
    await this.stillHeld(next);
    return next;
  }

  /** Throws when the stream no longer holds message `seq` (it aged out before the judge read it). */
  private async stillHeld(seq: number): Promise<void> {
    const { first_seq: first, last_seq: last } = (await this.jsm.streams.info(RECORD_STREAM)).state;
    if (first > seq && last >= seq) throw new Error(`the record stream no longer holds messages ${seq} to ${first - 1} (they aged out before the judge read them): the results would miss their records; restore a newer checkpoint or raise the stream's max age`);
  }

  /** The durable consumer, re-created to start at `seq` (the checkpoint's position, not the server's). */
  private async consumerFrom(seq: number): ReturnType<JetStreamClient['consumers']['get']> {
    await this.jsm.consumers.delete(RECORD_STREAM, JUDGE_DURABLE).catch(() => undefined);
    await this.jsm.consumers.add(RECORD_STREAM, {
      durable_name: JUDGE_DURABLE,
      filter_subject: 'dg.rec.*',
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: seq,
    });
    return this.js.consumers.get(RECORD_STREAM, JUDGE_DURABLE);
  }

  /**
   * Verdict changes, then enforced action changes and policy versions, to gateways (dg.decisions, id =
   * the audit entry's); verdict changes then to the audit log (the gateway writes its own entries).
   */
  private async publishChanges(): Promise<void> {
    await this.recordDecisions();
    const changes = this.changes.splice(0);
    const actions = this.actions.splice(0);
    if (changes.length === 0 && actions.length === 0) return;
    const entries: AuditEntry[] = verdictAuditEntries(this.state.engine, changes);
    for (const e of [...entries, ...actions]) await publishOnce(this.js, DECISION_SUBJECT, JSON.stringify(e), { msgID: e.id });
    if (entries.length === 0) return;
    const fresh = await this.o.store.appendAudit(entries);
    if (fresh.length > 0) this.o.onAudit?.(fresh);
  }

  /**
   * Analyst decisions the judge read, into the decision store (when the engine applied them) and the
   * audit, each once however often a replay applies them (analyst-record.ts). One at a time, taken off
   * the queue once written: a failed write leaves it and those after it for the next call.
   */
  private async recordDecisions(): Promise<void> {
    while (this.decided.length > 0) {
      await recordAnalystOutcome(this.o.store, this.decided[0]);
      this.decided.shift();
    }
  }

  /**
   * A policy change read from the stream: the policy stage reloads here, at the records consumed so far
   * (audited as a policy_change by the gateway, published on dg.decisions). Serve validated the text
   * with the same parser; one this judge cannot read (another version's) is logged and skipped.
   */
  private async applyPolicy(seq: number, m: PolicyMessage): Promise<void> {
    let loaded: LoadedPolicy;
    try {
      loaded = parsePolicy(m.text, `the policy change at stream sequence ${seq}`);
    } catch (e) {
      this.o.log?.(`distillguard: judge: ${(e as Error).message}; the policy in force stays`);
      return;
    }
    await this.gateway.reload(loaded, m.actor, seq);
  }

  /** The engine's clock as RFC 3339 (the wall clock before the first record). */
  private eventTime(): string {
    const now = this.state.engine.now;
    return toIso(Number.isFinite(now) ? now : Date.now());
  }

  /** A checkpoint now (between two messages), kept with the newest `keep`; none when nothing was applied since the last. */
  async checkpoint(): Promise<void> {
    const seq = this.state.streamSeq;
    if (seq === 0 || seq === this.lastCheckpointSeq) return;
    await this.publishChanges();
    const w = await saveJudgeCheckpoint(this.o.dir, this.state, this.o.checkpointKeep ?? 2);
    this.lastCheckpointSeq = w.seq;
    this.checkpoints++;
    this.o.log?.(`distillguard: judge: checkpoint at stream sequence ${w.seq} (${w.bytes} bytes, encoded in ${Math.round(w.encodeMs)} ms)`);
  }

  /** Moves whenever the results may have changed. */
  private version(): number {
    return this.state.counts.messages + this.state.counts.consumed;
  }

  /** The last tick judged: the tick boundary before the engine's clock. */
  private judgedThrough(): string | null {
    const clock = this.state.engine.now;
    if (!Number.isFinite(clock)) return null;
    const step = this.o.cfg.judgeIntervalMs;
    return toIso(Math.ceil(clock / step) * step - step);
  }

  /** summary.json's shape over the records the judge has read (serve's own rejections are in serve's receipts). */
  summary(w: OutputCounts = this.writer.lastCounts): Summary {
    const c = this.state.counts;
    const byReason = Object.fromEntries(REJECT_CODES.map((r) => [r, 0])) as Record<RejectCode, number>;
    byReason.late = c.late;
    return {
      version: 1,
      inputs: ['cluster'],
      lines_read: c.received,
      accepted: c.accepted,
      accepted_exchanges: c.acceptedExchanges,
      accepted_accounts_records: c.acceptedAccountRecords,
      rejected: c.late,
      rejected_by_reason: byReason,
      duplicates: c.duplicates,
      late: c.late,
      accounts: w.accounts,
      flagged_accounts: w.flagged,
      suspicious_accounts: w.suspicious,
      campaigns: w.campaigns,
      first_event: c.firstTs === null ? null : toIso(c.firstTs),
      last_event: c.lastTs === null ? null : toIso(c.lastTs),
      wall_time_ms: 0,
      events_per_second: 0,
    };
  }
}
