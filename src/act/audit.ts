// The audit log: every verdict change (written by the live service, actor `engine`) and every
// analyst decision (written here, through the API or by other modules such as the dashboard).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { toIso } from '../core/time.js';
import type { AuditEntry, Store } from '../store/store.js';

export const DECISIONS = ['confirmed', 'false_positive', 'needs_review', 'enforced', 'released', 'split', 'merge'] as const;

/** An analyst decision about an account or a campaign, as the API takes it. */
export const DecisionInputSchema = z
  .object({
    account_id: z.string().min(1).optional(),
    campaign_id: z.string().min(1).optional(),
    decision: z.enum(DECISIONS),
    note: z.string().max(4000).optional(),
    /** split: the accounts taken out of campaign_id. */
    accounts: z.array(z.string().min(1)).min(1).max(100_000).optional(),
    /** merge: the campaign merged with campaign_id. */
    with_campaign_id: z.string().min(1).optional(),
  })
  .strict()
  .refine((d) => d.account_id !== undefined || d.campaign_id !== undefined, { message: 'a decision names an account_id or a campaign_id' })
  .refine((d) => d.decision !== 'split' || (d.campaign_id !== undefined && d.accounts !== undefined), { message: 'a split names a campaign_id and the accounts to take out of it' })
  .refine((d) => d.decision !== 'merge' || (d.campaign_id !== undefined && d.with_campaign_id !== undefined && d.with_campaign_id !== d.campaign_id), {
    message: 'a merge names a campaign_id and another campaign, with_campaign_id',
  })
  .refine((d) => (d.accounts === undefined || d.decision === 'split') && (d.with_campaign_id === undefined || d.decision === 'merge'), {
    message: 'accounts go with a split, with_campaign_id with a merge',
  });
export type DecisionInput = z.infer<typeof DecisionInputSchema>;

export class Audit {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an analyst decision (wall time); `actor` is the key id or user who made it. */
  async append(actor: string, d: DecisionInput): Promise<AuditEntry> {
    const at = toIso(this.now());
    const entry: AuditEntry = {
      id: `decision:${randomUUID()}`,
      kind: 'decision',
      at,
      recorded_at: at,
      actor,
      account_id: d.account_id ?? null,
      campaign_id: d.campaign_id ?? null,
      body: { decision: d.decision, ...(d.note === undefined ? {} : { note: d.note }) },
    };
    await this.store.appendAudit([entry]);
    return entry;
  }
}
