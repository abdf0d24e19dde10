// How suspicious one shared thing is, from who shares it (SliceNDice's group scoring): a group is
// suspicious when its members harvest broadly AND look like one operator's throwaway accounts.
// A declared, business-verified organization sharing a card or a system prompt is an enterprise, not a farm.
import { DEFAULT_SCORING, type ScoringParams } from '../config/scoring.js';
import type { AccountState } from '../observe/account-state.js';
import { DIMENSIONS } from '../link/dimensions.js';
import type { Group } from '../link/groups.js';
import { harvestBreadth } from '../signals/content.js';
import { minSixHourShare } from '../signals/behaviour.js';
import { coordination, isLoadBalanced, isLockstep, type CoordinationScratch } from '../signals/coordination.js';
import type { GroupScores } from './group-scores.js';
import { ABUSED, aggregate, distinctItems, BUSINESS, CAPS, EXCHANGES, FRESH, HARVESTING, HOURS, REASONING_PROMPTS, WEAK } from './group-aggregates.js';

/**
 * The group's suspicion in [0, 1] (its co-activity flags and detail are written into its GroupScore in
 * `scores`, made for groups scored with members). Scores the group from its member sums (agg, built
 * from the members on first use and kept current by ./group-aggregates.ts; `flagsOf` gives a member's
 * flags). `members` lists the accounts; it is called only for what sums cannot give: the union of
 * reasoning items, the top organization and co-activity, each needed only by a few groups.
 */
export function evaluateGroup(
  g: Group,
  scores: GroupScores,
  members: () => readonly AccountState[],
  flagsOf: (idx: number) => number,
  maxGroupSize: number,
  hour: number,
  p: ScoringParams = DEFAULT_SCORING,
  /** The caller's working arrays for co-activity (absent: made for this call). */
  scratch?: CoordinationScratch,
): number {
  const spec = DIMENSIONS[g.dim];
  const n = g.members.size;
  // Two accounts sharing a cohort, a scaffold or a client is coincidence; identity things are not.
  if (n < (spec.strong ? p.minStrongMembers : p.minWeakMembers) || n > maxGroupSize || p.dimensions[g.dim] === 0) {
    const was = scores.of(g.slot);
    if (was !== undefined) was.lockstep = was.loadBalanced = false;
    return 0;
  }
  const sc = scores.make(g.slot);
  sc.lockstep = false;
  sc.loadBalanced = false;
  const agg = (sc.agg ??= aggregate(members(), flagsOf));
  const exchanges = agg[EXCHANGES];
  const reasoningPrompts = agg[REASONING_PROMPTS];
  const hiShare = agg[HARVESTING] / n;
  const breadth = harvestBreadth(agg.subarray(CAPS, HOURS), exchanges, p.content.breadthShare);
  // Most of the group must harvest: a class where a third of the students ask for step-by-step help
  // is a class; a farm's accounts all harvest. Without that majority the group is not suspicious
  // whatever the rest says, so the rest is only looked at with it.
  const majority = Math.min(1, Math.max(0, (hiShare - p.majorityFrom) / p.majorityRange));
  // Harvesting elicits reasoning on many different items; a class asks for step-by-step help on the same
  // few homework problems: distinct items (whole prompts, numbers and names masked) per such prompt.
  const diversity = majority === 0 ? undefined : reasoningPrompts < p.diversityMinPrompts ? 1 : Math.min(1, distinctItems(sc, members) / reasoningPrompts);
  const harvestFactor = diversity === undefined ? 0 : majority * (breadth >= p.broadBreadth ? 1 : p.narrowFactor) * Math.min(1, Math.max(p.diversityFloor, (diversity - p.diversityFrom) / p.diversityRange));
  const flat = harvestFactor > 0 && exchanges >= p.flatMinExchanges && minSixHourShare(agg.subarray(HOURS), exchanges) >= p.flatMinSixHourShare ? 1 : 0;
  // Operators hide behind throwaway accounts: fresh, weakly verified, often on abused sign-up paths.
  // Established accounts sharing a card and a prompt (an evaluation team) are not that by themselves.
  const fresh = agg[FRESH];
  const business = agg[BUSINESS];
  const path = ((agg[WEAK] / n) * (agg[ABUSED] / n)) ** 0.5;
  let coord = p.coordBase + p.coordRange * Math.max((fresh / n) * (p.freshPathBase + p.freshPathWeight * path), flat * p.flatCoordination);
  const declared = business / n >= p.declaredShare && topOrgCount(members()) / n >= p.declaredShare;
  if (declared) coord *= p.declaredFactor;
  // Sharing among two is common (a family card); non-identity things shared by hundreds are weak.
  const size = n === 2 ? p.pairFactor : spec.strong ? 1 : 1 / (1 + n / p.crowdSize);
  let suspicion = harvestFactor * coord * size;
  if (suspicion >= p.suspicionMin * p.coactivityFrom && n >= p.minWeakMembers) {
    const c = coordination(members(), hour, scratch, p.coordination);
    sc.lockstep = isLockstep(c, p.coordination);
    sc.loadBalanced = isLoadBalanced(c, p.coordination);
    if (sc.lockstep) suspicion += p.lockstepBonus;
    if (sc.loadBalanced) suspicion += p.loadBalancedBonus;
  }
  const detail: Record<string, number> = { accounts: n, harvesting_share: hiShare, fresh_share: fresh / n, breadth, declared_org: declared ? 1 : 0 };
  if (diversity !== undefined) detail.diversity = diversity;
  sc.detail = detail;
  return Math.min(1, suspicion);
}

/** Members of the most common organization (declared on the account or on its exchanges). */
function topOrgCount(members: readonly AccountState[]): number {
  const orgs = new Map<string, number>();
  let top = 0;
  for (const m of members) {
    const org = m.orgId ?? m.exchangeOrg;
    if (!org) continue;
    const c = (orgs.get(org) ?? 0) + 1;
    orgs.set(org, c);
    if (c > top) top = c;
  }
  return top;
}
