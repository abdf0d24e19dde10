// The scoring numbers of link and judge, named, documented and overridable through `--config`
// (`{"scoring": {...}}`), with the values the rules were tuned with as defaults. Like src/sim/params.ts:
// every number a rule uses is here, not a literal in the rule.
import { z } from 'zod';
import { HOUR } from '../core/time.js';

const share = z.number().min(0).max(1);
const count = z.number().int().min(1);

export const ScoringSchema = z.object({
  // --- link: the pairwise rule (src/link/linker.ts)
  /** Members of a suspicious group each newcomer is tested against for a pairwise link. */
  anchors: count.default(6),
  /** Content score both accounts need to be linked by one identity thing (a card, a device) alone. */
  clearHarvest: share.default(0.55),
  /** Distinct shared templates that link two throwaway-looking accounts on their own. */
  pipelineTemplates: count.default(2),
  /**
   * Accounts from which a recurring system prompt judged not suspicious is an app's default, not a
   * pipeline's: it does not tell two pipelines apart (src/link/pipelines.ts). A new pipeline's prompt
   * counts as its own until its group is this large and judged.
   */
  commonSystemMembers: count.default(20),
  /** Two established campaigns merge once this many accounts on each side link across... */
  bridgeMin: count.default(3),
  /** ...and this share of the smaller campaign. */
  bridgeShare: share.default(0.3),
  /** Exchanges each side of a link needs (shares over a handful of exchanges are noise; links are forever). */
  minLinkExchanges: count.default(5),

  // --- judge: a group's suspicion (src/judge/group-suspicion.ts)
  /** Members an identity group (a card, a device) needs to be judged: two sharing one is not chance. */
  minStrongMembers: count.default(2),
  /** Members any other group (a cohort, a scaffold, a client) needs: two sharing one is coincidence. */
  minWeakMembers: count.default(3),
  /** Share of harvesting members below which a group is not suspicious at all... */
  majorityFrom: share.default(0.3),
  /** ...and the span above it over which the majority factor rises to 1. */
  majorityRange: z.number().positive().default(0.4),
  /** Reasoning prompts below which item diversity is not measured (taken as 1). */
  diversityMinPrompts: count.default(20),
  /** Capability families a group must ask for to count as broad harvesting... */
  broadBreadth: count.default(3),
  /** ...and the factor a narrower group keeps. */
  narrowFactor: share.default(0.4),
  /** Distinct items per reasoning prompt below which a group repeats the same few (a class)... */
  diversityFrom: share.default(0.1),
  /** ...the span above it over which the diversity factor rises to 1... */
  diversityRange: z.number().positive().default(0.3),
  /** ...and the least the factor keeps. */
  diversityFloor: share.default(0.1),
  /** Exchanges a group needs before its round-the-clock (flat) activity counts... */
  flatMinExchanges: count.default(50),
  /** ...and the share of its traffic its quietest six hours must carry. */
  flatMinSixHourShare: share.default(0.15),
  /** Coordination of a group without any sign of throwaway accounts... */
  coordBase: share.default(0.15),
  /** ...and the span the signs add (fresh members on weak sign-up paths, flat activity). */
  coordRange: share.default(0.85),
  /** The fresh share counts this much with no weak or abused sign-up path... */
  freshPathBase: share.default(0.7),
  /** ...and this much more with every member on one. */
  freshPathWeight: share.default(0.3),
  /** What flat, round-the-clock activity alone counts as coordination. */
  flatCoordination: share.default(0.6),
  /** Share of business-verified members, and of one declared organization, that make a group declared... */
  declaredShare: share.default(0.8),
  /** ...and the factor a declared organization's coordination keeps (an enterprise, not a farm). */
  declaredFactor: share.default(0.2),
  /** What a group of two keeps (a family card is common). */
  pairFactor: share.default(0.6),
  /** Members at which a non-identity group's size halves its suspicion (things shared by hundreds are weak). */
  crowdSize: z.number().positive().default(1000),
  /** Share of the linking suspicion from which co-activity (lockstep, load balancing) is tested. */
  coactivityFrom: share.default(0.8),
  /** Suspicion lockstep members add. */
  lockstepBonus: share.default(0.1),
  /** Suspicion a load-balanced group adds. */
  loadBalancedBonus: share.default(0.1),

  // --- judge: accounts and campaigns (src/judge/judge.ts)
  /** Evidence (in nats) per unit of score: score = 1 - exp(-W / scoreScale). */
  scoreScale: z.number().positive().default(2.5),
  /** Accounts alone, however they behave, are at most worth a review: distillation needs linking. */
  soloCap: share.default(0.7),
  /** Campaign members whose own content score is below this... */
  contentGate: share.default(0.3),
  /** ...are at most this (suspicious). */
  contentCap: share.default(0.6),
  /** Exchanges a campaign member needs before enforcement (shares over fewer are noise). */
  minFlagExchanges: count.default(5),
  /** Event time (ms) between re-evaluations of a group whose membership did not change. */
  reevaluateMs: z.number().int().positive().default(HOUR),
  /** Groups above this size are re-evaluated every size/bigGroup judgements at most. */
  bigGroup: count.default(64),
  /** Knob evidence (maxed budgets, many samples) that counts without any capability evidence. */
  knobAlone: z.number().min(0).default(0.5),
});

export type ScoringParams = z.infer<typeof ScoringSchema>;

/** The defaults, for code and tests that score outside an engine configuration. */
export const DEFAULT_SCORING: ScoringParams = Object.freeze(ScoringSchema.parse({}));

