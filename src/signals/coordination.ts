// Coordination signals over a group of accounts: lockstep co-activity (CopyCatch, SynchroTrap) and
// load-balanced traffic (one work queue dealing tasks to many accounts: a smooth total from bursty parts).
// The thresholds are the configuration's (`scoring.coordination`, src/config/scoring.ts).
import { DEFAULT_SCORING, type CoordinationParams } from '../config/scoring.js';
import { RECENT_HOURS, type AccountState } from '../observe/account-state.js';

export interface Coordination {
  /** Mean pairwise cosine similarity of the members' hourly activity over the last 48 hours. */
  cosine: number;
  /** Coefficient of variation of the group's hourly totals. */
  totalCv: number;
  /** Mean coefficient of variation of each member's hourly counts. */
  memberCv: number;
  active: number;
}

/** The working arrays of `coordination`, allocated once by whoever measures (the judge), not per group. */
export class CoordinationScratch {
  readonly vec = new Float64Array(RECENT_HOURS);
  readonly sum = new Float64Array(RECENT_HOURS);
  readonly total = new Float64Array(RECENT_HOURS);
}

/** Co-activity of the members over the 48 hours ending at `hour` (members idle in that span, or busy in too few hours, are skipped). */
export function coordination(
  members: readonly AccountState[],
  hour: number,
  scratch: CoordinationScratch = new CoordinationScratch(),
  p: CoordinationParams = DEFAULT_SCORING.coordination,
): Coordination {
  const { vec, sum, total } = scratch;
  sum.fill(0);
  total.fill(0);
  let active = 0;
  let cvSum = 0;
  for (const s of members) {
    // Idle for the whole window (a churned farm account, a customer gone quiet): all zeros, skipped below.
    if (s.recentHour <= hour - RECENT_HOURS) continue;
    s.recentVector(hour, vec);
    let norm = 0;
    let n = 0;
    let busy = 0;
    for (let i = 0; i < RECENT_HOURS; i++) {
      norm += vec[i] * vec[i];
      n += vec[i];
      if (vec[i] > 0) busy++;
    }
    if (busy < p.minBusyHours) continue;
    active++;
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < RECENT_HOURS; i++) {
      sum[i] += vec[i] * inv;
      total[i] += vec[i];
    }
    cvSum += cv(vec, n);
  }
  if (active < p.minActive) return { cosine: 0, totalCv: Infinity, memberCv: 0, active };
  let sq = 0;
  let t = 0;
  for (let i = 0; i < RECENT_HOURS; i++) {
    sq += sum[i] * sum[i];
    t += total[i];
  }
  // |Σ u_i|² = n + Σ_{i≠j} cos(u_i, u_j) for unit vectors.
  const cosine = (sq - active) / (active * (active - 1));
  return { cosine, totalCv: cv(total, t), memberCv: cvSum / active, active };
}

function cv(v: Float64Array, s: number): number {
  const mean = s / v.length;
  if (mean === 0) return Infinity;
  let m2 = 0;
  for (let i = 0; i < v.length; i++) m2 += (v[i] - mean) ** 2;
  return Math.sqrt(m2 / v.length) / mean;
}

/** Lockstep: members busy in the same hours. */
export function isLockstep(c: Coordination, p: CoordinationParams = DEFAULT_SCORING.coordination): boolean {
  return c.active >= p.minActive && c.cosine >= p.lockstepCosine;
}

/** Load-balanced: a steady total made of bursty, complementary members, around the clock. */
export function isLoadBalanced(c: Coordination, p: CoordinationParams = DEFAULT_SCORING.coordination): boolean {
  return c.active >= p.loadBalancedMembers && c.totalCv < p.loadBalancedTotalCv && c.memberCv > p.loadBalancedMemberCv;
}
