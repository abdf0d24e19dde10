// The gateway's side of `serve`: the policy stage on the live engine, each account's decision kept in
// memory for `GET /v1/decision/:id` and nginx `auth_request`, a stream of decision changes, policy
// reloads without a restart, and every action change stored in the audit log (hence signed webhooks).
//
// Reloads are inputs like analyst decisions: each is audited with the number of records the engine had
// consumed, and a restart's replay applies it at the same point, so the replayed actions are the ones
// the service decided live.
import { createHash } from 'node:crypto';
import { toIso } from '../core/time.js';
import type { CanonicalRecord } from '../core/records.js';
import type { Engine } from '../engine/engine.js';
import type { AuditEntry, Store } from '../store/store.js';
import { actionLine, policyLabel, type ActionLine } from '../act/action-out.js';
import { parsePolicy, type LoadedPolicy } from '../act/policy-load.js';
import { PolicyStage, type ActionChange } from '../act/policy-stage.js';
import type { Policy } from '../act/policy-schema.js';
import { Coalesced } from './coalesced.js';
import { allowFor, cachedDecision, decisionOf, type Cached, type Decision } from './decision-answer.js';
import { joinKinds, type StateKinds } from '../core/state-graph.js';
import { DecisionFeed, DECISION_FEED_KINDS } from './decision-feed.js';

export type { Decision } from './decision-answer.js';

export interface PolicyVersion {
  name: string;
  revision: string;
  sha256: string;
  /** Records consumed when it took effect (0: from the start). */
  position: number;
  at: string;
  actor: string;
}

export { CHANGES_KEPT } from './decision-feed.js';

export class Gateway {
  private stage!: PolicyStage;
  private engine!: Engine;
  private readonly decisions = new Map<string, Cached>();
  private readonly pending: AuditEntry[] = [];
  /** Recent enforced changes for the stream, with a sequence number for Last-Event-ID, and their subscribers. */
  private readonly feed = new DecisionFeed();
  private seq = 0;
  private consumed = 0;
  private timer: NodeJS.Timeout | undefined;
  private version!: PolicyVersion;
  private listenerAudit: ((fresh: AuditEntry[]) => void) | undefined;
  /** Recorded policy versions applied so far (the first recorded policy, then each reload): where a checkpoint's replay resumes. */
  private applied = 0;
  private policy!: LoadedPolicy;
  /** Reloads to apply during the replay, in position order. */
  private readonly replays: Recorded[] = [];

  private constructor(
    private readonly store: Store,
    private readonly startup: LoadedPolicy,
    /** Every recorded policy version, oldest first (the first is in force from the start). */
    private readonly recorded: readonly Recorded[],
  ) {
    this.begin();
  }

  /**
   * The state before the first record: the first recorded policy in force (else the startup one), the
   * later versions to replay, no decision, nothing consumed. Set again by each `attach`: the gateway's
   * state belongs to the engine it is attached to, and a restore attempt that failed after filling it
   * in place (src/core/state-graph.ts) must leave nothing to the next attempt or to a fresh start.
   */
  private begin(): void {
    const first = this.recorded[0];
    this.policy = first?.policy ?? this.startup;
    this.version = first?.version ?? versionOf(this.startup, 0, 'startup', 'startup');
    this.replays.splice(0, this.replays.length, ...this.recorded.slice(1));
    this.applied = first ? 1 : 0;
    this.consumed = 0;
    this.seq = 0;
    this.decisions.clear();
    this.pending.length = 0;
    this.feed.clear();
  }

  /** For a checkpoint (src/server/live.ts): the gateway's state, its classes, and what follows a restore. */
  get checkpointPart(): { kinds: StateKinds; state: () => object; restored: () => void } {
    return {
      kinds: GATEWAY_KINDS,
      state: () => this,
      // The restored state applied the first `applied` recorded versions; the later ones replay at their positions.
      restored: () => void this.replays.splice(0, this.replays.length, ...this.recorded.slice(this.applied)),
    };
  }

