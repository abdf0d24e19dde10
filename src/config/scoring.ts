// The scoring numbers of link and judge, named, documented and overridable through `--config`
// (`{"scoring": {...}}`), with the values the rules were tuned with as defaults. Like src/sim/params.ts:
// every number a rule uses is here, not a literal in the rule.
import { z } from 'zod';
import { PLANS } from '../core/records.js';
import { HOUR } from '../core/time.js';
import { PipelineSchema } from './pipelines.js';

const share = z.number().min(0).max(1);
const count = z.number().int().min(1);
const weight = z.number().min(0);

/** Per-account content signals (src/signals/content.ts): a share of the account's exchanges from which it is evidence, and its weight. */
export const ContentSignalSchema = z.object({
  /** Exchanges an account needs before its shares mean anything. */
  minExchanges: count.default(3),
  /** Share of its exchanges a harvest capability needs to count towards an account's (or group's) breadth. */
  breadthShare: share.default(0.05),
  /** Reasoning-eliciting share from which it is evidence (about 1% of ordinary prompts ask for steps)... */
  reasoningShare: share.default(0.2),
  /** ...and its weight per unit of share. */
  reasoningWeight: weight.default(1.2),
  /** Share of prompts reconstructing reasoning behind finished answers from which it is evidence... */
  reconstructionShare: share.default(0.05),
  /** ...its weight at any share... */
  reconstructionBase: weight.default(0.5),
  /** ...and what each unit of share adds. */
  reconstructionWeight: weight.default(1.5),
  /** Rubric-grading share from which it is evidence, its base weight and weight per unit of share. */
  rubricShare: share.default(0.05),
  rubricBase: weight.default(0.3),
  rubricWeight: weight.default(1.0),
  /** Exchanges before breadth is measured, harvest capabilities that make it evidence, weight per capability beyond the first. */
  breadthMinExchanges: count.default(10),
  breadthMin: count.default(3),
  breadthWeight: weight.default(0.3),
  /** Topic coverage (every prompt different, single turns): exchanges needed, distinct-prompt and single-turn shares, weight. */
  coverageMinExchanges: count.default(20),
  coverageDistinct: share.default(0.85),
  coverageSingleTurn: share.default(0.8),
  coverageWeight: weight.default(0.3),
  /** Share of exchanges with a harvesting knob (maxed budget, many samples, logprobs, thinking) from which it is evidence. */
  knobShare: share.default(0.2),
  /** Weight per unit of share of maxed-out output budgets, multiple samples, logprobs and extended thinking. */
  ceilingWeight: weight.default(1.0),
  multiSampleWeight: weight.default(0.5),
  logprobsWeight: weight.default(0.5),
  thinkingWeight: weight.default(0.5),
  /** Single turns: exchanges needed, share from which it is evidence, weight per unit of share. */
  singleTurnMinExchanges: count.default(10),
  singleTurnShare: share.default(0.8),
  singleTurnWeight: weight.default(0.3),
});

/** Per-account behaviour signals (src/signals/behaviour.ts): when and how fast an account sends. */
export const BehaviourSignalSchema = z.object({
  /** No diurnal rest: exchanges and active days it needs... */
  restMinExchanges: count.default(40),
  restMinActiveDays: count.default(2),
  /** ...the share of its traffic its quietest six hours of the UTC day must carry (a uniform 24/7 sender: 25%, a sleeping human 0-5%)... */
  restQuietShare: share.default(0.15),
  /** ...and its weight. */
  restWeight: weight.default(0.4),
  /** Regular inter-arrival: gaps it needs, the standard deviation of log gaps below which it counts (Poisson arrivals give ~1.28), weight. */
  regularMinGaps: count.default(30),
  regularLogGapSd: z.number().positive().default(0.5),
  regularWeight: weight.default(0.3),
  /** Rate against age: exchanges it needs, the account age (days) up to which it applies, exchanges per active day from which it counts, weight. */
  rateMinExchanges: count.default(30),
  rateMaxAgeDays: z.number().positive().default(30),
  ratePerActiveDay: z.number().positive().default(20),
  rateWeight: weight.default(0.2),
});

