// The catalogue of reason codes. Codes are stable (analysts and rules key on them);
// text is rendered from code + parameters, never stored as the reason itself.

/** The share of an account's traffic that shows a trait (0..1). */
export interface ShareDetail {
  share: number;
}

/**
 * A shared thing along one link dimension (src/link/dimensions.ts). `dimension` is the dimension's
 * name; `shared_values` counts distinct shared things (a campaign's reasons, and an account's templates).
 */
export interface LinkDetail {
  dimension: string;
  accounts: number;
  suspicion: number;
  shared_values?: number;
}

/** The campaign as a whole covers many capabilities on many distinct items (src/judge/campaign-coverage.ts). */
export interface CampaignCoverageDetail {
  scope: 'campaign';
  capabilities: number;
  eliciting_share: number;
  distinct_items: number;
  accounts: number;
}

/**
 * The parameters of each reason code, the way Zod types each issue code's parameters: a renamed or
 * missing parameter is a compile error where a reason is made and where one is read. The JSON output
 * writes them in the order the producer sets them.
 */
export interface ReasonDetails {
  /** A policy action's reason (src/act/policy-stage.ts): the operation acted on and the identity thing shared. */
  linked_at_signup: { campaign: string; via: string; at: string };
  reasoning_elicitation: ShareDetail;
  reasoning_reconstruction: ShareDetail;
  rubric_grading: ShareDetail;
  capability_breadth: { capabilities: number };
  /** An account's own coverage, or its campaign's (the stronger of the two is kept). */
  topic_coverage: { distinct_share: number } | CampaignCoverageDetail;
  max_output_budget: ShareDetail;
  multi_sample: ShareDetail;
  logprobs_harvest: ShareDetail;
  extended_thinking: ShareDetail;
  single_turn: ShareDetail;
  system_prompt_reuse: LinkDetail;
  shared_template: LinkDetail;
  no_diurnal_rest: { quietest_6h_share: number };
  regular_interarrival: { log_gap_sd: number };
  rate_vs_age: { per_active_day: number; age_days: number };
  shared_payment: LinkDetail;
  shared_payment_bin: LinkDetail;
  signup_burst: LinkDetail;
  email_pattern: LinkDetail;
  shared_ip_prefix: LinkDetail;
  /** Reserved (not a link dimension: see docs/reasons.md). */
  shared_asn: LinkDetail;
  shared_client_fingerprint: LinkDetail;
  shared_link: LinkDetail;
  fraud_signup_path: { plan: string; verification: string };
  lockstep: { accounts: number };
  load_balanced: { accounts: number };
  campaign_member: { campaign: string; accounts: number };
  inherited_infrastructure: { campaign: string };
  model_release_pivot: { share_on_new_model: number };
  /** Clean accounts linked by one pipeline's text (src/link/shared-pipelines.ts): linked members, accounts using the phrase. */
  shared_tradecraft: { accounts: number; phrase_accounts: number };
  /** The linked group deals one payload set out like one work queue (src/link/item-spread.ts). */
  work_queue: { accounts: number; accounts_per_item: number; repeat_share: number; exchanges: number };
  /** Most of the group sends one client configuration, and most who send it are in the group (src/link/client-config.ts). */
  shared_client_config: { share: number; concentration: number };
  /** The group fell silent together while its members' regions stayed active (src/link/co-silence.ts): its silences, the strongest's expected active members, the strength one needs. */
  shared_timing: { silences: number; strength: number; needed: number };
  /** `kinds`: the matched indicator kinds, sorted and comma-separated. */
  peer_indicator: { kinds: string; producers: number; corroborated: boolean };
  /** An account's own confirmation (`at`, RFC 3339), or its campaign's count of confirmed members. */
  analyst_confirmed: { at: string } | { accounts: number };
  analyst_dismissed: { at: string };
}

export type ReasonCode = keyof ReasonDetails;

/** The codes of link reasons (their parameters are a LinkDetail). */
export type LinkReasonCode = { [C in ReasonCode]: ReasonDetails[C] extends LinkDetail ? C : never }[ReasonCode];

/** One reason of code `C`: the code, its weight in the score, the code's parameters. */
export interface ReasonOf<C extends ReasonCode> {
  code: C;
  weight: number;
  detail: ReasonDetails[C];
}