  /**
   * Reads the policy history from the audit log. The replay starts with the first recorded policy
   * (else `policy`) and applies each later reload at its position. Versions read from the cluster's
   * record stream (`stream_seq`) are left to the stream: a judge replaying it applies each at its
   * place, and applying it from the audit too would apply it twice (and, with two versions at one
   * position, undo the second in between).
   */
  static async open(store: Store, policy: LoadedPolicy): Promise<Gateway> {
    const entries = (await store.audit({ kind: 'policy_change', limit: 100_000 })).reverse().filter((e) => e.body.stream_seq === undefined);
    const recorded = entries.map((e): Recorded => {
      const loaded = parsePolicy(String(e.body.text), `audit ${e.id}`);
      // The version's own fields only (the entry's body holds the text too): the same shape as a live
      // reload's, which a checkpoint holds and a restore pairs with this one.
      const b = e.body;
      const version: PolicyVersion = { name: String(b.name), revision: String(b.revision), sha256: String(b.sha256), position: Number(b.position), at: String(b.at), actor: String(b.actor) };
      return { position: version.position, policy: loaded, version };
    });
    recorded.sort((a, b) => a.position - b.position);
    return new Gateway(store, policy, recorded);
  }

  /**
   * For LiveService's `attach`: the stage on the engine, fed every consumed record. Attached to another
   * engine (a service built again: a restore attempt, or the fresh start after failed ones), the
   * gateway starts over with it.
   */
  attach(engine: Engine): (r: CanonicalRecord) => void {
    this.begin();
    this.engine = engine;
    this.stage = new PolicyStage(engine, this.policy.policy);
    this.stage.onAction((c) => this.changed(c));
    return (r) => {
      this.stage.push(r);
      this.consumed++;
      while (this.replays.length > 0 && this.replays[0].position <= this.consumed) {
        const next = this.replays.shift()!;
        this.apply(next.policy, next.version);
      }
    };
  }