/** Per-account identity signal (src/signals/identity.ts): weak by design, it counts only with linking and content. */
export const IdentitySignalSchema = z.object({
  /** Plans signed up for through programs often abused (without business or ID verification)... */
  abusedPlans: z.array(z.enum(PLANS)).default(['education', 'research', 'startup']),
  /** ...and the weight of signing up through one. */
  fraudPathWeight: weight.default(0.15),
});

/** Co-activity of a group's members over the last 48 hours (src/signals/coordination.ts). */
export const CoordinationSchema = z.object({
  /** Hours with traffic a member needs in the 48 to count as active... */
  minBusyHours: count.default(3),
  /** ...and active members a group needs for its co-activity to be measured (at least two: it is pairwise). */
  minActive: z.number().int().min(2).default(3),
  /** Mean pairwise cosine of the members' hourly activity from which they send in lockstep. */
  lockstepCosine: share.default(0.6),
  /** Load balancing: active members it needs, the group total's coefficient of variation below which it is steady... */
  loadBalancedMembers: count.default(5),
  loadBalancedTotalCv: z.number().positive().default(0.45),
  /** ...and the members' mean coefficient of variation above which each is bursty. */
  loadBalancedMemberCv: z.number().positive().default(0.9),
});

/**
 * Evidence weight of sharing one thing along each link dimension (src/link/dimensions.ts), before the
 * group's suspicion is considered. A dimension weighing 0 is never judged (an organization is declared, not evidence).
 */
export const DimensionWeightsSchema = z.object({
  payment: weight.default(0.9),
  link: weight.default(0.9),
  signup_ip: weight.default(0.6),
  payment_bin: weight.default(0.5),
  signup_cohort: weight.default(0.4),
  email_pattern: weight.default(0.3),
  client: weight.default(0.3),
  ip_prefix: weight.default(0.3),
  system: weight.default(0.5),
  template: weight.default(0.5),
  org: weight.default(0),
});

/** The one pattern that convicts an account alone (src/judge/judge.ts traceInversion). */
export const TraceInversionSchema = z.object({
  /** Exchanges it needs: reconstructing reasoning at volume, not once. */
  minExchanges: count.default(50),
  /** Share of its exchanges that reconstruct the reasoning behind finished answers. */
  reconstructionShare: share.default(0.2),
  /** Share of exchanges a harvesting knob (maxed budget, thinking, logprobs, samples) needs to count... */
  knobShare: share.default(0.5),
  /** ...and how many such knobs it needs. */
  knobs: count.default(2),
});

/** Campaign-wide evidence every member of a campaign carries (src/judge/judge.ts evaluateCampaign). */
export const CampaignEvidenceSchema = z.object({
  /** Weight of membership in a campaign of two... */
  memberBase: weight.default(0.5),
  /** ...what more members add... */
  memberRange: weight.default(0.5),
  /** ...reached in full with this many accounts beyond two. */
  memberFullAt: count.default(8),
  /** Weight of members sending in lockstep, and of a steady total made of bursty members (load balancing). */
  lockstepWeight: weight.default(0.4),
  loadBalancedWeight: weight.default(0.4),
  /** Model release pivot: exchanges in release windows needed, share on the new model, weight. */
  releaseMinExchanges: count.default(20),
  releaseShare: share.default(0.3),
  releaseWeight: weight.default(0.4),
  /** Weight of having joined an already flagged campaign (its infrastructure or pipeline). */
  inheritedWeight: weight.default(0.5),
  /** A shared dimension weighs its full base from suspicion 1/dimensionGain on (linearly below). */
  dimensionGain: z.number().positive().default(1.5),
  /** An account's shared templates multiply its template evidence by templates/templatesPer, at most templatesMax. */
  templatesPer: z.number().positive().default(2),
  templatesMax: z.number().positive().default(2),
  /** Campaign topic coverage: exchanges and eliciting prompts needed, harvest breadth, eliciting and distinct-item shares, weight. */
  coverageMinExchanges: count.default(200),
  coverageMinEliciting: count.default(50),
  coverageBreadth: count.default(3),
  coverageElicitingShare: share.default(0.3),
  coverageDistinct: share.default(0.5),
  coverageWeight: weight.default(0.6),
  /** Analyst confirmation of members: weight of one, added per further member, further members counted at most. */
  confirmedBase: weight.default(0.5),
  confirmedStep: weight.default(0.25),
  confirmedMaxSteps: z.number().int().min(0).default(2),
});

