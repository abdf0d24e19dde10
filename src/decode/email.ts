// E-mail addresses on ingest: normalized, keyed-hashed, reduced to a shape. The raw address never
// leaves decode: only emailHash (HMAC-SHA-256, hex), emailPattern and emailDomain do.
import { createHmac } from 'node:crypto';

/** Providers that ignore dots in the local part and deliver `local+tag` to `local`. */
const GMAIL_LIKE: Record<string, string> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/** Providers that deliver `local+tag` to `local` (sub-addressing) but where dots matter. */
const PLUS_TAGGED = new Set([
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'protonmail.com',
  'proton.me',
  'pm.me',
  'fastmail.com',
  'fastmail.fm',
]);

const LETTER = /^\p{L}$/u;

export interface EmailFacts {
  hash: string;
  pattern: string;
  /** Lower-cased domain as written, undefined when the string has no '@'. */
  domain: string | undefined;
}

/**
 * Normalize an address for linking: trim and lower-case; for gmail-like domains drop dots and a
 * `+tag` in the local part (and fold googlemail.com into gmail.com); for other sub-addressing
 * providers drop the `+tag` only. A string without '@' is normalized as a whole (trim, lower-case):
 * it is still hashed, not rejected, because it has the right type.
 */
export function normalizeEmail(address: string): string {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at < 0) return a;
  let local = a.slice(0, at);
  let domain = a.slice(at + 1);
  const gmail = GMAIL_LIKE[domain];
  if (gmail !== undefined) {
    domain = gmail;
    local = stripTag(local).replaceAll('.', '');
  } else if (PLUS_TAGGED.has(domain)) {
    local = stripTag(local);
  }
  return `${local}@${domain}`;
}

function stripTag(local: string): string {
  const plus = local.indexOf('+');
  return plus > 0 ? local.slice(0, plus) : local;
}

/**
 * Shape of a local part: each run of letters becomes `a`, each run of digits `9`; every other
 * character (separators `.`, `_`, `-`, `+`, ...) is kept. `john.smith1987` → `a.a9`.
 */
export function emailPattern(local: string): string {
  let out = '';
  let prev = '';
  for (const ch of local) {
    let cls: string;
    if (ch >= '0' && ch <= '9') cls = '9';
    else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch > '\x7f' && LETTER.test(ch))) cls = 'a';
    else {
      out += ch;
      prev = '';
      continue;
    }
    if (cls !== prev) out += cls;
    prev = cls;
  }
  return out;
}

export function hashEmail(normalized: string, key: Buffer): string {
  return createHmac('sha256', key).update(normalized, 'utf8').digest('hex');
}

/** Hash, shape and domain of a raw address. */
export function emailFacts(address: string, key: Buffer): EmailFacts {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  const local = at < 0 ? trimmed : trimmed.slice(0, at);
  const domain = at < 0 ? undefined : trimmed.slice(at + 1).toLowerCase() || undefined;
  return { hash: hashEmail(normalizeEmail(trimmed), key), pattern: emailPattern(local), domain };
}
