// `account` records: what the provider knows about an account as of `ts`.
import { PLANS, type AccountEvent, type Verification } from '../core/records.js';
import { fail, type JsonObject, isObject, jsonType, optCountry, optEnum, optString, optTimestamp, reqString, reqTimestamp } from './check.js';
import { emailFacts } from './email.js';

export const VERIFICATIONS: readonly Verification[] = ['none', 'email', 'phone', 'id', 'business'];
export { PLANS };

/** Decode an `account` record (its `type` already checked). The raw e-mail is hashed here and dropped. */
export function decodeAccount(o: JsonObject, emailKey: Buffer, shareEmail?: (address: string) => string[]): AccountEvent {
  const accountId = reqString(o, 'account_id');
  const ts = reqTimestamp(o, 'ts');
  const createdAt = optTimestamp(o, 'created_at');
  const email = optString(o, 'email');
  const givenDomain = optString(o, 'email_domain')?.trim().toLowerCase() || undefined;
  const facts = email === undefined || email.trim() === '' ? undefined : emailFacts(email, emailKey);
  return {
    kind: 'account',
    accountId,
    ts,
    createdAt,
    emailHash: facts?.hash,
    emailShared: facts && shareEmail ? shareEmail(email!) : undefined,
    emailPattern: facts?.pattern,
    emailDomain: givenDomain ?? facts?.domain,
    paymentFingerprint: optString(o, 'payment_fingerprint'),
    paymentBin: optString(o, 'payment_bin'),
    country: optCountry(o, 'country'),
    orgId: optString(o, 'org_id'),
    verification: optEnum(o, 'verification', VERIFICATIONS),
    plan: optEnum(o, 'plan', PLANS),
    signupIp: optString(o, 'signup_ip'),
    signupUserAgent: optString(o, 'signup_user_agent'),
    links: readLinks(o),
  };
}

/** `links`: an object of string to string. Empty values are dropped (they would link everyone). */
function readLinks(o: JsonObject): Record<string, string> | undefined {
  const v = o.links;
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) fail('wrong_type', 'links', `expected an object of string to string, got ${jsonType(v)}`);
  const entries: [string, string][] = [];
  for (const key of Object.keys(v)) {
    const value = v[key];
    if (value === null || value === '') continue;
    if (typeof value !== 'string') fail('wrong_type', `links.${key}`, `expected string, got ${jsonType(value)}`);
    entries.push([key, value]);
  }
  // fromEntries defines own properties, so a key like "__proto__" stays a plain key.
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}
