import { describe, expect, it } from 'vitest';
import { parseStrictTimestamp } from './timestamp.js';

describe('parseStrictTimestamp', () => {
  it.each([
    ['2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
    ['2000-02-29T23:59:59.999Z', Date.UTC(2000, 1, 29, 23, 59, 59, 999)],
    ['2026-12-31T23:59:59-23:59', Date.UTC(2027, 0, 1, 23, 58, 59)],
    ['2026-04-22t10:00:00z', Date.UTC(2026, 3, 22, 10)],
    [Date.UTC(2026, 3, 22), Date.UTC(2026, 3, 22)],
  ])('accepts %s', (v, ms) => {
    expect(parseStrictTimestamp(v)).toBe(ms);
  });

  it.each([
    '2026-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-04-00T00:00:00Z',
    '2026-04-22T24:00:00Z',
    '2026-04-22T23:60:00Z',
    '2026-04-22T23:59:60Z',
    '2026-04-22T10:00:00+24:00',
    '2026-04-22T10:00:00+05:60',
    '2026-04-22T10:00:00',
    '2026-04-22',
    '1999-12-31T23:59:59Z',
    '2100-01-01T00:00:00Z',
  ])('rejects %s', (v) => {
    expect(parseStrictTimestamp(v)).toBeUndefined();
  });
});
