// Strict event timestamps for decode: core/time.ts parseTimestamp plus a calendar check.
//
// parseTimestamp checks the RFC 3339 form and the plausible range (2000..2100), but Date.parse
// rolls over impossible calendar dates ("2026-02-30" becomes March 2, "T24:00:00" the next day).
// A timestamp that names a day or time that does not exist is `bad_timestamp`, so we check the
// fields ourselves. Leap seconds (":60") are rejected, as Date.parse does.
import type { Millis } from '../core/records.js';
import { parseTimestamp } from '../core/time.js';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function num2(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

function calendarOk(s: string): boolean {
  // The RFC 3339 shape is already checked: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM).
  const year = num2(s, 0) * 100 + num2(s, 2);
  const month = num2(s, 5);
  const day = num2(s, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > dim) return false;
  if (num2(s, 11) > 23 || num2(s, 14) > 59 || num2(s, 17) > 59) return false;
  const last = s.charCodeAt(s.length - 1);
  if (last !== 90 && last !== 122) {
    // ±HH:MM offset
    if (num2(s, s.length - 5) > 23 || num2(s, s.length - 2) > 59) return false;
  }
  return true;
}

/** RFC 3339 string or integer epoch ms within 2000..2100 that names a real instant; else undefined. */
export function parseStrictTimestamp(v: unknown): Millis | undefined {
  const ms = parseTimestamp(v);
  if (ms === undefined || typeof v !== 'string') return ms;
  return calendarOk(v) ? ms : undefined;
}
