// Typed rejections: every input line that is not accepted is counted with a stable code.

export const REJECT_CODES = [
  'invalid_json', // not parseable JSON, or not a JSON object
  'missing_field', // a required field is absent
  'wrong_type', // a field has the wrong type or an impossible value
  'unknown_type', // `type` is not "exchange" or "account"
  'bad_timestamp', // a timestamp is unparseable or out of the plausible range
  'bad_body', // `request` is neither an Anthropic Messages nor an OpenAI Chat Completions body
  'too_large', // the line exceeds the size limit
  'invalid_utf8', // the line's bytes are not valid UTF-8 (decoding would replace them and could merge distinct ids)
  'too_deep', // objects and arrays nested deeper than the limit (serve; 64 levels)
  'late', // older than the newest ts seen minus max lateness
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

export type Stage = 'source' | 'decode' | 'order';

export interface Rejection {
  file: string;
  line: number;
  stage: Stage;
  reason: RejectCode;
  /** Human-readable specifics: which field, what was wrong. */
  detail: string;
  /** The raw line, cut to 1 KiB (1,024 bytes of UTF-8). */
  raw: string;
}

export const RAW_LIMIT = 1024;

/** The raw line cut to at most 1 KiB of UTF-8, never splitting a character. */
export function cutRaw(raw: string): string {
  if (raw.length <= RAW_LIMIT / 3) return raw; // 3 bytes per UTF-16 unit at most: fits
  const bytes = Buffer.from(raw, 'utf8');
  if (bytes.length <= RAW_LIMIT) return raw;
  let end = RAW_LIMIT;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // back to a character boundary
  return bytes.subarray(0, end).toString('utf8');
}
