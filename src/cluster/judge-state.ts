// What `distillguard judge` holds: the order stage and the one engine, fed the record stream's
// messages in stream order. Pure state (no NATS, no store): the runner (./judge.ts) hands it messages
// and checkpoints it; tests feed it directly.
//
// Event time across partitions: each partition is a source of the order stage's per-source clocks
// (src/order/sources.ts). A record is released to the engine only once every active partition has
// moved past it (the minimum of the partitions' watermarks: newest ts − max lateness, or a watermark
// message), in (ts, stream order) — serve publishes in arrival order, so ties leave as in a scan.
// A partition silent for `idleMs` stops holding the others back. Silence is measured in the messages'
// publish times (JetStream's timestamps), never the judge's clock, so a judge replaying a backlog or
// restarted from a checkpoint takes the same idle decisions at the same messages as one that kept up.
//
// Exactly once: a message at or below the last applied stream sequence is skipped, and the
// checkpoint holds that sequence with the state, so a restart resumes at the message after it.
import type { EngineConfig } from '../config/schema.js';
import { emailKeyOf } from '../config/secret.js';
import type { CanonicalRecord, Millis } from '../core/records.js';
import { build as buildDecode } from '../decode/config.js';
import type { DecodeContext } from '../decode/index.js';
import { Engine } from '../engine/engine.js';
import { ENGINE_KINDS } from '../engine/state-kinds.js';
import { ACT_KINDS } from '../act/state-kinds.js';
import { joinKinds, type StateKinds } from '../core/state-graph.js';
import type { VerdictChange } from '../judge/judge.js';
import type { CheckpointSpec } from '../engine/checkpoint.js';
import { build as buildOrder } from '../order/config.js';
import { emptyBatch, type Ingestor } from '../order/pipeline.js';
import type { StreamItem } from './record-stream.js';
import { engineInputOf, type AnalystMessage } from './analyst-decisions.js';
import type { DecisionInput } from '../judge/decisions.js';

export interface JudgeCounts {
  /** Stream messages applied (records and watermarks). */
  messages: number;
  /** Records read from the stream, and what became of them here. */
  received: number;
  accepted: number;
  acceptedExchanges: number;
  acceptedAccountRecords: number;
  /** Exchanges whose id an earlier accepted record had (a batch published twice beyond the stream's duplicate window). */
  duplicates: number;
  /** Records behind the release point (their partition had been idle past `idleMs`). */
  late: number;
  /** Records consumed by the engine. */
  consumed: number;
  /** Analyst decisions the engine applied. */
  decisions: number;
  firstTs: Millis | null;
  lastTs: Millis | null;
}

/** What the judge made of an analyst decision (the runner stores and audits it). */
export interface AnalystOutcome {
  message: AnalystMessage;
  seq: number;
  applied: DecisionInput | null;
  refused: string | null;
}

export interface JudgeStateOptions {
  /** Publish-time ms after which a silent partition stops holding the others back (default 5 minutes). */
  idleMs?: number;
  /** A stage after the engine (the gateway's policy stage, src/server/gateway.ts): attached on construction, fed every record the engine consumes. */
  attach?: (engine: Engine) => (r: CanonicalRecord) => void;
  /** The attached stage's state for a checkpoint, its classes, and what to do once it is restored. */
  attachedState?: { kinds: StateKinds; state: () => object; restored: () => void };
}

export class JudgeState {
  readonly engine: Engine;
  readonly decodeContext: DecodeContext;
  private readonly ingestor: Ingestor;
  /** The last stream sequence applied (0: none). */
  streamSeq = 0;
  readonly counts: JudgeCounts = { messages: 0, received: 0, accepted: 0, acceptedExchanges: 0, acceptedAccountRecords: 0, duplicates: 0, late: 0, consumed: 0, decisions: 0, firstTs: null, lastTs: null };
  /** Told each verdict change (the runner publishes them). */
  onVerdict: ((c: VerdictChange) => void) | undefined;
  /** Scalars a checkpoint carries besides the objects (restored into streamSeq). */
  private readonly scalars = { streamSeq: 0, expected: 0 };
  private readonly attached: ((r: CanonicalRecord) => void) | undefined;

