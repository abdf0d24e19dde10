// What the judge publishes on `dg.decisions` for gateways: each verdict change, each enforced action
// change and each policy that takes effect, as the audit entry the store keeps for it (the same id, so a gateway can drop a copy it has seen: after a judge restart,
// changes made again past its checkpoint are published again under the same id, and JetStream's
// duplicate window drops the copies it still remembers). Payload: docs/cluster.md.
import { toIso } from '../core/time.js';
import type { Engine } from '../engine/engine.js';
import type { VerdictChange } from '../judge/judge.js';
import type { AuditEntry } from '../store/store.js';
import type { ActionLine } from '../act/action-out.js';
import type { PolicyVersion } from '../server/gateway.js';

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
type EventHead = Omit<AuditEntry, 'kind' | 'account_id' | 'body'>;
export type VerdictEvent = EventHead & { kind: 'verdict_change'; account_id: string; body: { from: string; to: string; score: number; reasons: string[] } };
/** An action change on `dg.decisions`: the line single-node serve sends its gateway listener (enforced changes only). */
export type ActionEvent = EventHead & { kind: 'action_change'; account_id: string; body: ActionLine };
/** Another policy in force from here on (its version: name, revision, sha256, position, actor). */
export type PolicyEvent = EventHead & { kind: 'policy_change'; account_id: null; body: PolicyVersion };
export type DecisionEvent = VerdictEvent | ActionEvent | PolicyEvent;

/** The audit entry of the policy version now in force (the id the reload's own audit entry has). */
export function policyAuditEntry(v: PolicyVersion, at: string): PolicyEvent {
  return { id: `policy:${v.sha256.slice(0, 16)}:${v.position}`, kind: 'policy_change', at, recorded_at: v.at, actor: v.actor, account_id: null, campaign_id: null, body: v };
}

/** A message of `dg.decisions` as a gateway reads it; throws when the message is none of the three kinds. */
export function readDecisionEvent(data: Uint8Array): DecisionEvent {
  const e = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as DecisionEvent;
  if (e === null || typeof e !== 'object' || typeof e.id !== 'string' || typeof e.at !== 'string') throw new Error('not a decision event');
  if (e.kind === 'verdict_change' && typeof e.account_id === 'string' && typeof e.body?.to === 'string') return e;
  if (e.kind === 'action_change' && typeof e.account_id === 'string' && typeof e.body?.action === 'string' && e.body.account_id === e.account_id) return e;
  if (e.kind === 'policy_change' && typeof e.body?.name === 'string' && typeof e.body.revision === 'string') return e;
  throw new Error(`not a verdict, action or policy change (kind ${JSON.stringify((e as { kind?: unknown }).kind)})`);
}
