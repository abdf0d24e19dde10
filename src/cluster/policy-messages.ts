// Policy changes on a cluster: `serve --cluster` takes them (PUT /v1/policy, POST /v1/suppressions:
// single-node serve's bodies), validates the policy as serve does, and publishes its text on the record
// stream's subject `dg.rec.policy`. The judge reads it in stream order among the records and reloads
// its policy stage there, so the policy takes effect at the same place in the stream on every replay.
// The message id is the change's own (`policy-change:<uuid>`): a retried publish is stored once.
import { randomUUID } from 'node:crypto';

/** Inside the record stream (dg.rec.*), so ordered with the records and the analyst decisions. */
export const POLICY_SUBJECT = 'dg.rec.policy';

/** One policy change as published: who, when (wall clock), and the whole policy text now in force. */
export interface PolicyMessage {
  id: string;
  actor: string;
  decided_at: string;
  text: string;
}

export function policyMessage(actor: string, text: string, now = Date.now()): PolicyMessage {
  return { id: `policy-change:${randomUUID()}`, actor, decided_at: new Date(now).toISOString(), text };
}

/** Reads a policy change message; throws with the reason when it is not one. */
export function readPolicyMessage(data: Uint8Array): PolicyMessage {
  const m = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Partial<PolicyMessage>;
  if (typeof m.id !== 'string' || !m.id.startsWith('policy-change:') || typeof m.actor !== 'string' || typeof m.decided_at !== 'string' || Number.isNaN(Date.parse(m.decided_at)) || typeof m.text !== 'string') {
    throw new Error('a policy change needs id (policy-change:…), actor, decided_at and text');
  }
  return { id: m.id, actor: m.actor, decided_at: m.decided_at, text: m.text };
}