  constructor(
    readonly cfg: EngineConfig,
    private readonly o: JudgeStateOptions = {},
  ) {
    this.engine = new Engine(cfg);
    // Registered here, before any restore: a checkpoint's listener slots must match the fresh state's.
    this.engine.onVerdict((c) => this.onVerdict?.(c));
    this.attached = o.attach?.(this.engine);
    this.decodeContext = buildDecode({ emailKey: emailKeyOf(cfg) });
    this.ingestor = buildOrder(cfg, this.decodeContext, { sourceIdleMs: o.idleMs ?? 5 * 60_000 });
  }

  /**
   * Applies one stream message: `seq` its stream sequence, `partition` its subject's partition,
   * `published` its publish time (ms). Returns false (and changes nothing) for a message already applied.
   */
  apply(seq: number, partition: number, published: number, item: StreamItem): boolean {
    if (seq <= this.streamSeq) return false;
    this.streamSeq = seq;
    const c = this.counts;
    c.messages++;
    const source = `p${partition}`;
    // Every partition holds event time back from the first message on (until it sends or goes idle).
    for (; this.scalars.expected < item.partitions; this.scalars.expected++) this.ingestor.expectSource(`p${this.scalars.expected}`, published);
    const out = emptyBatch();
    if (item.kind === 'records') {
      for (let i = 0; i < item.recs.length; i++) {
        const r = item.recs[i];
        c.received++;
        const a = this.ingestor.admitFrom(source, published, r, { file: `seq-${seq}`, line: i + 1, text: '', bytes: 0 }, out, item.order[i]);
        if (a === 'duplicate') c.duplicates++;
        else if (a === 'rejected') c.late++;
        else {
          c.accepted++;
          if (r.kind === 'exchange') c.acceptedExchanges++;
          else c.acceptedAccountRecords++;
        }
      }
    } else this.ingestor.promiseFrom(source, published, item.ts);
    this.ingestor.settle(published, out);
    for (const r of out.records) this.consume(r);
    // A watermark moves the engine's clock as far as every active partition has come.
    if (item.kind === 'watermark') this.engine.advance(this.ingestor.watermark);
    return true;
  }

  /**
   * Applies an analyst decision message at stream sequence `seq`, at the engine's clock (as
   * single-node serve applies one at the records consumed so far). Null for a message already applied;
   * else what became of it: the engine input applied, or why none was.
   */
  applyDecision(seq: number, m: AnalystMessage): AnalystOutcome | null {
    if (seq <= this.streamSeq) return null;
    this.streamSeq = seq;
    this.counts.messages++;
    const r = engineInputOf(this.engine, m.input);
    if ('refused' in r) return { message: m, seq, applied: null, refused: r.refused };
    if (!this.engine.decide(r.input)) return { message: m, seq, applied: null, refused: 'a split takes some, not all, of one campaign’s linked accounts' };
    this.counts.decisions++;
    return { message: m, seq, applied: r.input, refused: null };
  }

  /** Takes a message that carries no record (a policy change) at stream sequence `seq`; false when already applied. */
  takeControl(seq: number): boolean {
    if (seq <= this.streamSeq) return false;
    this.streamSeq = seq;
    this.counts.messages++;
    return true;
  }

  /** Records the order stage holds until every partition has moved past them. */
  get buffered(): number {
    return this.ingestor.counts().buffered;
  }

  /** The release point: records at or before it have gone to the engine. */
  get releasedThrough(): Millis {
    return this.ingestor.watermark;
  }

  private consume(r: CanonicalRecord): void {
    this.engine.push(r);
    this.attached?.(r);
    const c = this.counts;
    c.consumed++;
    c.firstTs ??= r.ts;
    c.lastTs = r.ts;
  }

  /** What a checkpoint of this state is made of and checked against. */
  checkpointSpec(): CheckpointSpec {
    const kinds = this.o.attachedState === undefined ? ENGINE_KINDS : joinKinds(ENGINE_KINDS, ACT_KINDS, this.o.attachedState.kinds);
    return { kinds, config: this.cfg, wiring: [this.cfg, this.decodeContext] };
  }

  /** The state as one graph (restored in place into a fresh JudgeState of the same configuration). */
  checkpointRoot(): Record<string, unknown> {
    this.scalars.streamSeq = this.streamSeq;
    return { ingestor: this.ingestor, engine: this.engine, attached: this.o.attachedState?.state(), counts: this.counts, scalars: this.scalars };
  }

  /** After a restore: the scalars back into their fields, and the attached stage told. */
  restored(): void {
    this.streamSeq = this.scalars.streamSeq;
    this.o.attachedState?.restored();
  }
}
