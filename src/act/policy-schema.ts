// The policy file: versioned rules that map what the engine knows about an account (verdict, score,
// reasons and their parameters, campaign state, plan, age, analyst decisions, identity shared with an
// operation already acted on) to what the gateway does with its next request.
import { z } from 'zod';
import { REASON_CODES } from '../core/reasons.js';
import { PLANS } from '../core/records.js';

/** Actions from mildest to strictest: when several rules match, the strictest wins. */
export const ACTIONS = ['allow', 'step_up', 'throttle', 'degrade', 'hold', 'block'] as const;
export type ActionName = (typeof ACTIONS)[number];
export const SEVERITY: Readonly<Record<ActionName, number>> = Object.fromEntries(ACTIONS.map((a, i) => [a, i])) as Record<ActionName, number>;
/** Actions under which a request is no longer answered in full: what served leakage counts up to. */
export const PROTECTS: ReadonlySet<ActionName> = new Set(['degrade', 'hold', 'block']);

const Range = z
  .object({ gt: z.number(), gte: z.number(), lt: z.number(), lte: z.number(), eq: z.number() })
  .partial()
  .strict()
  .refine((r) => Object.keys(r).length > 0, { message: 'a range needs at least one of gt, gte, lt, lte, eq' });
export type Range = z.infer<typeof Range>;

const reasonCode = z.enum(Object.keys(REASON_CODES) as [keyof typeof REASON_CODES, ...(keyof typeof REASON_CODES)[]]);

const ReasonMatch = z
  .object({
    code: reasonCode,
    weight: Range.optional(),
    /** Reason parameters: a number range, or an exact string / boolean / number. */
    detail: z.record(z.string(), z.union([Range, z.string(), z.boolean(), z.number()])).optional(),
  })
  .strict();
export type ReasonMatch = z.infer<typeof ReasonMatch>;

const VERDICTS = ['benign', 'suspicious', 'distillation'] as const;
const VERIFICATIONS = ['none', 'email', 'phone', 'id', 'business'] as const;

const When = z
  .object({
    verdict: z.array(z.enum(VERDICTS)).min(1),
    score: Range,
    /** Every listed reason must be present (and match its weight and parameters). */
    reasons: z.array(ReasonMatch).min(1),
    /** At least one of these codes must be present. */
    any_reason: z.array(reasonCode).min(1),
    /** None of these codes may be present. */
    no_reason: z.array(reasonCode).min(1),
    in_campaign: z.boolean(),
    campaign: z
      .object({
        flagged: z.boolean(),
        accounts: Range,
        score: Range,
        /** Another member of the campaign already has an enforced degrade, hold or block. */
        acted_on: z.boolean(),
      })
      .partial()
      .strict(),
    plan: z.array(z.enum(PLANS)).min(1),
    verification: z.array(z.enum(VERIFICATIONS)).min(1),
    account_age_days: Range,
    exchanges: Range,
    /** The account's own harvesting score in [0, 1] (docs/reasons.md, content score). */
    content_score: Range,
    analyst: z.array(z.enum(['confirmed', 'dismissed', 'none'])).min(1),
    /** Its account record shared an identity thing with an operation already acted on. */
    linked_at_signup: z.boolean(),
  })
  .partial()
  .strict();
export type When = z.infer<typeof When>;

const positiveInt = z.number().int().positive();
const Params = {
  allow: z.object({}).strict(),
  step_up: z.object({ method: z.enum(['phone', 'id', 'payment', 'business']) }).strict(),
  throttle: z.object({ requests_per_minute: positiveInt, concurrency: positiveInt }).strict(),
  degrade: z
    .object({
      max_tokens: positiveInt.optional(),
      thinking: z.enum(['on', 'off', 'summarised']).default('on'),
      tools: z.boolean().default(true),
    })
    .strict()
    .refine((p) => p.max_tokens !== undefined || p.thinking !== 'on' || !p.tools, { message: 'degrade changes nothing: set max_tokens, thinking off|summarised or tools false' }),
  hold: z.object({}).strict(),
  block: z.object({}).strict(),
} as const;

const Mark = z.object({ marker: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a marker id: lower-case letters, digits, _ and -') }).strict();

const ruleBase = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a rule id: lower-case letters, digits, _ and -'),
  description: z.string().optional(),
  mode: z.enum(['enforce', 'shadow']).default('enforce'),
  when: When.default({}),
  /** Ask the model server to embed a provenance marker in what it serves under this rule. */
  mark: Mark.optional(),
};

const Rule = z.discriminatedUnion('action', [
  z.object({ ...ruleBase, action: z.literal('allow'), params: Params.allow.default({}) }).strict(),
  z.object({ ...ruleBase, action: z.literal('step_up'), params: Params.step_up }).strict(),
  z.object({ ...ruleBase, action: z.literal('throttle'), params: Params.throttle }).strict(),
  z.object({ ...ruleBase, action: z.literal('degrade'), params: Params.degrade }).strict(),
  z.object({ ...ruleBase, action: z.literal('hold'), params: Params.hold.default({}) }).strict(),
  z.object({ ...ruleBase, action: z.literal('block'), params: Params.block.default({}) }).strict(),
]);
export type Rule = z.infer<typeof Rule>;

const Suppression = z
  .object({
    account_id: z.string().min(1).optional(),
    org_id: z.string().min(1).optional(),
    /** A rule id, or '*' for every rule. */
    rule: z.string().min(1),
    until: z.iso.datetime({ offset: true }),
    /** Who granted it and why: suppressions are audited with the policy. */
    by: z.string().min(1),
    note: z.string().min(1),
  })
  .strict()
  .refine((s) => (s.account_id === undefined) !== (s.org_id === undefined), { message: 'a suppression names exactly one of account_id, org_id' });
export type Suppression = z.infer<typeof Suppression>;

export const PolicySchema = z
  .object({
    /** Format version of this file. */
    version: z.literal(1),
    name: z.string().min(1),
    /** The policy's own revision, quoted in every action and in the audit of a reload. */
    revision: z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String),
    rules: z.array(Rule).min(1),
    suppressions: z.array(Suppression).default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id ${JSON.stringify(r.id)}` });
      seen.add(r.id);
    });
    p.suppressions.forEach((s, i) => {
      if (s.rule !== '*' && !seen.has(s.rule)) ctx.addIssue({ code: 'custom', path: ['suppressions', i, 'rule'], message: `no rule ${JSON.stringify(s.rule)} in this policy` });
    });
  });
export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
