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

const caps = new Uint32Array(CAPABILITIES.length);
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
  caps.fill(0);
  hours.fill(0);
  asked.clear();
  let hi = 0;
  let fresh = 0;
  let weak = 0;
  let abused = 0;
  let business = 0;
  let exchanges = 0;
  let reasoningPrompts = 0;
  const orgs = new Map<string, number>();
  for (const m of members) {
    if (m.harvest >= HARVEST_MIN) hi++;
    if (m.createdAt !== undefined && m.exchanges > 0 && m.firstTs - m.createdAt < FRESH_DAYS * DAY) fresh++;
    const v = m.verification ?? 'none';
    if (v === 'none' || v === 'email') weak++;
    if (v === 'business') business++;
    if (m.plan && ABUSED_PLANS.has(m.plan)) abused++;
    const org = m.orgId ?? m.exchangeOrg;
    if (org) orgs.set(org, (orgs.get(org) ?? 0) + 1);
    exchanges += m.exchanges;
    for (let i = 0; i < caps.length; i++) caps[i] += m.caps[i];
    for (let i = 0; i < 24; i++) hours[i] += m.hourOfDay[i];
    asked.merge(m.reasoningItems);
    reasoningPrompts += m.reasoningPrompts;
  }
  const hiShare = hi / n;
  const breadth = harvestBreadth(caps, exchanges);
  // Harvesting elicits reasoning on many different items; a class asks for step-by-step help on the same
  // few homework problems: distinct items (whole prompts, numbers and names masked) per such prompt.
  const diversity = reasoningPrompts < 20 ? 1 : Math.min(1, asked.estimate() / reasoningPrompts);
  // Most of the group must harvest: a class where a third of the students ask for step-by-step help
  // is a class; a farm's accounts all harvest.
  const majority = Math.min(1, Math.max(0, (hiShare - 0.3) / 0.4));
  const harvestFactor = majority * (breadth >= 3 ? 1 : 0.4) * Math.min(1, Math.max(0.1, (diversity - 0.1) / 0.3));
  const flat = exchanges >= 50 && minSixHourShare(hours, exchanges) >= 0.15 ? 1 : 0;
  // Operators hide behind throwaway accounts: fresh, weakly verified, often on abused sign-up paths.
  // Established accounts sharing a card and a prompt (an evaluation team) are not that by themselves.
  const path = ((weak / n) * (abused / n)) ** 0.5;
  let coord = 0.15 + 0.85 * Math.max((fresh / n) * (0.7 + 0.3 * path), flat * 0.6);
  let topOrg = 0;
  for (const c of orgs.values()) if (c > topOrg) topOrg = c;
  const declared = topOrg / n >= 0.8 && business / n >= 0.8;
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
  g.detail = { accounts: n, harvesting_share: hiShare, fresh_share: fresh / n, breadth, diversity, declared_org: declared ? 1 : 0 };
}
