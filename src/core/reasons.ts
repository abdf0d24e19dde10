// The catalogue of reason codes. Codes are stable (analysts and rules key on them);
// text is rendered from code + parameters, never stored as the reason itself.

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
  peer_indicator: 'matches an indicator shared by a peer',
  // analyst decisions (src/judge/decisions.ts)
  analyst_confirmed: 'confirmed as distillation by an analyst',
  analyst_dismissed: 'dismissed by an analyst: evidence seen before the decision no longer counts',
  // policies (src/act/policy-stage.ts): a reason for an action, never evidence in a score
  linked_at_signup: 'signed up with an identity thing (card, device, sign-up network) of an operation already acted on',
} as const;

export type ReasonCode = keyof typeof REASON_CODES;

/** One reason: a stable code, its weight in the score, structured parameters. */
export interface Reason {
  code: ReasonCode;
  weight: number;
  detail: Record<string, string | number | boolean>;
}

export function renderReason(r: Reason): string {
  const params = Object.entries(r.detail)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : v}`)
    .join(', ');
  return params ? `${REASON_CODES[r.code]} (${params})` : REASON_CODES[r.code];
}

function round(v: number): number {
  return Number.isInteger(v) ? v : Math.round(v * 1000) / 1000;
}

/** Strongest first; ties by code so output is deterministic. */
export function sortReasons(rs: Reason[]): Reason[] {
  return rs.sort((a, b) => b.weight - a.weight || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
