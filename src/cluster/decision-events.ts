// What the judge publishes on `dg.decisions` for gateways: each verdict change as the audit entry the
// store keeps for it (the same id, so a gateway can drop a copy it has seen: after a judge restart,
// changes made again past its checkpoint are published again under the same id, and JetStream's
// duplicate window drops the copies it still remembers). Payload: docs/cluster.md.
import { toIso } from '../core/time.js';
import type { Engine } from '../engine/engine.js';
import type { VerdictChange } from '../judge/judge.js';
import type { AuditEntry } from '../store/store.js';

/** The audit entries of verdict changes, with the account's campaign, score and first reasons now. */
export function verdictAuditEntries(engine: Engine, changes: readonly VerdictChange[], recordedAt = Date.now()): AuditEntry[] {
  const recorded = toIso(recordedAt);
  const verdicts = engine.judge.verdicts;
  return changes.map((c) => ({
    id: `verdict:${c.account.id}:${c.to}:${toIso(c.at)}`,
    kind: 'verdict_change',
    at: toIso(c.at),
    recorded_at: recorded,
    actor: 'engine',
    account_id: c.account.id,
    campaign_id: engine.judge.campaignOf(c.account)?.id ?? null,
    body: { from: c.from, to: c.to, score: Math.round(verdicts.score(c.account.idx) * 1e4) / 1e4, reasons: verdicts.reasons(c.account.idx).slice(0, 5).map((r) => r.code) },
  }));
}

/** A verdict change on `dg.decisions`. */
export type DecisionEvent = AuditEntry & { account_id: string; body: { from: string; to: string; score: number; reasons: string[] } };

/** A verdict change as a gateway reads it from `dg.decisions`; throws when the message is not one. */
export function readDecisionEvent(data: Uint8Array): DecisionEvent {
  const e = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as DecisionEvent;
  if (e === null || typeof e !== 'object' || e.kind !== 'verdict_change' || typeof e.account_id !== 'string' || typeof e.body?.to !== 'string') throw new Error('not a verdict change');
  return e;
}
