// The dimensions along which accounts are linked, and how each account's current keys are derived
// from its bounded state. A key names a group of accounts sharing one thing (SliceNDice's "views").
import { DEFAULT_SCORING, type ScoringParams } from '../config/scoring.js';
import type { LinkReasonCode } from '../core/reasons.js';
import { DAY } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';

export type Dimension =
  | 'payment'
  | 'payment_bin'
  | 'signup_cohort'
  | 'signup_ip'
  | 'email_pattern'
  | 'link'
  | 'client'
  | 'ip_prefix'
  | 'system'
  | 'template'
  | 'org';

/** What a dimension is; its evidence weight is the configuration's (`scoring.dimensions`, src/config/scoring.ts). */
export interface DimensionSpec {
  /** Identity dimensions are hard to share by accident: one is enough to join a campaign. */
  strong: boolean;
  reason: LinkReasonCode;
}

export const DIMENSIONS: Record<Dimension, DimensionSpec> = {
  payment: { strong: true, reason: 'shared_payment' },
  link: { strong: true, reason: 'shared_link' },
  signup_ip: { strong: true, reason: 'signup_burst' },
  payment_bin: { strong: false, reason: 'shared_payment_bin' },
  signup_cohort: { strong: false, reason: 'signup_burst' },
  email_pattern: { strong: false, reason: 'email_pattern' },
  client: { strong: false, reason: 'shared_client_fingerprint' },
  ip_prefix: { strong: false, reason: 'shared_ip_prefix' },
  system: { strong: false, reason: 'system_prompt_reuse' },
  template: { strong: false, reason: 'shared_template' },
  org: { strong: false, reason: 'shared_link' },
};

/** Each dimension's bit, for sets of dimensions as one integer. */
export const DIMENSION_BIT: Record<Dimension, number> = Object.fromEntries(Object.keys(DIMENSIONS).map((d, i) => [d, i])) as Record<Dimension, number>;

export interface GroupKey {
  dim: Dimension;
  key: string;
}

/** What decides when traffic keys describe an account (src/config/scoring.ts). */
export type TrafficKeyParams = Pick<ScoringParams, 'dominantShare' | 'templateShare' | 'minRecurring' | 'establishedExchanges'>;

/** How `accountKeys` names template groups and learns which are hot (GroupIndex answers from its groups). */
export interface TemplateKeys {
  /** The group key of template `id`: `template:<id>` (the existing group's own string when there is one). */
  key(id: number): string;
  /** The template's group is already judged suspicious (or a peer reported it). */
  hot(id: number): boolean;
}

/** No template is hot. */
export const PLAIN_TEMPLATES: TemplateKeys = { key: (id) => `template:${id}`, hot: () => false };

/**
 * The keys of an account's profile (payment, links, sign-up cohort, card BIN, sign-up network, e-mail
 * pattern): they change only when an account record changes one of them (Observer.observeAccount says so).
 */
export function identityKeys(s: AccountState, windowMs: number, out: string[]): string[] {
  out.length = 0;
  if (s.paymentFingerprint !== undefined) out.push(`payment:${s.paymentFingerprint}`);
  if (s.links) for (const [k, v] of Object.entries(s.links)) out.push(`link:${k}=${v}`);
  if (s.createdAt !== undefined) {
    const cohort = Math.floor(s.createdAt / windowMs);
    out.push(`signup_cohort:${cohort}`);
    const day = Math.floor(s.createdAt / DAY);
    if (s.paymentBin) out.push(`payment_bin:${s.paymentBin}:${day}`);
    if (s.signupNetwork !== undefined) out.push(`signup_ip:${s.signupNetwork}:${day}`);
    if (s.emailPattern && s.emailDomain) out.push(`email_pattern:${s.emailPattern}@${s.emailDomain}:${Math.floor(day / 7)}`);
  }
  return out;
}

/**
 * Current group keys of an account; `windowMs` buckets sign-up times into cohorts. `templates.hot` names
 * the templates already tied to a suspicious group: one use of such a scaffold is enough, so an account
 * that inherits a known pipeline joins its group from its first prompts. `identity`: the account's
 * `identityKeys`, when the caller keeps them.
 */
export function accountKeys(
  s: AccountState,
  windowMs: number,
  out: string[],
  templates: TemplateKeys = PLAIN_TEMPLATES,
  identity?: readonly string[],
  p: TrafficKeyParams = DEFAULT_SCORING,
): string[] {
  if (identity) {
    out.length = 0;
    for (let i = 0; i < identity.length; i++) out.push(identity[i]);
  } else {
    identityKeys(s, windowMs, out);
  }
  return trafficKeys(s, out, templates, p);
}

/** Appends the keys that follow an account's identity keys: its organization and its traffic's. */
export function trafficKeys(s: AccountState, out: string[], templates: TemplateKeys = PLAIN_TEMPLATES, p: TrafficKeyParams = DEFAULT_SCORING): string[] {
  const org = s.orgId ?? s.exchangeOrg;
  if (org) out.push(`org:${org}`);
  const exchanges = s.exchanges;
  if (exchanges === 0) return out;
  const established = exchanges >= p.establishedExchanges;
  if (established) {
    const min = Math.max(p.minRecurring, p.dominantShare * exchanges);
    for (const k of s.clients.heavy(min)) out.push(`client:${k}`);
    for (const k of s.ipPrefixes.heavy(min)) out.push(`ip_prefix:${k}`);
    for (const k of s.systems.heavy(min)) out.push(`system:${k}`);
  }
  // Templates: recurring in the account (once it is established), or already hot, from first use.
  const minTemplate = established ? Math.max(p.minRecurring, p.templateShare * exchanges) : Infinity;
  const t = s.templates;
  for (let i = 0; i < t.size; i++) {
    const id = t.key(i);
    if (t.guaranteed(i) >= minTemplate || templates.hot(id)) out.push(templates.key(id));
  }
  return out;
}

export function dimensionOf(key: string): Dimension {
  return key.slice(0, key.indexOf(':')) as Dimension;
}
