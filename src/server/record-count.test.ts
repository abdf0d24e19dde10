// The record count a batch is refused by, taken before any line is made, agrees exactly with what the
// line splitter then gives (blank lines, CRLF, a byte-order mark, over-long lines), whole or fed in
// pieces cut anywhere (a gzipped body is counted as it is inflated).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, type RawLine } from '../sources/file.js';
import { RecordCounter, recordsUpTo } from './record-count.js';

const MAX_LINE = 16;

function split(body: Buffer): number {
  const out: RawLine[] = [];
  const s = new LineSplitter('http', { maxLineBytes: MAX_LINE });
  s.push(body, out);
  s.end(out);
  return out.length;
}

describe('recordsUpTo', () => {
  it('counts what the line splitter gives, and stops at the bound', () => {
    const piece = fc.constantFrom('{}', '', ' ', '\t \r', '\r', 'x'.repeat(MAX_LINE), 'y'.repeat(MAX_LINE + 1), ' '.repeat(MAX_LINE + 2), '\uFEFF', '\uFEFF{}', 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.boolean(), (lines, crlf) => {
        const body = Buffer.from(lines.join(crlf ? '\r\n' : '\n'));
        const n = split(body);
        expect(recordsUpTo(body, Number.MAX_SAFE_INTEGER, MAX_LINE)).toBe(n);
        expect(recordsUpTo(body, 3, MAX_LINE)).toBe(Math.min(3, n));
      }),
      { numRuns: 500 },
    );
  });

  it('counts the same fed in pieces cut anywhere', () => {
    const piece = fc.constantFrom('{}', '', ' ', '\t \r', '\r', 'x'.repeat(MAX_LINE), 'y'.repeat(MAX_LINE + 1), ' '.repeat(MAX_LINE + 2), '\uFEFF', '\uFEFF{}', 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 8 }), (lines, crlf, cuts) => {
        const body = Buffer.from(lines.join(crlf ? '\r\n' : '\n'));
        const at = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
        const counter = new RecordCounter(MAX_LINE);
        let from = 0;
        for (const c of [...at, body.length]) {
          counter.push(body.subarray(from, c));
          from = c;
        }
        expect(counter.end()).toBe(split(body));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a 4.5-million-line body after counting a bounded prefix', () => {
    const body = Buffer.from('{}\n'.repeat(4_500_000));
    expect(recordsUpTo(body, 100_001, 1 << 20)).toBe(100_001);
  });
});
