// A campaign: a connected set of linked accounts judged as one operation, with its own evidence.
import type { Reason } from '../core/reasons.js';
import type { Millis } from '../core/records.js';
import type { Dimension } from '../link/dimensions.js';

export interface DimensionEvidence {
  suspicion: number;
  accounts: number;
  keys: Set<string>;
}

export class Campaign {
  flaggedAt: Millis | null = null;
  score = 0;
  size = 0;
  reasons: Reason[] = [];
  /** Campaign-wide reasons every member carries (membership, coordination, release pivot). */
  shared: Reason[] = [];
  dims = new Map<Dimension, DimensionEvidence>();

  constructor(
    readonly id: string,
    readonly createdAt: Millis,
  ) {}
}
