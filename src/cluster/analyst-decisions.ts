// Analyst decisions on a cluster: `serve --cluster` takes them (POST /v1/decisions, single-node serve's
// body) and publishes each on the record stream's subject `dg.rec.analyst`, so the judge reads them in
// stream order among the records: a decision applies at the same place in the stream on every replay
// (a judge restarted from a checkpoint before it, or from the start), and never twice (the stream
// sequence is in the checkpoint). The message id is the decision's own (`decision:<uuid>`), so a
// publish retried within JetStream's duplicate window is stored once.
import { randomUUID } from 'node:crypto';
import type { DecisionInput as ApiDecision } from '../act/audit.js';
import { DecisionInputSchema } from '../act/audit.js';
import { ENGINE_ACTIONS } from '../act/decisions.js';
import type { Engine } from '../engine/engine.js';
import type { DecisionInput } from '../judge/decisions.js';

/** The subject of analyst decisions: inside the record stream (dg.rec.*), so ordered with the records. */
export const ANALYST_SUBJECT = 'dg.rec.analyst';

/** One analyst decision as published: who, when (wall clock), and the API's body. */
export interface AnalystMessage {
  id: string;
  actor: string;
  decided_at: string;
  input: ApiDecision;
}

export function analystMessage(actor: string, input: ApiDecision, now = Date.now()): AnalystMessage {
  return { id: `decision:${randomUUID()}`, actor, decided_at: new Date(now).toISOString(), input };
}

/** Reads an analyst decision message; throws with the reason when it is not one. */
export function readAnalystMessage(data: Uint8Array): AnalystMessage {
  const m = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Partial<AnalystMessage>;
  if (typeof m.id !== 'string' || !m.id.startsWith('decision:') || typeof m.actor !== 'string' || typeof m.decided_at !== 'string' || Number.isNaN(Date.parse(m.decided_at))) throw new Error('an analyst decision needs id (decision:…), actor and decided_at');
  const input = DecisionInputSchema.safeParse(m.input);
  if (!input.success) throw new Error(`an analyst decision's input is invalid: ${input.error.issues[0]?.message ?? 'unknown'}`);
  return { id: m.id, actor: m.actor, decided_at: m.decided_at, input: input.data };
}

/**
 * What the engine makes of a decision at its clock: the engine input, or why there is none. Account
 * decisions outside the engine's inputs (`enforced`, `released`) are recorded only, as in single-node serve.
 */
export function engineInputOf(engine: Engine, d: ApiDecision): { input: DecisionInput } | { refused: string } {
  const at = engine.now;
  if (!Number.isFinite(at)) return { refused: 'the judge has no traffic yet' };
  const { observer, judge } = engine;
  const memberOf = (campaign: string): string | undefined => {
    for (const s of observer.list) if (judge.campaignOf(s)?.id === campaign) return s.id;
    return undefined;
  };
  if (d.decision === 'split' || d.decision === 'merge') {
    const first = memberOf(d.campaign_id!);
    if (first === undefined) return { refused: `no campaign ${d.campaign_id!}` };
    if (d.decision === 'merge') {
      const other = memberOf(d.with_campaign_id!);
      return other === undefined ? { refused: `no campaign ${d.with_campaign_id!}` } : { input: { accountId: first, action: 'merge', accounts: [other], at } };
    }
    for (const id of d.accounts!) {
      const s = observer.accounts.get(id);
      if (!s || judge.campaignOf(s)?.id !== d.campaign_id) return { refused: `account ${id} is not in campaign ${d.campaign_id!}` };
    }
    return { input: { accountId: d.accounts![0], action: 'split', accounts: d.accounts!.slice(1), at } };
  }
  const action = d.account_id === undefined ? undefined : ENGINE_ACTIONS[d.decision];
  if (action === undefined) return { refused: `${d.decision} is recorded, not an engine input` };
  if (!observer.accounts.has(d.account_id!)) return { refused: `the judge has not seen account ${d.account_id!}` };
  return { input: { accountId: d.account_id!, action, at } };
}
