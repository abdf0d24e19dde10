// scanDocument finds the same items JSON.parse would, for any JSON array or object (whitespace
// anywhere, strings with brackets, commas and escapes), and refuses a trailing comma, trailing text
// or nesting over the bound without parsing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanDocument, spanOver } from './json-items.js';

describe('scanDocument', () => {
  it('gives the elements JSON.parse gives, each parsed alone', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 8 }), fc.constantFrom(0, 2), async (values, indent) => {
        const text = ` ${JSON.stringify(values, null, indent)}\n`;
        const scan = await scanDocument(text, 10);
        expect(scan.kind).toBe('items');
        if (scan.kind !== 'items') return;
        expect(scan.spans.map(([a, b]) => JSON.parse(text.slice(a, b)) as unknown)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('takes one object whole, and tells what is not one document', async () => {
    expect(await scanDocument(' {"a":"[,]"} ', 4)).toEqual({ kind: 'items', spans: [[1, 12]] });
    for (const t of ['[1,]', '[,1]', '[1] x', '{"a":1}\n{"a":2}', 'plain', '[1, 2']) expect(await scanDocument(t, 4)).toEqual({ kind: 'other' });
    expect(await scanDocument(`[{"a":${'['.repeat(100_000)}`, 64)).toEqual({ kind: 'too_deep' });
    expect(await scanDocument('[[["\\"]]]"]]]', 3)).toEqual({ kind: 'items', spans: [[1, 12]] });
  });

  it('measures an item in UTF-8 bytes as sent', () => {
    expect(spanOver('"ééé"', 0, 5, 8)).toBeUndefined(); // 8 bytes: at the limit
    expect(spanOver('"éééé"', 0, 6, 8)).toBe(10);
    expect(spanOver('x'.repeat(20), 0, 20, 8)).toBe(20);
    expect(spanOver('xx', 0, 2, 8)).toBeUndefined();
  });
});
