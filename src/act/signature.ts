// Webhook signatures the way Stripe signs: header `Distillguard-Signature: t=<unix seconds>,v1=<hex>`,
// where v1 = HMAC-SHA-256(secret, `${t}.${body}`). The timestamp is signed too, so a captured
// request cannot be replayed later than the receiver's tolerance.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'distillguard-signature';
export const DEFAULT_TOLERANCE_S = 300;

export function signPayload(body: string, secret: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  return `t=${t},v1=${hmac(secret, `${t}.${body}`)}`;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'no_match' | 'too_old' };

/**
 * Verifies a signature header against the raw body (the exact bytes received, not re-serialized
 * JSON). Any `v1` entry may match (several are sent while a secret is rotated).
 */
export function verifySignature(
  body: string,
  header: string | undefined,
  secret: string,
  opts: { toleranceS?: number; nowS?: number } = {},
): VerifyResult {
  if (!header) return { ok: false, reason: 'malformed' };
  let t: number | undefined;
  const sigs: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d+$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) sigs.push(v);
  }
  if (t === undefined || sigs.length === 0) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(hmac(secret, `${t}.${body}`), 'hex');
  const match = sigs.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  if (!match) return { ok: false, reason: 'no_match' };
  const now = opts.nowS ?? Date.now() / 1000;
  if (Math.abs(now - t) > (opts.toleranceS ?? DEFAULT_TOLERANCE_S)) return { ok: false, reason: 'too_old' };
  return { ok: true, timestamp: t };
}

function hmac(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data, 'utf8').digest('hex');
}
