// What the judge writes for one analyst decision it read from the stream: the decision row (when the
// engine applied it) and the audit entry, each exactly once however often a replay applies it again.
import { toIso } from '../core/time.js';
import type { AuditEntry, Store } from '../store/store.js';
import type { AnalystOutcome } from './judge-state.js';

/**
 * Writes the row first, keyed by the message's stream sequence (its `position`), then the audit entry
 * (id = the message's): a judge that dies between the two writes finds the row on its replay and writes
 * only the entry. The other way round, the replay would find the entry and could not tell whether the
 * row was written. Returns the audit entries newly written.
 */
export async function recordAnalystOutcome(store: Store, o: AnalystOutcome): Promise<AuditEntry[]> {
  const { message: m, applied } = o;
  if (applied !== null) {
    const known = (await store.decisions.list(applied.accountId)).some((d) => d.position === o.seq && d.actor === m.actor);
    if (!known) await store.decisions.record({ account_id: applied.accountId, action: applied.action, accounts: applied.accounts, note: m.input.note ?? '', at: applied.at, actor: m.actor, decidedAt: Date.parse(m.decided_at), position: o.seq });
  }
  return store.appendAudit([auditEntryOf(o)]);
}

function auditEntryOf(o: AnalystOutcome): AuditEntry {
  const { message: m, applied } = o;
  return {
    id: m.id,
    kind: 'decision',
    at: m.decided_at,
    recorded_at: toIso(Date.now()),
    actor: m.actor,
    account_id: m.input.account_id ?? applied?.accountId ?? null,
    campaign_id: m.input.campaign_id ?? null,
    body: {
      decision: m.input.decision,
      ...(m.input.note === undefined ? {} : { note: m.input.note }),
      ...(m.input.accounts === undefined ? {} : { accounts: m.input.accounts }),
      ...(m.input.with_campaign_id === undefined ? {} : { with_campaign_id: m.input.with_campaign_id }),
      stream_seq: o.seq,
      applied: applied === null ? null : { action: applied.action, at: toIso(applied.at) },
      ...(o.refused === null ? {} : { refused: o.refused }),
    },
  };
}
