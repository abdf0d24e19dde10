// Building Rejections. The raw line goes to rejected.ndjson, so e-mail addresses in it are redacted
// first (the contract: a raw address is never stored or exported), then it is cut to 1 KiB.
import { cutRaw, type RejectCode, type Rejection, type Stage } from '../core/rejections.js';
import type { RawLine } from '../sources/file.js';

/**
 * Anything shaped like `local@domain` (the domain's dot and TLD optional, so an address cut at
 * 1 KiB is caught too). Addresses written with JSON escapes (`\u0040`) are not recognised.
 */
const EMAIL_LIKE = /[^\s"'<>()[\]{},;:@\\]+@[^\s"'<>()[\]{},;:@\\]+/g;
export const EMAIL_REDACTED = '[email]';

export function redactEmails(text: string): string {
  return text.includes('@') ? text.replace(EMAIL_LIKE, EMAIL_REDACTED) : text;
}

export function rejectLine(raw: RawLine, stage: Stage, reason: RejectCode, detail: string): Rejection {
  return { file: raw.file, line: raw.line, stage, reason, detail: redactEmails(detail), raw: cutRaw(redactEmails(raw.text)) };
}
