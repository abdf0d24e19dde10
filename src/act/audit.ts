// The audit log: every verdict change (written by the live service, actor `engine`) and every
// analyst decision (written here, through the API or by other modules such as the dashboard).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { toIso } from '../core/time.js';
import type { AuditEntry, Store } from '../store/store.js';

export const DECISIONS = ['confirmed', 'false_positive', 'needs_review', 'enforced', 'released'] as const;

/** An analyst decision about an account or a campaign, as the API takes it. */
export const DecisionInputSchema = z
  .object({
    account_id: z.string().min(1).optional(),
    campaign_id: z.string().min(1).optional(),
    decision: z.enum(DECISIONS),
    note: z.string().max(4000).optional(),
  })
  .strict()
  .refine((d) => d.account_id !== undefined || d.campaign_id !== undefined, { message: 'a decision names an account_id or a campaign_id' });
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
