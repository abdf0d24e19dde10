// E-mail addresses on ingest: normalized, keyed-hashed, reduced to a shape. The raw address never
// leaves decode: only emailHash (HMAC-SHA-256, hex), emailPattern and emailDomain do.
import { createHmac } from 'node:crypto';
import { normalizeEmail } from '../sketches/keyed-hash.js';

export { normalizeEmail };

const LETTER = /^\p{L}$/u;

export interface EmailFacts {
  hash: string;
  pattern: string;
  /** Lower-cased domain as written, undefined when the string has no '@'. */
  domain: string | undefined;
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
