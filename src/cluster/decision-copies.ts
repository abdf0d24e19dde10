// Tells a copy of a `dg.decisions` event from a new one. A judge restarted from an older checkpoint
// publishes its changes again (past JetStream's duplicate window) under the same ids, in the same
// event-time order. Remembering every id would grow with the stream; each account's action changes
// come in event-time order, so the newest event time per account, and the ids seen at it, tell a
// copy: memory grows with the accounts ever acted on, not with events.
import type { DecisionEvent } from './decision-events.js';

export class DecisionCopies {
  private readonly newest = new Map<string, { at: number; ids: string[] }>();
  /** Policy versions are few (one per reload): each id is kept. */
  private readonly policies = new Set<string>();

  /** True when `e` is new (and remembers it); false when it is a copy of one already taken. */
  take(e: Exclude<DecisionEvent, { kind: 'verdict_change' }>): boolean {
    if (e.kind === 'policy_change') {
      if (this.policies.has(e.id)) return false;
      this.policies.add(e.id);
      return true;
    }
    const at = Date.parse(e.at);
    const seen = this.newest.get(e.account_id);
    if (seen === undefined || at > seen.at) {
      this.newest.set(e.account_id, { at, ids: [e.id] });
      return true;
    }
    if (at < seen.at || seen.ids.includes(e.id)) return false;
    seen.ids.push(e.id);
    return true;
  }

  /** Accounts remembered. */
  get size(): number {
    return this.newest.size;
  }
}