export const ScoringSchema = z.object({
  // --- link: what an exchange and an account share (src/link/linker.ts, src/link/dimensions.ts)
  /** Share of a model's output ceiling from which an exchange's max_tokens counts as maxed out. */
  ceilingShare: share.default(0.9),
  /** Exchanges of a model without a configured ceiling (`modelCeilings`) before its largest max_tokens seen stands for its ceiling. */
  ceilingLearnAfter: count.default(200),
  /** An account's traffic keys (client, network prefix, system prompt) need this share of its exchanges... */
  dominantShare: share.default(0.3),
  /** ...a recurring template this share... */
  templateShare: share.default(0.05),
  /** ...both at least this many exchanges... */
  minRecurring: count.default(2),
  /** ...and the account this many exchanges before any traffic key describes it (a hot template excepted). */
  establishedExchanges: count.default(3),
  /** Evidence weight of each link dimension. */
  dimensions: DimensionWeightsSchema.prefault({}),

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
  /** Days from sign-up to first exchange within which an account (not ID- or business-verified) looks like a throwaway. */
  throwawayDays: z.number().positive().default(60),
  /** A template group at this suspicion, with this many members, is joined from an account's first use of it. */
  hotSuspicion: share.default(0.5),
  hotMembers: count.default(5),

  // --- judge: what links and what counts as harvesting
  /** Content score from which an account counts as harvesting (and may be linked). */
  harvestMin: share.default(0.45),
  /** Suspicion from which a group links its members. */
  suspicionMin: share.default(0.25),
  /** Content evidence (in nats) per unit of content score: harvest = 1 - exp(-W / harvestScale). */
  harvestScale: z.number().positive().default(2),
  /** Days from sign-up to first exchange within which a group member counts as fresh. */
  freshDays: z.number().positive().default(30),

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
  /** Groups above this size are re-evaluated every size/bigGroup judgements at most... */
  bigGroup: count.default(64),
  /** ...and at least every this many judgements. */
  reevaluateMaxTicks: count.default(24),
  /** Knob evidence (maxed budgets, many samples) that counts without any capability evidence. */
  knobAlone: z.number().min(0).default(0.5),
  /** Plans counted as abused sign-up paths among a group's members (group suspicion's throwaway signs; src/judge/group-aggregates.ts). */
  groupAbusedPlans: z.array(z.enum(PLANS)).default(['education', 'research', 'startup', 'free']),
  content: ContentSignalSchema.prefault({}),
  behaviour: BehaviourSignalSchema.prefault({}),
  identity: IdentitySignalSchema.prefault({}),
  coordination: CoordinationSchema.prefault({}),
  traceInversion: TraceInversionSchema.prefault({}),
  campaign: CampaignEvidenceSchema.prefault({}),
  /** Linking clean accounts through the pipeline they share (src/config/pipelines.ts). */
  pipelines: PipelineSchema.prefault({}),
});

export type ScoringParams = z.infer<typeof ScoringSchema>;
export type CampaignEvidenceParams = z.infer<typeof CampaignEvidenceSchema>;
export type TraceInversionParams = z.infer<typeof TraceInversionSchema>;
export type CoordinationParams = z.infer<typeof CoordinationSchema>;
export type DimensionWeights = z.infer<typeof DimensionWeightsSchema>;

/** The defaults, for code and tests that score outside an engine configuration. */
export const DEFAULT_SCORING: ScoringParams = Object.freeze(ScoringSchema.parse({}));

