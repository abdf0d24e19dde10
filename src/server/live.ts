// The live service: batches in → order stage → durable ingest log → the one online engine → store.
//
//   submit(batch): lateness + dedupe + ordering (synchronous, in arrival order), then the accepted
//                  records are appended to the ingest log; the promise resolves once fsync'd.
//   consumer:      feeds released records to the engine in short slices (the event loop stays free
//                  for HTTP), only once the batch that released them is durable.
//   flusher:       every `flushMs` writes what changed (accounts, campaigns, daily, summary) to the
//                  store; verdict changes go to the audit log and to `onAudit` listeners (webhooks).
//
// Restart: the log is replayed through the same Ingestor and Engine, so state, dedupe table and
// verdicts are those the live service had (event time drives everything; wall time only decides
// when the store is refreshed). The engine never calls finish(): the last tick is judged when a
// record after it arrives, exactly as in a replay (docs/serve.md, "The last tick").
import type { EngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import type { Summary } from '../core/output.js';
import type { CanonicalRecord, Millis } from '../core/records.js';
import { REJECT_CODES, type RejectCode, type Rejection } from '../core/rejections.js';
import { toIso } from '../core/time.js';
import { verdictAuditEntries } from '../cluster/decision-events.js';
import { newestAudit } from './audit-as-of.js';
import type { DecodeContext } from '../decode/index.js';
import { emptyBatch, type Ingestor } from '../order/pipeline.js';
import { build as buildOrder } from '../order/config.js';
import { build as buildDecode } from '../decode/config.js';
import { Engine } from '../engine/engine.js';
import type { VerdictChange } from '../judge/judge.js';
import type { RawLine } from '../sources/file.js';
import type { AuditEntry, Store } from '../store/store.js';
import { IngestLog, segmentPath, type LogEntry } from './ingest-log.js';
import type { IngestTimeline } from './ingest-timeline.js';
import { stat } from 'node:fs/promises';
import type { DecisionRecord, DecisionStore } from '../store/decision-store.js';
import type { DecisionAction, DecisionInput } from '../judge/decisions.js';
import { ApiError } from './errors.js';
import { engineDecision } from '../act/decisions.js';
import { StoreWriter } from './store-writer.js';
import { Coalesced } from './coalesced.js';
import { IdempotencyKeys } from './idempotency.js';
import type { OutputCounts } from './output-delta.js';
import type { RefreshPoint } from './store-writer.js';
import type { ResultsSnapshot } from './results-view.js';
import { joinKinds, type StateKinds } from '../core/state-graph.js';
import { CheckpointError, loadCheckpoint, readCheckpointHeader, sealCheckpoint, type CheckpointSpec } from '../engine/checkpoint.js';
import { StateGraphWriter } from '../core/state-graph.js';
import { ENGINE_KINDS } from '../engine/state-kinds.js';
import { ACT_KINDS } from '../act/state-kinds.js';
import { restoreNewest, saveAndPrune, type CheckpointFile, type CheckpointSettings, type CheckpointWritten, type ServeCheckpointMeta } from './checkpoints.js';

/** Exponential smoothing of a rate: recent windows count most, one odd window does not swing it. */
function smooth(prev: number, next: number): number {
  return prev === 0 ? next : 0.7 * prev + 0.3 * next;
}

/** One decoded input item of a batch: the record (or its rejection) and the raw text it came from. */
export interface BatchItem {
  raw: RawLine;
  rec: CanonicalRecord | Rejection;
  /**
   * The record's JSON as decoded, when it was decoded on a worker (its exchange then arrives with
   * its sketch and without its text): what the ingest log keeps. All or none of a batch's records have it.
   */
  json?: Buffer;
}

/** What a client learns about its batch (the HTTP answer's body). */
export interface BatchReceipt {
  batch: number;
  received: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejected_by_reason: Partial<Record<RejectCode, number>>;
  /** The first rejections (line, reason, detail), so a client can fix its input. */
  rejections: { line: number; reason: RejectCode; detail: string }[];
  /** True when this is the receipt of an earlier batch with the same Idempotency-Key (nothing new was taken). */
  replayed?: boolean;
}

export interface LiveOptions {
  cfg: EngineConfig;
  store: Store;
  logDir: string;
  /** Records accepted but not yet consumed by the engine above which ingest answers 429. */
  highWater?: number;
  /** The same backlog in bytes (prompt and system text, ~200 bytes of fields a record) above which ingest answers 429. */
  highWaterBytes?: number;
  /** 32-byte key: the ingest log is encrypted at rest (AES-256-GCM per segment). */
  logKey?: Buffer;
  /** Delete ingest log segments last written longer ago than this (ms). */
  logRetentionMs?: number;
  /** How often the read view is refreshed (wall ms). */
  flushMs?: number;
  /** Least wall ms between two store writes (behind the read view); default 5000. */
  storeEveryMs?: number;
  /**
   * Wall seconds of event processing the engine may be behind (accepted records not yet consumed,
   * at its measured rate) before ingest answers 429. Default 5.
   */
  maxBehindSeconds?: number;
  /** Longest engine slice before yielding to the event loop (wall ms). */
  sliceMs?: number;
  segmentBytes?: number;
  /** Wall ms after which a silent source stops holding the release point back (per-source event time). */
  sourceIdleMs?: number;
  /** Wall clock (tests). */
  now?: () => number;
  /** A stage after the engine (the gateway's policy stage, src/server/gateway.ts): attached before the replay, fed every record the engine consumes. */
  attach?: (engine: Engine) => (r: CanonicalRecord) => void;
  /** Periodic checkpoints beside the ingest log (src/server/checkpoints.ts); absent: none, every start replays the whole log. */
  checkpoints?: CheckpointSettings;
  /** The attached stage's state for a checkpoint (the gateway), its classes, and what to do once it is restored. */
  attachedState?: { kinds: StateKinds; state: () => object; restored: () => void };
}

/** How a batch was sent: its source (event-time clock) and, if given, its Idempotency-Key. */
export interface SubmitOptions {
  source?: string;
  /** Idempotency-Key, already scoped to the sender, and a digest of the body as sent. */
  idem?: { key: string; hash: string };
  /** Marks the batch's `order` and `durable` stages (src/server/ingest-timeline.ts). */
  timeline?: IngestTimeline;
}

/** The source of batches that name none (scan-like single stream). */
export const DEFAULT_SOURCE = 'default';

export interface LiveStats {
  batches: number;
  linesRead: number;
  accepted: number;
  acceptedExchanges: number;
  acceptedAccountRecords: number;
  rejected: number;
  rejectedByReason: Record<RejectCode, number>;
  duplicates: number;
  /** Accepted records the engine has not consumed yet (ordering buffer excluded). */
  backlog: number;
  /** Estimated bytes held by accepted records not yet consumed (ordering buffer included). */
  backlogBytes: number;
  /** Accepted records held by the ordering buffer (bounded lateness). */
  buffered: number;
  consumed: number;
  /** Newest event time accepted, and the engine's event-time clock. */
  newestTs: Millis | null;
  engineTs: Millis | null;
  accounts: number;
  flagged: number;
  campaigns: number;
}

type AuditListener = (fresh: AuditEntry[]) => void;
type LatencyListener = (seconds: number) => void;
/** Per batch once judged: seconds from its acknowledgement until its last record was judged. */
type JudgedListener = (ackToJudged: number) => void;
/** Per batch once in the store: seconds from judged until visible, and from acknowledged until visible. */
type VisibleListener = (judgedToVisible: number, ackToVisible: number) => void;

/** Why ingest is refused now, and when to retry (seconds). */
export interface Refusal {
  message: string;
  retryAfter: number;
}

interface Released {
  seq: number;
  recs: CanonicalRecord[];
  pos: number;
  /** A watermark to move the engine's clock to once these records are consumed. */
  advance?: Millis;
}

const REJECTIONS_KEPT = 1000;
/** The idempotency table in a checkpoint: its receipts (the batches in flight are never in one). */
const IDEMPOTENCY_KINDS: StateKinds = { classes: [IdempotencyKeys], constants: [], transient: [[IdempotencyKeys, ['pending']]] };
/** Least wall ms between two store writes: a store written every few seconds costs the thread a fraction of one written every refresh. */
export const DEFAULT_STORE_EVERY_MS = 5000;
/** The fields of the checkpoint's root that ingest changes: copied at the cut, whole (the engine's are copied behind it). */
const INGEST_SIDE = ['ingestor', 'stats', 'recentRejections', 'idempotency', 'ready', 'changes', 'unwritten', 'scalars'];
/** Records an engine slice consumes between reads of the clock. */
const SLICE_STEP = 16;
const RECEIPT_REJECTIONS = 20;

export class LiveService {
  readonly engine: Engine;
  readonly decodeContext: DecodeContext;
  private readonly ingestor: Ingestor;
  private log!: IngestLog;
  private readonly writer: StoreWriter;
  private seq = 0;
  private durableSeq = 0;
  private readonly ready: Released[] = [];
  private readyCount = 0;
  private writing = 0;
  private pumping = false;
  private changes: VerdictChange[] = [];
  private readonly auditListeners: AuditListener[] = [];
  private readonly latencyListeners: LatencyListener[] = [];
  /** Batches waiting for their last record to be judged: tick after which it is covered, wall start and ack. */
  private readonly waiting: { tick: Millis; t0: number; acked: number }[] = [];
  /** Batches judged but not yet in a store refresh: wall times of acknowledgement and judgement. */
  private judgedBatches: { acked: number; judged: number }[] = [];
  private readonly judgedListeners: JudgedListener[] = [];
  private readonly visibleListeners: VisibleListener[] = [];
  /** The engine's measured drain rate (records per wall second while it had work), for backpressure. */
  private readonly drainRate = { rate: 0, windowStart: 0, windowConsumed: 0, carriedMs: 0 };
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly started = performance.now();
  readonly recentRejections: Rejection[] = [];
  readonly idempotency = new IdempotencyKeys<BatchReceipt>();
  private readonly now: () => number;
  /** Stored decisions still to apply during the start-up replay, by position. */
  private replayDecisions: DecisionRecord[] = [];
  private decided = 0;
  /** Holds on the engine (a decision being stored, a store refresh deriving its rows): no slice runs while any is held. */
  private holds = 0;
  private firstTs: Millis | null = null;
  private lastTs: Millis | null = null;
  private readonly stats = {
    batches: 0,
    linesRead: 0,
    accepted: 0,
    acceptedExchanges: 0,
    acceptedAccountRecords: 0,
    rejected: 0,
    duplicates: 0,
    consumed: 0,
    newestTs: null as Millis | null,
    rejectedByReason: Object.fromEntries(REJECT_CODES.map((c) => [c, 0])) as Record<RejectCode, number>,
  };
  readonly highWater: number;
  readonly highWaterBytes: number;
  /** Estimated bytes of accepted records the engine has not consumed (ordering buffer included). */
  private heldBytes = 0;
  private readonly attached: ((r: CanonicalRecord) => void) | undefined;
  readonly maxBehindSeconds: number;
  private readonly flushMs: number;
  private readonly sliceMs: number;

  private constructor(private readonly opts: LiveOptions) {
    this.engine = new Engine(opts.cfg);
    // The same stage builds as scan (decode/config.ts, order/config.ts), with the live per-source clocks.
    this.decodeContext = buildDecode({ emailKey: emailKeyOf(opts.cfg) });
    this.ingestor = buildOrder(opts.cfg, this.decodeContext, { sourceIdleMs: opts.sourceIdleMs });
    this.now = opts.now ?? Date.now;
    this.highWater = opts.highWater ?? 100_000;
    this.highWaterBytes = opts.highWaterBytes ?? 256 << 20;
    this.flushMs = opts.flushMs ?? 1000;
    this.sliceMs = opts.sliceMs ?? 10;
    this.maxBehindSeconds = opts.maxBehindSeconds ?? 5;
    this.writer = new StoreWriter(opts.store, this.engine, emailKeyOf(opts.cfg), () => this.refreshPoint(), () => this.holdStill(), { storeEveryMs: opts.storeEveryMs ?? DEFAULT_STORE_EVERY_MS });
    this.engine.onVerdict((c) => this.changes.push(c));
    this.attached = opts.attach?.(this.engine);
  }

  /**
   * Opens the log and rebuilds the state: from the newest usable checkpoint and the batches after it,
   * else by replaying the whole log into a fresh engine; then writes the rebuilt state to the store.
   */
  static async open(opts: LiveOptions): Promise<LiveService> {
    const t0 = performance.now();
    // Analyst decisions are replayed at the point of the record stream where they were made.
    const decisions = (await opts.store.decisions.list()).filter((d) => d.position !== null).sort((a, b) => a.position! - b.position! || a.id - b.id);
    let live: LiveService | undefined;
    let notes: string[] = [];
    if (opts.checkpoints !== undefined) {
      const r = await restoreNewest(opts.logDir, (f) => LiveService.resume(opts, decisions, f));
      live = r.result;
      notes = r.skipped;
      if (live === undefined && r.skipped.length > 0) notes.push('no checkpoint could be restored: replaying the whole ingest log');
    }
    if (live === undefined) {
      live = new LiveService(opts);
      live.replayDecisions = decisions;
      live.applyReplayDecisions();
      await live.openLog((e) => live!.replay(e));
    }
    live.checkpointNotes = notes;
    live.replayMs = performance.now() - t0;
    await live.recordChanges(); // verdict changes the store has not seen yet (e.g. a crash before the audit write)
    // The whole state is published to the read view now; the store is rebuilt from it behind (reads
    // never wait for it, a shutdown or a forced flush does).
    const t1 = performance.now();
    await live.writer.publishFull((c) => live.summary(c));
    live.publishMs = performance.now() - t1;
    // A failed refresh is logged by the next one's caller; it must never be an unhandled rejection.
    live.flushTimer = setInterval(() => void live.flush().catch((e: unknown) => (live.flushError = (e as Error).message)), live.flushMs);
    live.flushTimer.unref();
    if (opts.checkpoints !== undefined) {
      live.checkpointTimer = setInterval(() => void live.checkpoint(), opts.checkpoints.everyMs);
      live.checkpointTimer.unref();
    }
    return live;
  }

  /** Restores a checkpoint into a fresh service and replays the batches after it; throws when the checkpoint cannot be used. */
  private static async resume(opts: LiveOptions, decisions: DecisionRecord[], f: CheckpointFile): Promise<LiveService> {
    const head = await readCheckpointHeader(f.path);
    const meta = head.meta as unknown as ServeCheckpointMeta;
    if (meta.position?.seq !== f.seq) throw new CheckpointError(`${f.path}: its meta does not name batch ${f.seq}`);
    // Checked before the state is restored (the attached stage is restored in place: a later failure would leave it changed).
    const seg = await stat(segmentPath(opts.logDir, meta.position.segment)).catch(() => undefined);
    if (seg === undefined || seg.size < meta.position.offset) throw new CheckpointError(`${f.path}: the ingest log no longer holds segment ${meta.position.segment} up to byte ${meta.position.offset}, where it ends`);
    const live = new LiveService(opts);
    await loadCheckpoint(f.path, live.checkpointRoot(), live.checkpointSpec());
    live.restoreScalars();
    opts.attachedState?.restored();
    // Records released before the checkpoint and not yet consumed come before anything the log replays.
    for (const head of live.ready.splice(0)) {
      for (let i = head.pos; i < head.recs.length; i++) live.consume(head.recs[i]);
      if (head.advance !== undefined) live.engine.advance(head.advance);
    }
    live.readyCount = 0;
    live.replayDecisions = decisions.filter((d) => d.id > live.lastDecisionId);
    live.applyReplayDecisions();
    await live.openLog((e) => live.replay(e), meta.position);
    live.restoredFrom = { seq: f.seq, path: f.path };
    live.lastCheckpointSeq = f.seq;
    return live;
  }

  private async openLog(onEntry: (e: LogEntry) => void, from?: ServeCheckpointMeta['position']): Promise<void> {
    const o = this.opts;
    const { log, lastSeq } = await IngestLog.open({ dir: o.logDir, segmentBytes: o.segmentBytes, key: o.logKey, retentionMs: o.logRetentionMs }, onEntry, from);
    this.log = log;
    this.seq = lastSeq;
    this.durableSeq = lastSeq;
  }

  /** The checkpoint this start restored (undefined: the whole log was replayed). */
  restoredFrom: { seq: number; path: string } | undefined;
  /** Why checkpoints were skipped at start (each a line for the operator). */
  checkpointNotes: string[] = [];
  /** The last checkpoint written, and the last failure to write one. */
  lastCheckpoint: CheckpointWritten | undefined;
  checkpointError: string | undefined;
  private lastCheckpointSeq = 0;
  private lastDecisionId = 0;
  /** Set while a checkpoint waits for the batches in flight to be durable: new batches wait for it. */
  private checkpointGate: { promise: Promise<void>; open: () => void } | undefined;
  private checkpointWriting: Promise<void> | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;

  private checkpointSpec(): CheckpointSpec {
    const kinds = joinKinds(ENGINE_KINDS, ACT_KINDS, IDEMPOTENCY_KINDS, this.opts.attachedState?.kinds ?? { classes: [], constants: [] });
    return { kinds, config: this.opts.cfg, wiring: [this.opts.cfg, this.decodeContext], key: this.opts.logKey };
  }

  /** Everything a replay of the log rebuilds, as one graph (restored in place into a fresh service). */
  private checkpointRoot(): Record<string, unknown> {
    return {
      ingestor: this.ingestor,
      engine: this.engine,
      attached: this.opts.attachedState?.state(),
      stats: this.stats,
      recentRejections: this.recentRejections,
      idempotency: this.idempotency,
      ready: this.ready,
      changes: this.changes,
      unwritten: this.unwritten,
      scalars: this.scalars,
    };
  }

  /** The numbers of the state that are not objects: written with it, assigned back by restoreScalars. */
  private scalars = { firstTs: null as Millis | null, lastTs: null as Millis | null, decided: 0, heldBytes: 0, readyCount: 0, lastDecisionId: 0 };

  private restoreScalars(): void {
    ({ firstTs: this.firstTs, lastTs: this.lastTs, decided: this.decided, heldBytes: this.heldBytes, readyCount: this.readyCount, lastDecisionId: this.lastDecisionId } = this.scalars);
  }

  /** A checkpoint at the next point where every batch taken is durable; batches arriving meanwhile wait for it. */
  checkpoint(): Promise<void> {
    if (this.closed && this.failure !== undefined) return Promise.resolve();
    if (this.checkpointWriting !== undefined) return this.checkpointWriting;
    if (this.seq === this.durableSeq) return this.takeCheckpoint();
    if (this.checkpointGate === undefined) {
      let open!: () => void;
      const promise = new Promise<void>((r) => (open = r));
      this.checkpointGate = { promise, open };
    }
    return this.checkpointGate.promise.then(() => this.checkpointWriting);
  }

  /**
   * Takes the checkpoint's cut now (every batch taken is durable: it is the log up to `seq`) and
   * encodes and writes it behind. What ingest changes (order stage, counters, idempotency keys, records
   * released and not consumed) is copied at once; the engine and the attached stage stand still (no
   * slice, decision, policy reload or refresh derivation) while they are copied a slice at a time, so
   * batches go on being taken and acknowledged meanwhile. Then one synchronous serialization, and the
   * digest (and encryption) and the write behind, a chunk at a time.
   */
  private takeCheckpoint(): Promise<void> {
    const gate = this.checkpointGate;
    this.checkpointGate = undefined;
    if (this.seq === this.lastCheckpointSeq || this.checkpointWriting !== undefined) {
      gate?.open();
      return this.checkpointWriting ?? Promise.resolve();
    }
    Object.assign(this.scalars, { firstTs: this.firstTs, lastTs: this.lastTs, decided: this.decided, heldBytes: this.heldBytes, readyCount: this.readyCount, lastDecisionId: this.lastDecisionId });
    const position = this.log.position(this.seq);
    const meta: ServeCheckpointMeta = { position, decisionId: this.lastDecisionId, writtenAt: new Date(this.now()).toISOString() };
    const spec = this.checkpointSpec();
    const t0 = performance.now();
    const release = this.holdEngine();
    let copied!: () => void;
    this.copying = new Promise<void>((r) => (copied = r));
    const still = (): void => {
      release();
      this.copying = undefined;
      copied();
    };
    let writer: StateGraphWriter;
    try {
      writer = new StateGraphWriter(this.checkpointRoot(), spec.kinds, spec.wiring);
      writer.copy(INGEST_SIDE);
    } catch (e) {
      still();
      gate?.open();
      this.checkpointFailed((e as Error).message);
      return Promise.resolve();
    }
    const cutMs = performance.now() - t0;
    gate?.open();
    const settings = this.opts.checkpoints!;
    const run = async (): Promise<void> => {
      let state: Buffer;
      let serializeMs: number;
      let slices = 1;
      try {
        for (; !writer.step(performance.now() + this.sliceMs); slices++) await new Promise((r) => setImmediate(r));
        const s0 = performance.now();
        state = writer.finish();
        serializeMs = performance.now() - s0;
      } finally {
        still();
      }
      const heldMs = performance.now() - t0;
      const parts = await sealCheckpoint(state, spec, meta as unknown as Record<string, unknown>);
      const encodeMs = performance.now() - t0;
      const t1 = performance.now();
      const oldest = await saveAndPrune(this.opts.logDir, position.seq, parts, settings.keep, async (f) => ((await readCheckpointHeader(f.path)).meta as unknown as ServeCheckpointMeta).position);
      const writeMs = performance.now() - t1;
      const compacted = oldest === undefined ? 0 : await this.log.compactBefore(oldest.segment, oldest.seq);
      this.lastCheckpointSeq = position.seq;
      this.lastCheckpoint = { seq: position.seq, bytes: parts.reduce((n, b) => n + b.length, 0), encodeMs, writeMs, compacted, cutMs, heldMs, serializeMs, slices };
      this.checkpointError = undefined;
      for (const l of this.checkpointListeners) l(this.lastCheckpoint, undefined);
    };
    this.checkpointWriting = run()
      .catch((e: unknown) => this.checkpointFailed((e as Error).message))
      .finally(() => (this.checkpointWriting = undefined));
    return this.checkpointWriting;
  }

  /** True while a checkpoint copies the engine (its cut taken, batches taken meanwhile, the engine standing still). */
  get checkpointCopying(): boolean {
    return this.copying !== undefined;
  }

  /** Set while a checkpoint copies the engine: whatever changes it outside a record (decisions, policy reloads, refresh derivations) waits. */
  private copying: Promise<void> | undefined;

  /** Holds the engine once no checkpoint is copying it (see holdEngine). */
  private async holdStill(): Promise<() => void> {
    while (this.copying !== undefined) await this.copying;
    return this.holdEngine();
  }

  /** Runs `fn` with the engine and the attached stage standing still (a policy reload): never in the middle of a checkpoint's copy. */
  async whileStill<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.holdStill();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private readonly checkpointListeners: ((written: CheckpointWritten | undefined, error: string | undefined) => void)[] = [];

  /** Each checkpoint written, or the error that stopped one (the service goes on; the log is kept). */
  onCheckpoint(l: (written: CheckpointWritten | undefined, error: string | undefined) => void): void {
    this.checkpointListeners.push(l);
  }

  private checkpointFailed(message: string): void {
    this.checkpointError = message;
    for (const l of this.checkpointListeners) l(undefined, message);
  }

  /** Wall time the start-up replay took, in ms. */
  replayMs = 0;
  /** Wall time publishing the replayed state to the read view took, in ms (the store is rebuilt behind). */
  publishMs = 0;
  /** The last periodic store refresh's error, if it failed. */
  flushError: string | undefined;

  get replayedBatches(): number {
    return this.durableSeq;
  }

  /** Set once the ingest log failed; the service takes nothing more and must be restarted. */
  failure: string | undefined;
  private readonly fatalListeners: ((e: Error) => void)[] = [];

  onFatal(l: (e: Error) => void): void {
    this.fatalListeners.push(l);
  }

  onAudit(l: AuditListener): void {
    this.auditListeners.push(l);
  }

  /** Wall seconds from a batch's arrival until its last record has been judged. */
  onLatency(l: LatencyListener): void {
    this.latencyListeners.push(l);
  }

  /** Per batch, once judged: seconds since it was acknowledged (durable). */
  onJudged(l: JudgedListener): void {
    this.judgedListeners.push(l);
  }

  /** Per batch, once a store refresh that includes its judgement has committed. */
  onVisible(l: VisibleListener): void {
    this.visibleListeners.push(l);
  }

  /** True while the engine is too far behind to take more: ingest answers 429. */
  get overloaded(): boolean {
    return this.refusal() !== undefined;
  }

  /**
   * Wall seconds the engine needs to consume what was accepted and not yet consumed, at the rate it
   * has been draining its backlog (0 until it has been measured).
   */
  get behindSeconds(): number {
    const backlog = this.readyCount + this.writing;
    return backlog === 0 || this.drainRate.rate === 0 ? 0 : backlog / this.drainRate.rate;
  }

  /** Why a batch would be refused now (backlog in records, or in seconds of processing), or undefined. */
  refusal(): Refusal | undefined {
    const backlog = this.readyCount + this.writing;
    const behind = this.behindSeconds;
    if (behind > this.maxBehindSeconds) {
      return { message: `the engine is ${behind.toFixed(1)} s of processing behind (limit ${this.maxBehindSeconds} s); retry later`, retryAfter: Math.min(60, Math.max(1, Math.ceil(behind - this.maxBehindSeconds))) };
    }
    if (backlog >= this.highWater) return { message: `the engine is ${backlog} records behind; retry later`, retryAfter: 1 };
    if (this.heldBytes >= this.highWaterBytes) return { message: `the records waiting for the engine hold ${this.heldBytes} bytes (limit ${this.highWaterBytes}); retry later`, retryAfter: 1 };
    return undefined;
  }

  /**
   * Takes one batch: every item ends accepted, rejected or duplicate (none is dropped). Resolves
   * once the accepted records are durable; rejects if the log cannot be written (the caller must
   * then stop: the dedupe table already counts those ids as seen).
   */
  async submit(items: BatchItem[], t0 = performance.now(), o: SubmitOptions = {}): Promise<BatchReceipt> {
    if (this.closed) throw new Error('the live service is closed');
    const idem = o.idem;
    if (idem === undefined) return this.take(items, t0, o.source ?? DEFAULT_SOURCE, undefined, o.timeline);
    const earlier = this.idempotency.lookup(idem.key, idem.hash, this.now());
    if (earlier !== null) return { ...(await earlier), replayed: true };
    const result = this.take(items, t0, o.source ?? DEFAULT_SOURCE, idem, o.timeline);
    this.idempotency.track(idem.key, idem.hash, result);
    return result;
  }

  /** Can a batch from this source be taken now (there is room to track one more source)? */
  admitsSource(source: string): boolean {
    return this.ingestor.sources.admits(source);
  }

  private async take(items: BatchItem[], t0: number, source: string, idem?: { key: string; hash: string }, tl?: IngestTimeline): Promise<BatchReceipt> {
    if (this.checkpointGate !== undefined) {
      await this.checkpointGate.promise;
      if (this.closed) throw new Error('the live service is closed');
    }
    const seq = ++this.seq;
    const at = this.now();
    const name = `batch-${seq}`;
    const out = emptyBatch();
    const recs: CanonicalRecord[] = [];
    const recJson: Buffer[] = [];
    let dup = 0;
    let maxTs = -Infinity;
    for (const it of items) {
      it.raw.file = name;
      if ('reason' in it.rec) it.rec.file = name;
      const a = this.ingestor.admitFrom(source, at, it.rec, it.raw, out);
      if (a === 'accepted') {
        const r = it.rec as CanonicalRecord;
        recs.push(r);
        if (it.json !== undefined) recJson.push(it.json);
        if (r.ts > maxTs) maxTs = r.ts;
      } else if (a === 'duplicate') dup++;
    }
    this.ingestor.settle(at, out);
    this.count(items.length, dup, recs, out.rejections);
    this.release(seq, out.records);
    const byReason: Partial<Record<RejectCode, number>> = {};
    for (const r of out.rejections) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    const receipt: BatchReceipt = {
      batch: seq,
      received: items.length,
      accepted: recs.length,
      duplicates: dup,
      rejected: out.rejections.length,
      rejected_by_reason: byReason,
      rejections: out.rejections.slice(0, RECEIPT_REJECTIONS).map((r) => ({ line: r.line, reason: r.reason, detail: r.detail })),
    };
    const entry: LogEntry = { seq, lines: items.length, dup, recs, rej: out.rejections, at };
    if (source !== DEFAULT_SOURCE) entry.src = source;
    if (idem !== undefined) Object.assign(entry, { idem: idem.key, hash: idem.hash, receipt });
    // All or none have their JSON (one decode path a batch); a mix is a fault the log refuses loudly.
    tl?.mark('order');
    await this.appendDurably(entry, recs.length, recJson.length > 0 ? recJson : undefined);
    tl?.mark('durable');
    if (idem !== undefined) this.idempotency.remember(idem.key, { hash: idem.hash, receipt, at });
    if (recs.length > 0) this.waiting.push({ tick: this.tickCovering(maxTs), t0, acked: performance.now() });
    this.pump();
    return receipt;
  }

  /**
   * A source's watermark: nothing with ts before `ts` will come. Releases what the ordering buffer
   * holds up to it and moves the engine's clock there, judging the ticks before it, so the last
   * records are judged while traffic pauses. Logged like a batch, so a replay applies it at the same
   * point. A watermark at or before the current one changes nothing and is not logged.
   */
  async watermark(ts: Millis, source = DEFAULT_SOURCE): Promise<{ batch: number | null; watermark: Millis; released: number; releasedThrough: Millis }> {
    if (this.closed) throw new Error('the live service is closed');
    if (this.checkpointGate !== undefined) await this.checkpointGate.promise;
    const own = this.ingestor.sources.bound(source);
    if (ts <= own || ts <= this.ingestor.watermark) return { batch: null, watermark: Math.max(own, this.ingestor.watermark), released: 0, releasedThrough: this.ingestor.watermark };
    const seq = ++this.seq;
    const at = this.now();
    const out = emptyBatch();
    this.ingestor.promiseFrom(source, at, ts);
    this.ingestor.settle(at, out);
    const through = this.ingestor.watermark;
    this.count(0, 0, [], []);
    // The engine's clock moves only as far as every active source has come (not to this one's promise).
    this.release(seq, out.records, through);
    const entry: LogEntry = { seq, lines: 0, dup: 0, recs: [], rej: [], wm: ts, at };
    if (source !== DEFAULT_SOURCE) entry.src = source;
    await this.appendDurably(entry, 0);
    this.pump();
    return { batch: seq, watermark: ts, released: out.records.length, releasedThrough: through };
  }

  /** Appends one entry; once durable, the engine may consume what it released. */
  private async appendDurably(e: LogEntry, records: number, recJson?: Buffer[]): Promise<void> {
    this.writing += records;
    try {
      await this.log.append(e, recJson);
    } catch (err) {
      // The dedupe table already holds these ids: serving on would count a retry as duplicates.
      this.failure ??= (err as Error).message;
      this.closed = true;
      this.checkpointGate?.open(); // nothing more will be durable: no checkpoint, and no batch waits for one
      this.checkpointGate = undefined;
      for (const l of this.fatalListeners) l(err as Error);
      throw err;
    } finally {
      this.writing -= records;
    }
    this.durableSeq = e.seq;
    if (this.checkpointGate !== undefined && this.seq === this.durableSeq) void this.takeCheckpoint();
  }

  private replay(e: LogEntry): void {
    const { seq, recs, wm } = e;
    const source = e.src ?? DEFAULT_SOURCE;
    const at = e.at ?? 0; // version 1 logs: one source, never idle
    const out = emptyBatch();
    for (let i = 0; i < recs.length; i++) {
      const a = this.ingestor.admitFrom(source, at, recs[i], { file: `batch-${seq}`, line: i + 1, text: '', bytes: 0 }, out);
      if (a !== 'accepted') throw new Error(`ingest log batch ${seq}: record ${i + 1} was ${a} on replay; the log does not match this engine configuration (max lateness changed?)`);
    }
    this.count(e.lines, e.dup, recs, e.rej);
    if (wm !== undefined) this.ingestor.promiseFrom(source, at, wm);
    this.ingestor.settle(at, out);
    for (const r of out.records) this.consume(r);
    if (wm !== undefined) this.engine.advance(this.ingestor.watermark);
    if (e.idem !== undefined && e.hash !== undefined && e.receipt !== undefined) this.idempotency.remember(e.idem, { hash: e.hash, receipt: e.receipt as BatchReceipt, at });
  }

  private count(lines: number, dup: number, recs: CanonicalRecord[], rej: Rejection[]): void {
    const s = this.stats;
    s.batches++;
    s.linesRead += lines;
    s.duplicates += dup;
    s.accepted += recs.length;
    for (const r of recs) {
      this.heldBytes += heldSize(r);
      if (r.kind === 'exchange') s.acceptedExchanges++;
      else s.acceptedAccountRecords++;
      if (s.newestTs === null || r.ts > s.newestTs) s.newestTs = r.ts;
    }
    s.rejected += rej.length;
    for (const r of rej) {
      s.rejectedByReason[r.reason]++;
      this.recentRejections.push(r);
    }
    if (this.recentRejections.length > REJECTIONS_KEPT) this.recentRejections.splice(0, this.recentRejections.length - REJECTIONS_KEPT);
  }

  private release(seq: number, recs: CanonicalRecord[], advance?: Millis): void {
    if (recs.length === 0 && advance === undefined) return;
    this.ready.push({ seq, recs, pos: 0, advance });
    this.readyCount += recs.length;
  }

  private consume(r: CanonicalRecord): void {
    this.heldBytes -= heldSize(r);
    this.engine.push(r);
    this.attached?.(r);
    this.stats.consumed++;
    if (this.replayDecisions.length > 0) this.applyReplayDecisions();
    if (this.firstTs === null) this.firstTs = r.ts;
    this.lastTs = r.ts;
  }

  private applyReplayDecisions(): void {
    while (this.replayDecisions.length > 0 && this.replayDecisions[0].position! <= this.stats.consumed) {
      const d = this.replayDecisions.shift()!;
      if (this.engine.decide(engineDecision(d))) this.decided++;
      this.lastDecisionId = Math.max(this.lastDecisionId, d.id);
    }
  }

  /**
   * An analyst's decision about an account, applied to the engine at its clock and stored with the
   * number of records consumed so far, so a restart's replay applies it at the same point. Engine
   * consumption pauses until the decision is stored. Null when the engine has not seen the account.
   */
  async decide(accountId: string, action: DecisionAction, actor: string, note: string): Promise<DecisionRecord | null> {
    if (!this.engine.observer.accounts.has(accountId) || !Number.isFinite(this.engine.now)) return null;
    const release = await this.holdStill();
    let record: DecisionRecord;
    try {
      const at = this.engine.now;
      record = await this.opts.store.decisions.record({ account_id: accountId, action, note, at, actor, position: this.stats.consumed });
      this.engine.decide({ accountId, action, at });
      this.decided++;
      this.lastDecisionId = Math.max(this.lastDecisionId, record.id);
    } finally {
      release();
    }
    return this.publishDecision(record);
  }

  /**
   * An analyst's split (accounts out of a campaign) or merge (two campaigns), applied to the engine at
   * its clock and stored like any decision (its accounts with it), so a replay does the same. Refused
   * with a clear error: an unknown campaign or account (404), accounts not in the campaign, or all of
   * its linked accounts (409).
   */
  async regroup(r: { split: string; accounts: readonly string[] } | { merge: string; with: string }, actor: string, note: string): Promise<DecisionRecord> {
    // No traffic yet: no campaign either (404 below).
    const engine = this.engine;
    const release = await this.holdStill();
    let record: DecisionRecord;
    try {
      const at = engine.now;
      let d: DecisionInput;
      if ('split' in r) {
        this.campaignMember(r.split);
        for (const id of r.accounts) {
          const s = engine.observer.accounts.get(id);
          if (!s) throw new ApiError('not_found', `no account ${JSON.stringify(id)}`);
          if (engine.judge.campaignOf(s)?.id !== r.split) throw new ApiError('conflict', `account ${JSON.stringify(id)} is not in campaign ${JSON.stringify(r.split)}`);
        }
        d = { accountId: r.accounts[0], action: 'split', accounts: r.accounts.slice(1), at };
      } else d = { accountId: this.campaignMember(r.merge), action: 'merge', accounts: [this.campaignMember(r.with)], at };
      if (!engine.canRegroup(d)) throw new ApiError('conflict', d.action === 'split' ? 'a split takes some, not all, of one campaign’s linked accounts' : 'a merge joins two different campaigns');
      // Stored before it is applied, as decide() does: a failed store write leaves the engine as it was.
      record = await this.opts.store.decisions.record({ account_id: d.accountId, action: d.action, accounts: d.accounts, note, at, actor, position: this.stats.consumed });
      if (!engine.decide(d)) throw new Error(`engine: the stored ${d.action} ${record.id} was refused although canRegroup allowed it`);
      this.decided++;
      // In the engine now, so in every later checkpoint: a restore must not apply it again.
      this.lastDecisionId = Math.max(this.lastDecisionId, record.id);
    } finally {
      release();
    }
    return this.publishDecision(record);
  }

  /** After a decision: the answer waits for its audit and its rows in the read view (the engine goes on meanwhile). */
  private async publishDecision(record: DecisionRecord): Promise<DecisionRecord> {
    if (this.changes.length > 0) await this.recordChanges();
    await this.writer.publish(this.version(), (c) => this.summary(c), true);
    return record;
  }

  /** An account of the campaign (the engine's current campaigns), or 404. */
  private campaignMember(id: string): string {
    for (const s of this.engine.observer.list) if (this.engine.judge.campaignOf(s)?.id === id) return s.id;
    throw new ApiError('not_found', `no campaign ${JSON.stringify(id)}`);
  }

  /** Stops engine slices until the returned function is called (once). */
  private holdEngine(): () => void {
    this.holds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.holds--;
      this.pump();
    };
  }

  get decisions(): DecisionStore {
    return this.opts.store.decisions;
  }

  /** The judgement time after which a record at ts has been judged (its tick boundary). */
  private tickCovering(ts: Millis): Millis {
    const step = this.opts.cfg.judgeIntervalMs;
    return Math.ceil(ts / step) * step;
  }

  private engineSliceMs = 0;

  /** Wall ms the main thread has spent in engine slices since start (what other work on it waited behind). */
  get engineMs(): number {
    return this.engineSliceMs;
  }

  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    setImmediate(() => this.slice());
  }

  /** One engine slice: consume durable released records for at most sliceMs. */
  private slice(): void {
    if (this.holds > 0) {
      this.pumping = false;
      return;
    }
    const start = performance.now();
    const deadline = start + this.sliceMs;
    const consumedBefore = this.stats.consumed;
    while (this.ready.length > 0) {
      const head = this.ready[0];
      if (head.seq > this.durableSeq) break;
      // A few records between clock reads: a record costs tens of µs, so a slice overruns its budget
      // by well under a millisecond even on a starved machine (256 a read let slices run 2-5x over).
      const end = Math.min(head.pos + SLICE_STEP, head.recs.length);
      for (let i = head.pos; i < end; i++) this.consume(head.recs[i]);
      this.readyCount -= end - head.pos;
      head.pos = end;
      if (head.pos === head.recs.length) {
        if (head.advance !== undefined) this.engine.advance(head.advance);
        this.ready.shift();
      }
      if (performance.now() > deadline) break;
    }
    this.settleWaiting();
    if (this.changes.length > 0) {
      this.buildEntries();
      void this.recordChanges().catch((e: unknown) => (this.flushError = (e as Error).message));
    }
    const more = this.ready.length > 0 && this.ready[0].seq <= this.durableSeq;
    this.measureDrain(start, this.stats.consumed - consumedBefore, more);
    this.engineSliceMs += performance.now() - start;
    this.pumping = false;
    if (more) this.pump();
  }

  /**
   * The drain rate: records consumed per wall second over windows of at least half a second in which
   * the engine had work all along (slices back to back), smoothed. Wall time, not engine time: HTTP,
   * decoding and store refreshes share the thread and the cores.
   */
  private measureDrain(sliceStart: number, consumed: number, more: boolean): void {
    const d = this.drainRate;
    if (d.windowStart === 0) d.windowStart = sliceStart;
    d.windowConsumed += consumed;
    const now = performance.now();
    const span = d.carriedMs + now - d.windowStart;
    if (!more) {
      // Idle from here: a window that ends early measures the rate when it was long enough; a shorter
      // one is carried into the next (a fast engine drains small batches in a few ms each).
      if (span >= 100 && d.windowConsumed > 0) {
        d.rate = smooth(d.rate, (d.windowConsumed * 1000) / span);
        d.windowConsumed = 0;
        d.carriedMs = 0;
      } else d.carriedMs = span;
      d.windowStart = 0;
    } else if (span >= 500) {
      d.rate = smooth(d.rate, (d.windowConsumed * 1000) / span);
      d.windowStart = now;
      d.windowConsumed = 0;
      d.carriedMs = 0;
    }
  }

  /** Batches whose last record is now judged: the engine clock passed its tick (see Engine.advanceTo). */
  private settleWaiting(): void {
    const now = this.engine.now;
    const t = performance.now();
    let kept = 0;
    for (const w of this.waiting) {
      if (now > w.tick) {
        for (const l of this.latencyListeners) l((t - w.t0) / 1000);
        for (const l of this.judgedListeners) l((t - w.acked) / 1000);
        this.judgedBatches.push({ acked: w.acked, judged: t });
      } else this.waiting[kept++] = w;
    }
    this.waiting.length = kept;
  }

  /** What a refresh reflects, taken when its rows are derived; the batches judged by then become visible with it. */
  private refreshPoint(): RefreshPoint {
    const step = this.opts.cfg.judgeIntervalMs;
    const clock = this.engine.now;
    const judged = Number.isFinite(clock) ? Math.ceil(clock / step) * step - step : null;
    const batches = this.judgedBatches;
    this.judgedBatches = [];
    this.buildEntries(); // every verdict change up to this cut is shown with it (auditAsOf)
    return {
      judgedThrough: judged === null ? null : toIso(judged),
      engineClock: Number.isFinite(clock) ? toIso(clock) : null,
      consumed: this.stats.consumed,
      onCommitted: (at) => {
        for (const b of batches) for (const l of this.visibleListeners) l((at - b.judged) / 1000, (at - b.acked) / 1000);
      },
    };
  }

  /** Writes the pending verdict changes to the audit log: one write at a time, taking all that accumulated. */
  private recordChanges(): Promise<void> {
    return this.auditWriter.run();
  }

  private readonly auditWriter = new Coalesced(() => this.writeChanges());

  /**
   * Verdict changes as audit entries, built as soon as the engine made them (after each slice, and at
   * a refresh's cut), kept here until the audit log holds them: the read routes show them from here
   * meanwhile (auditAsOf), so a snapshot never waits for the store to show its own changes.
   */
  private unwritten: AuditEntry[] = [];

  private buildEntries(): void {
    if (this.changes.length === 0) return;
    this.unwritten.push(...verdictAuditEntries(this.engine, this.changes.splice(0)));
  }

  private async writeChanges(): Promise<void> {
    this.buildEntries();
    const n = this.unwritten.length;
    if (n === 0) return;
    // On failure they stay, for the next call (ids are stable: none twice).
    const fresh = await this.opts.store.appendAudit(this.unwritten.slice(0, n));
    this.unwritten = this.unwritten.slice(n);
    if (fresh.length > 0) for (const l of this.auditListeners) l(fresh);
  }

  /**
   * An account's or a campaign's audit entries as of a snapshot, newest first: the audit log's (the
   * engine's up to the snapshot's engine clock, analysts' all) and the verdict changes up to it that
   * are still on their way to the log.
   */
  async auditAsOf(view: ResultsSnapshot, f: { accountId?: string; campaignId?: string; limit: number }): Promise<AuditEntry[]> {
    const through = view.refresh?.engine_clock ?? undefined;
    const pending = this.unwritten.filter((e) => (f.accountId === undefined || e.account_id === f.accountId) && (f.campaignId === undefined || e.campaign_id === f.campaignId) && (through === undefined || Date.parse(e.at) <= Date.parse(through)));
    return newestAudit(pending, (limit) => this.opts.store.audit({ accountId: f.accountId, campaignId: f.campaignId, engineThrough: through, limit }), f.limit);
  }

  /** The snapshot of the results every read answers from (published every refresh). */
  get results(): ResultsSnapshot {
    return this.writer.view;
  }

  /**
   * Publishes what changed to the read view (unforced: skipped while spaced out after the last
   * refresh); forced, also waits until the store holds it.
   */
  async flush(force = false): Promise<void> {
    await this.writer.flush(this.version(), (c) => this.summary(c), force);
  }

  /** Moves whenever anything the store shows may have changed. */
  private version(): number {
    return this.stats.linesRead * 2 + this.stats.consumed + this.decided;
  }

  /** Waits until every durable record has been consumed by the engine (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.writing > 0 || this.ready.length > 0 || this.pumping) await new Promise((r) => setTimeout(r, 2));
  }

  /** Accepted records the engine has not consumed yet (cheap: `counts` walks every account). */
  get backlog(): number {
    return this.readyCount + this.writing;
  }

  get counts(): LiveStats {
    const s = this.stats;
    let flagged = 0;
    const verdicts = this.engine.judge.verdicts;
    for (const a of this.engine.observer.list) if (verdicts.verdict(a.idx) === 'distillation') flagged++;
    return {
      ...s,
      rejectedByReason: { ...s.rejectedByReason },
      backlog: this.readyCount + this.writing,
      backlogBytes: this.heldBytes,
      buffered: this.ingestor.counts().buffered,
      engineTs: Number.isFinite(this.engine.now) ? this.engine.now : null,
      accounts: this.engine.observer.list.length,
      flagged,
      campaigns: this.engine.linker.setCount,
    };
  }

  /**
   * summary.json's shape, over everything this service has taken since its log began; account and
   * campaign counts are those of `counts` (a refresh's), by default the last refresh's.
   */
  summary(counts: OutputCounts = this.writer.lastCounts): Summary {
    const s = this.stats;
    const w = counts;
    const wall = performance.now() - this.started;
    return {
      version: 1,
      inputs: ['serve'],
      lines_read: s.linesRead,
      accepted: s.accepted,
      accepted_exchanges: s.acceptedExchanges,
      accepted_accounts_records: s.acceptedAccountRecords,
      rejected: s.rejected,
      rejected_by_reason: { ...s.rejectedByReason },
      duplicates: s.duplicates,
      late: s.rejectedByReason.late,
      accounts: w.accounts,
      flagged_accounts: w.flagged,
      suspicious_accounts: w.suspicious,
      campaigns: w.campaigns,
      first_event: this.firstTs === null ? null : toIso(this.firstTs),
      last_event: this.lastTs === null ? null : toIso(this.lastTs),
      wall_time_ms: Math.round(wall),
      events_per_second: Math.round(s.linesRead / Math.max(wall / 1000, 1e-3)),
    };
  }

  get storeWriter(): StoreWriter {
    return this.writer;
  }

  /** Stops taking batches, consumes what is durable, writes the store one last time. */
  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = this.shutdown();
    return this.closing;
  }

  private closing: Promise<void> | undefined;

  private async shutdown(): Promise<void> {
    // After a log failure the service is already closed to batches; the store timer must stop all
    // the same (a refresh after the store closed was an uncaught StoreError).
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = undefined;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    if (this.failure === undefined) {
      await this.drain();
      this.closed = true;
      // A clean stop leaves a checkpoint of everything: the next start replays nothing.
      if (this.opts.checkpoints !== undefined) await this.checkpoint();
      await this.checkpointWriting;
      await this.recordChanges();
      await this.writer.flush(this.version(), (c) => this.summary(c), true);
    } else {
      this.closed = true;
      await this.writer.flush(this.version(), (c) => this.summary(c), true).catch(() => undefined);
    }
    await this.log.close();
  }
}

/** Bytes a record holds while it waits (its text and ~200 bytes of fields): the backlog's byte measure. */
function heldSize(r: CanonicalRecord): number {
  return r.kind === 'exchange' ? 200 + 2 * (r.prompt.length + r.system.length) : 200;
}
