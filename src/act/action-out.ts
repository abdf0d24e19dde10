// The output line of one action change (actions.ndjson in `scan`, the store and webhooks in `serve`)
// and of one mark-ledger entry (marks.ndjson).
import type { ReasonOut } from '../core/output.js';
import { mapNumbers } from '../core/reasons.js';
import { toIso } from '../core/time.js';
import type { Policy } from './policy-schema.js';
import type { ActionChange, MarkEntry } from './policy-stage.js';

export interface ActionLine {
  account_id: string;
  action: string;
  from: string;
  params: Record<string, unknown>;
  /** Event time the action applies from. */
  at: string;
  rule: string | null;
  mode: 'enforce' | 'shadow';
  /** `name@revision` of the policy that decided it. */
  policy: string;
  campaign_id: string | null;
  mark: string | null;
  reasons: ReasonOut[];
  suppressed?: string[];
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

export function policyLabel(p: Policy): string {
  return `${p.name}@${p.revision}`;
}

export function actionLine(c: ActionChange, policy: Policy): ActionLine {
  const line: ActionLine = {
    account_id: c.accountId,
    action: c.action,
    from: c.from,
    params: c.params,
    at: toIso(c.at),
    rule: c.rule,
    mode: c.mode,
    policy: policyLabel(policy),
    campaign_id: c.campaignId,
    mark: c.mark,
    reasons: c.reasons.map((r) => mapNumbers(r, round)),
  };
  if (c.suppressed.length > 0) line.suppressed = c.suppressed;
  return line;
}

export function markLine(m: MarkEntry): { account_id: string; marker: string; rule: string; from: string; until: string | null } {
  return { account_id: m.accountId, marker: m.marker, rule: m.rule, from: toIso(m.from), until: m.until === null ? null : toIso(m.until) };
}