  /**
   * After the replay: the policy file given at start-up takes effect now when it changed since the last
   * start (audited like a reload; a policy PUT since then stays in force otherwise). Then action changes
   * are written to the audit log every `flushMs`.
   */
  async start(onAudit: (fresh: AuditEntry[]) => void, flushMs = 200): Promise<void> {
    this.listenerAudit = onAudit;
    // Changes the replay made that the log has not seen (a crash before they were written): ids are stable.
    await this.flush();
    const lastStartup = (await this.store.audit({ kind: 'policy_change', limit: 100_000 })).find((e) => e.actor === 'startup');
    if (!lastStartup || lastStartup.body.sha256 !== sha(this.startup.text)) await this.reload(this.startup, 'startup');
    this.timer = setInterval(() => void this.flush().catch(() => undefined), flushMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  get current(): { policy: Policy; text: string; version: PolicyVersion } {
    return { policy: this.policy.policy, text: this.policy.text, version: this.version };
  }

  /**
   * A new policy from now on (engine clock), audited with its version; re-evaluates every account at once.
   * `streamSeq`: the change was read from the cluster's record stream at that sequence (src/cluster/judge.ts).
   * Such a version is applied again by the stream itself on a replay, never by the audit's (open).
   */
  async reload(p: LoadedPolicy, actor: string, streamSeq?: number): Promise<PolicyVersion> {
    const v = versionOf(p, this.consumed, actor, toIso(Date.now()));
    const entry: AuditEntry = {
      id: `policy:${v.sha256.slice(0, 16)}:${v.position}`,
      kind: 'policy_change',
      at: toIso(Number.isFinite(this.engine.now) ? this.engine.now : Date.now()),
      recorded_at: v.at,
      actor,
      account_id: null,
      campaign_id: null,
      body: { ...v, text: p.text, ...(streamSeq === undefined ? {} : { stream_seq: streamSeq }) },
    };
    this.apply(p, v, streamSeq === undefined);
    await this.store.appendAudit([entry]);
    await this.flush();
    return v;
  }

  /** The account's decision (allow when it has none). */
  decision(accountId: string): Cached {
    return this.decisions.get(accountId) ?? allowFor(accountId, this.label);
  }

  /** Subscribes to enforced decision changes; replays those after `lastSeq` first. Returns the unsubscribe. */
  subscribe(lastSeq: number | undefined, send: (seq: number, line: ActionLine) => void): () => void {
    return this.feed.subscribe(lastSeq, send);
  }

  /** Calls `l` with the policy's `name@revision` whenever another policy takes effect, before the changes it makes. Returns the unsubscribe. */
  onPolicy(l: (label: string) => void): () => void {
    return this.feed.onPolicy(l);
  }

  /** `name@revision` of the policy in force (what an account without a decision is allowed under). */
  get label(): string {
    return policyLabel(this.policy.policy);
  }

  /** Decisions other than allow, for gateways that load a full cache before streaming changes. */
  snapshot(): Decision[] {
    return [...this.decisions.values()].map((c) => c.decision);
  }

  /** `recorded`: a version of the audit's replay (counted in `applied`), not one the record stream carries. */
  private apply(p: LoadedPolicy, v: PolicyVersion, recorded = true): void {
    if (recorded) this.applied++;
    this.policy = p;
    this.version = v;
    this.feed.policy(policyLabel(p.policy));
    this.stage.replace(p.policy, Number.isFinite(this.engine.now) ? this.engine.now : 0);
  }

  private changed(c: ActionChange): void {
    const line = actionLine(c, this.policy.policy);
    this.pending.push(actionAuditEntry(line));
    if (c.mode !== 'enforce') return;
    if (c.action === 'allow') this.decisions.delete(c.accountId);
    else this.decisions.set(c.accountId, cachedDecision(decisionOf(line)));
    this.feed.change(++this.seq, line);
  }

  /**
   * Writes the pending action changes to the audit log: one write at a time, taking all that accumulated.
   * A flush (close's, a reload's) returns only once every earlier write, the timer's included, is in the store.
   */
  private flush(): Promise<void> {
    return this.auditWriter.run();
  }

  private readonly auditWriter = new Coalesced(async () => {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    let fresh: AuditEntry[];
    try {
      fresh = await this.store.appendAudit(batch);
    } catch (e) {
      this.pending.unshift(...batch); // written by the next flush (ids are stable: none twice)
      throw e;
    }
    if (fresh.length > 0) this.listenerAudit?.(fresh);
  });
}

/** A recorded policy version: where it took effect, the policy, its version. */
interface Recorded {
  position: number;
  policy: LoadedPolicy;
  version: PolicyVersion;
}

/** The gateway in a checkpoint: its decisions, recent changes and policy in force; the store, listeners and recorded history are wiring. */
const GATEWAY_KINDS: StateKinds = joinKinds(
  {
    classes: [Gateway],
    constants: [],
    transient: [[Gateway, ['store', 'replays', 'startup', 'recorded', 'timer', 'listenerAudit', 'auditWriter']]],
  },
  DECISION_FEED_KINDS,
);

/** The audit entry of an action change; its id is stable, so a change made again after a restart is written (and published) once. */
export function actionAuditEntry(line: ActionLine, recordedAt = Date.now()): AuditEntry {
  return {
    id: `action:${line.account_id}:${line.mode}:${line.at}:${line.action}:${line.rule ?? '-'}`,
    kind: 'action_change',
    at: line.at,
    recorded_at: toIso(recordedAt),
    actor: 'policy',
    account_id: line.account_id,
    campaign_id: line.campaign_id,
    body: line as unknown as Record<string, unknown>,
  };
}

function versionOf(p: LoadedPolicy, position: number, actor: string, at: string): PolicyVersion {
  return { name: p.policy.name, revision: p.policy.revision, sha256: sha(p.text), position, at, actor };
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
