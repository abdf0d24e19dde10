// Building Rejections. The raw line goes to rejected.ndjson, so e-mail addresses in it are redacted
// first (the contract: a raw address is never stored or exported), then it is cut to 1 KiB.
import { cutRaw, type RejectCode, type Rejection, type Stage } from '../core/rejections.js';
import type { RawLine } from '../sources/file.js';

/**
 * Anything shaped like `local@domain` (the domain's dot and TLD optional, so an address cut at
 * 1 KiB is caught too); a quoted local part (`"john smith"@example.net`, also with JSON-escaped
 * quotes); and the `@` written as `%40` (URL-encoded) or `\u0040` (a JSON escape).
 */
const DOMAIN = `[^\\s"'<>()[\\]{},;:@\\\\]+`;
const EMAIL_LIKE = new RegExp(`(?:\\\\?"[^"\\n]{1,64}?\\\\?"|[^\\s"'<>()[\\]{},;:@\\\\%]+)(?:@|%40|\\\\u0040)${DOMAIN}`, 'gi');
export const EMAIL_REDACTED = '[email]';

export function redactEmails(text: string): string {
  return text.includes('@') || /%40|\\u0040/i.test(text) ? text.replace(EMAIL_LIKE, EMAIL_REDACTED) : text;
}

/**
 * A rejected line as the `read` role sees it (docs/serve.md): the JSON's shape with every string
 * value but `type` masked (`"…"`) and e-mails redacted, cut to 160 characters. Keys, numbers and
 * structure stay, so the fault can be found; ids, IPs, prompts and fingerprints do not.
 */
export function redactedExcerpt(raw: string): string {
  const masked = redactEmails(raw).replace(/"(?:[^"\\]|\\.)*"(\s*:)?/g, (m: string, colon: string | undefined, at: number, all: string) => {
    if (colon !== undefined) return m; // a key
    return /"type"\s*:\s*$/.test(all.slice(Math.max(0, at - 12), at)) ? m : '"…"';
  });
  return masked.length > 160 ? `${masked.slice(0, 160)}…` : masked;
}

export function rejectLine(raw: RawLine, stage: Stage, reason: RejectCode, detail: string): Rejection {
  return { file: raw.file, line: raw.line, stage, reason, detail: redactEmails(detail), raw: cutRaw(redactEmails(raw.text)) };
}
