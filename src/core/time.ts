// Event-time helpers. The engine's clock is event time in epoch milliseconds, never wall time.
import type { Millis } from './records.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Plausible range for event timestamps: 2000-01-01 .. 2100-01-01. */
const MIN_TS = Date.UTC(2000, 0, 1);
const MAX_TS = Date.UTC(2100, 0, 1);

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parse an RFC 3339 string or integer epoch milliseconds; undefined when impossible. */
export function parseTimestamp(v: unknown): Millis | undefined {
  let ms: number;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return undefined;
    ms = v;
  } else if (typeof v === 'string') {
    if (!RFC3339.test(v)) return undefined;
    ms = Date.parse(v);
    if (Number.isNaN(ms)) return undefined;
  } else {
    return undefined;
  }
  return ms >= MIN_TS && ms < MAX_TS ? ms : undefined;
}

export function toIso(ms: Millis): string {
  return new Date(ms).toISOString();
}

export function dayOf(ms: Millis): string {
  return toIso(ms).slice(0, 10);
}
