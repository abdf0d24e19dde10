// scanDocument finds the same items JSON.parse would, for any JSON array or object (whitespace
// anywhere, strings with brackets, commas, escapes and multi-byte characters), as byte spans of the
// body, and refuses a trailing comma, trailing text or nesting over the bound without parsing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanDocument } from './json-items.js';

const scan = (text: string, maxDepth: number): ReturnType<typeof scanDocument> => scanDocument(Buffer.from(text), maxDepth);

describe('scanDocument', () => {
  it('gives the elements JSON.parse gives, each parsed alone', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }), { maxLength: 8 }), fc.constantFrom(0, 2), async (values, indent) => {
        const bytes = Buffer.from(` ${JSON.stringify(values, null, indent)}\n`);
        const found = await scanDocument(bytes, 10);
        expect(found.kind).toBe('items');
        if (found.kind !== 'items') return;
        expect(found.spans.map(([a, b]) => JSON.parse(bytes.toString('utf8', a, b)) as unknown)).toEqual(JSON.parse(bytes.toString()));
      }),
      { numRuns: 300 },
    );
  });

  it('takes one object whole, and tells what is not one document', async () => {
    expect(await scan(' {"a":"[,]"} ', 4)).toEqual({ kind: 'items', spans: [[1, 12]] });
    for (const t of ['[1,]', '[,1]', '[1] x', '{"a":1}\n{"a":2}', 'plain', '[1, 2', '["a\\"]']) expect(await scan(t, 4)).toEqual({ kind: 'other' });
    expect(await scan(`[{"a":${'['.repeat(100_000)}`, 64)).toEqual({ kind: 'too_deep' });
    expect(await scan('[[["\\"]]]"]]]', 3)).toEqual({ kind: 'items', spans: [[1, 12]] });
    expect(await scan('["\\\\",{"b":"\\\\\\""}]', 3)).toEqual({ kind: 'items', spans: [[1, 5], [6, 18]] });
  });

  it('gives spans in UTF-8 bytes as sent', async () => {
    expect(await scan('["éé", {"k":"€"}]', 3)).toEqual({ kind: 'items', spans: [[1, 7], [9, 20]] });
  });
});
