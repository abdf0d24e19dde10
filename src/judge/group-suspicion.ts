// How suspicious one shared thing is, from who shares it (SliceNDice's group scoring): a group is
// suspicious when its members harvest broadly AND look like one operator's throwaway accounts.
// A declared, business-verified organization sharing a card or a system prompt is an enterprise, not a farm.
import { DAY } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import { DIMENSIONS } from '../link/dimensions.js';
import type { Group } from '../link/groups.js';
import { harvestBreadth } from '../signals/content.js';
import { minSixHourShare } from '../signals/behaviour.js';
import { coordination, isLoadBalanced, isLockstep } from '../signals/coordination.js';
import { CAPABILITIES } from '../core/capabilities.js';
import { Hll } from '../observe/hll.js';

/** Content score from which an account counts as harvesting. */
export const HARVEST_MIN = 0.45;
/** Suspicion from which a group links its members. */
export const SUSPICION_MIN = 0.25;
const FRESH_DAYS = 30;
const ABUSED_PLANS = new Set(['education', 'research', 'startup', 'free']);

const NCAPS = CAPABILITIES.length;
const caps = new Uint32Array(NCAPS);
const asked = new Hll();
const hours = new Uint32Array(24);

export function evaluateGroup(g: Group, members: readonly AccountState[], maxGroupSize: number, hour: number): void {
  const spec = DIMENSIONS[g.dim];
  const n = members.length;
  g.lockstep = false;
  g.loadBalanced = false;
  // Two accounts sharing a cohort, a scaffold or a client is coincidence; identity things are not.
  if (n < (spec.strong ? 2 : 3) || n > maxGroupSize || spec.base === 0) {
    g.suspicion = 0;
    return;
  }
  // One pass over the members for what every group needs; the HLL union, the hour histogram and the
  // organizations are summed in their own passes only when they can change the result (below).
  caps.fill(0);
  let hi = 0;
  let fresh = 0;
  let weak = 0;
  let abused = 0;
  let business = 0;
  let exchanges = 0;
  let reasoningPrompts = 0;
  for (let k = 0; k < n; k++) {
    const m = members[k];
    if (m.harvest >= HARVEST_MIN) hi++;
    if (m.createdAt !== undefined && m.exchanges > 0 && m.firstTs - m.createdAt < FRESH_DAYS * DAY) fresh++;
    const v = m.verification;
    if (v === undefined || v === 'none' || v === 'email') weak++;
    else if (v === 'business') business++;
    if (m.plan !== undefined && ABUSED_PLANS.has(m.plan)) abused++;
    exchanges += m.exchanges;
    const mc = m.caps;
    for (let i = 0; i < NCAPS; i++) caps[i] += mc[i];
    reasoningPrompts += m.reasoningPrompts;
  }
  const hiShare = hi / n;
  const breadth = harvestBreadth(caps, exchanges);
  // Most of the group must harvest: a class where a third of the students ask for step-by-step help
  // is a class; a farm's accounts all harvest. Without that majority the group is not suspicious
  // whatever the rest says, so the rest is only looked at with it.
  const majority = Math.min(1, Math.max(0, (hiShare - 0.3) / 0.4));
  // Harvesting elicits reasoning on many different items; a class asks for step-by-step help on the same
  // few homework problems: distinct items (whole prompts, numbers and names masked) per such prompt.
  const diversity = majority === 0 ? undefined : reasoningPrompts < 20 ? 1 : Math.min(1, distinctItems(members) / reasoningPrompts);
  const harvestFactor = diversity === undefined ? 0 : majority * (breadth >= 3 ? 1 : 0.4) * Math.min(1, Math.max(0.1, (diversity - 0.1) / 0.3));
  const flat = harvestFactor > 0 && exchanges >= 50 && minSixHourShare(sumHours(members), exchanges) >= 0.15 ? 1 : 0;
  // Operators hide behind throwaway accounts: fresh, weakly verified, often on abused sign-up paths.
  // Established accounts sharing a card and a prompt (an evaluation team) are not that by themselves.
  const path = ((weak / n) * (abused / n)) ** 0.5;
  let coord = 0.15 + 0.85 * Math.max((fresh / n) * (0.7 + 0.3 * path), flat * 0.6);
  const declared = business / n >= 0.8 && topOrgCount(members) / n >= 0.8;
  if (declared) coord *= 0.2;
  // Sharing among two is common (a family card); non-identity things shared by hundreds are weak.
  const size = n === 2 ? 0.6 : spec.strong ? 1 : 1 / (1 + n / 1000);
  let suspicion = harvestFactor * coord * size;
  if (suspicion >= SUSPICION_MIN * 0.8 && n >= 3) {
    const c = coordination(members, hour);
    g.lockstep = isLockstep(c);
    g.loadBalanced = isLoadBalanced(c);
    if (g.lockstep) suspicion += 0.1;
    if (g.loadBalanced) suspicion += 0.1;
  }
  g.suspicion = Math.min(1, suspicion);
  g.detail = { accounts: n, harvesting_share: hiShare, fresh_share: fresh / n, breadth, declared_org: declared ? 1 : 0 };
  if (diversity !== undefined) g.detail.diversity = diversity;
}

/** Distinct reasoning items over the members: the union of their HLLs. */
function distinctItems(members: readonly AccountState[]): number {
  asked.clear();
  for (let k = 0; k < members.length; k++) asked.merge(members[k].reasoningItems);
  return asked.estimate();
}

/** The members' exchanges by UTC hour of day, summed. */
function sumHours(members: readonly AccountState[]): Uint32Array {
  hours.fill(0);
  for (let k = 0; k < members.length; k++) {
    const h = members[k].hourOfDay;
    for (let i = 0; i < 24; i++) hours[i] += h[i];
  }
  return hours;
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
