// How suspicious one shared thing is, from who shares it (SliceNDice's group scoring): a group is
// suspicious when its members harvest broadly AND look like one operator's throwaway accounts.
// A declared, business-verified organization sharing a card or a system prompt is an enterprise, not a farm.
import type { AccountState } from '../observe/account-state.js';
import { DIMENSIONS } from '../link/dimensions.js';
import type { Group } from '../link/groups.js';
import { harvestBreadth } from '../signals/content.js';
import { minSixHourShare } from '../signals/behaviour.js';
import { coordination, isLoadBalanced, isLockstep } from '../signals/coordination.js';
import { ABUSED, aggregate, distinctItems, BUSINESS, CAPS, EXCHANGES, FRESH, HARVEST_MIN, HARVESTING, HOURS, REASONING_PROMPTS, WEAK } from './group-aggregates.js';

export { HARVEST_MIN };
/** Suspicion from which a group links its members. */
export const SUSPICION_MIN = 0.25;

/**
 * The group's suspicion in [0, 1] (its co-activity flags and detail are written on the group). Scores
 * the group from its member sums (g.agg, built from the members on first use and kept current by
 * ./group-aggregates.ts). `members` lists the accounts; it is called only for what sums cannot give:
 * the union of reasoning items, the top organization and co-activity, each needed only by a few groups.
 */
export function evaluateGroup(g: Group, members: () => readonly AccountState[], maxGroupSize: number, hour: number): number {
  const spec = DIMENSIONS[g.dim];
  const n = g.members.size;
  g.lockstep = false;
  g.loadBalanced = false;
  // Two accounts sharing a cohort, a scaffold or a client is coincidence; identity things are not.
  if (n < (spec.strong ? 2 : 3) || n > maxGroupSize || spec.base === 0) {
    return 0;
  }
  const agg = (g.agg ??= aggregate(members()));
  const exchanges = agg[EXCHANGES];
  const reasoningPrompts = agg[REASONING_PROMPTS];
  const hiShare = agg[HARVESTING] / n;
  const breadth = harvestBreadth(agg.subarray(CAPS, HOURS), exchanges);
  // Most of the group must harvest: a class where a third of the students ask for step-by-step help
  // is a class; a farm's accounts all harvest. Without that majority the group is not suspicious
  // whatever the rest says, so the rest is only looked at with it.
  const majority = Math.min(1, Math.max(0, (hiShare - 0.3) / 0.4));
  // Harvesting elicits reasoning on many different items; a class asks for step-by-step help on the same
  // few homework problems: distinct items (whole prompts, numbers and names masked) per such prompt.
  const diversity = majority === 0 ? undefined : reasoningPrompts < 20 ? 1 : Math.min(1, distinctItems(g, members) / reasoningPrompts);
  const harvestFactor = diversity === undefined ? 0 : majority * (breadth >= 3 ? 1 : 0.4) * Math.min(1, Math.max(0.1, (diversity - 0.1) / 0.3));
  const flat = harvestFactor > 0 && exchanges >= 50 && minSixHourShare(agg.subarray(HOURS), exchanges) >= 0.15 ? 1 : 0;
  // Operators hide behind throwaway accounts: fresh, weakly verified, often on abused sign-up paths.
  // Established accounts sharing a card and a prompt (an evaluation team) are not that by themselves.
  const fresh = agg[FRESH];
  const business = agg[BUSINESS];
  const path = ((agg[WEAK] / n) * (agg[ABUSED] / n)) ** 0.5;
  let coord = 0.15 + 0.85 * Math.max((fresh / n) * (0.7 + 0.3 * path), flat * 0.6);
  const declared = business / n >= 0.8 && topOrgCount(members()) / n >= 0.8;
  if (declared) coord *= 0.2;
  // Sharing among two is common (a family card); non-identity things shared by hundreds are weak.
  const size = n === 2 ? 0.6 : spec.strong ? 1 : 1 / (1 + n / 1000);
  let suspicion = harvestFactor * coord * size;
  if (suspicion >= SUSPICION_MIN * 0.8 && n >= 3) {
    const c = coordination(members(), hour);
    g.lockstep = isLockstep(c);
    g.loadBalanced = isLoadBalanced(c);
    if (g.lockstep) suspicion += 0.1;
    if (g.loadBalanced) suspicion += 0.1;
  }
  g.detail = { accounts: n, harvesting_share: hiShare, fresh_share: fresh / n, breadth, declared_org: declared ? 1 : 0 };
  if (diversity !== undefined) g.detail.diversity = diversity;
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