/** One reason: a union discriminated by `code`, one member per code. */
export type Reason = { [C in ReasonCode]: ReasonOf<C> }[ReasonCode];

/** Text of each code (rendered with its parameters by renderReason); every code has one. */
export const REASON_CODES = {
  // content: what an account's traffic harvests
  reasoning_elicitation: 'asks for step-by-step / chain-of-thought reasoning',
  reasoning_reconstruction: 'asks to reconstruct the reasoning behind completed answers',
  rubric_grading: 'asks to grade responses against rubrics',
  capability_breadth: 'broad, systematic coverage of capabilities',
  topic_coverage: 'many distinct topics, each asked about once',
  max_output_budget: 'max_tokens at the model ceiling',
  multi_sample: 'several completions per request (n > 1)',
  logprobs_harvest: 'requests token log-probabilities',
  extended_thinking: 'requests extended thinking / reasoning effort',
  single_turn: 'single-turn requests with no conversation',
  system_prompt_reuse: 'one system prompt reused across otherwise unrelated accounts',
  // templates
  shared_template: 'near-duplicate prompt scaffolds across accounts',
  // behaviour
  no_diurnal_rest: 'active around the clock with no daily rest',
  regular_interarrival: 'machine-regular time between requests',
  rate_vs_age: 'high volume for a new account',
  // identity and infrastructure
  shared_payment: 'payment instrument shared with other accounts',
  shared_payment_bin: 'rare card issuer shared by accounts created together',
  signup_burst: 'created in a burst with linked accounts',
  email_pattern: 'generated-looking e-mail pattern shared by linked accounts',
  shared_ip_prefix: 'network prefix shared with linked accounts',
  shared_asn: 'autonomous system shared with linked accounts',
  shared_client_fingerprint: 'TLS or client fingerprint shared with linked accounts',
  shared_link: 'provider link attribute shared with other accounts',
  fraud_signup_path: 'signed up through a program often abused (education, research, startup)',
  // coordination
  lockstep: 'active in lockstep with other accounts',
  load_balanced: 'complementary activity, as if fed by one work queue',
  // campaign level
  campaign_member: 'member of a campaign',
  inherited_infrastructure: 'inherits infrastructure or pipeline of a flagged account',
  model_release_pivot: 'moved traffic to a newly released model within a day',
  shared_tradecraft: 'prompts carry phrases rare in the population, inserted systematically by the linked accounts',
  work_queue: 'the linked accounts walk through one payload set: each item to few of them, rarely repeated',
  shared_client_config: 'one combination of client knobs shared by the linked accounts and rare outside them',
  shared_timing: 'the linked accounts fell silent together while their regions stayed active, as one pipeline stopping',
  peer_indicator: 'matches an indicator shared by a peer',
  // analyst decisions (src/judge/decisions.ts)
  analyst_confirmed: 'confirmed as distillation by an analyst',
  analyst_dismissed: 'dismissed by an analyst: evidence seen before the decision no longer counts',
  // policies (src/act/policy-stage.ts): a reason for an action, never evidence in a score
  linked_at_signup: 'signed up with an identity thing (card, device, sign-up network) of an operation already acted on',
} as const satisfies Record<ReasonCode, string>;

export function renderReason(r: Reason): string {
  const params = Object.entries(r.detail as Record<string, string | number | boolean>)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : v}`)
    .join(', ');
  return params ? `${REASON_CODES[r.code]} (${params})` : REASON_CODES[r.code];
}

/** `r` with every numeric parameter passed through `f` (the output's rounding), keys in the same order. */
export function mapNumbers<R extends Reason>(r: R, f: (v: number) => number): R {
  const detail: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(r.detail as Record<string, string | number | boolean>)) detail[k] = typeof v === 'number' ? f(v) : v;
  return { code: r.code, weight: f(r.weight), detail } as R;
}

/** The first reason of code `code`, typed by its code. */
export function findReason<C extends ReasonCode>(rs: readonly Reason[], code: C): ReasonOf<C> | undefined {
  return rs.find((r): r is Reason & ReasonOf<C> => r.code === code);
}

function round(v: number): number {
  return Number.isInteger(v) ? v : Math.round(v * 1000) / 1000;
}

/** Strongest first; ties by code so output is deterministic. */
export function sortReasons(rs: Reason[]): Reason[] {
  return rs.sort((a, b) => b.weight - a.weight || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
