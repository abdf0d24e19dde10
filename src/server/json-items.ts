// The items of one JSON document body (a LiteLLM batch: an array of payloads, or one object), found by
// a resumable scan of the body's bytes that yields to the event loop between slices, instead of one
// JSON.parse of the whole body: a 10 MB body never holds the loop for long, and an item over the
// size limit is refused by the bytes it was sent as without ever being parsed or made a string.
// Bytes, not text: JSON's structure is ASCII and no byte of a multi-byte UTF-8 character is ASCII,
// so offsets in the bytes are found the same way and spans measure what was sent; strings are
// skipped with memchr (indexOf) to their closing quote.
import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Bytes scanned between yields. */
const SCAN_SLICE = 1 << 20;

export type DocumentScan =
  /** Not one JSON array or object (NDJSON, or not JSON): the caller judges it otherwise. */
  | { kind: 'other' }
  | { kind: 'too_deep' }
  /** Each item's [start, end) in the bytes: the array's elements, or the whole object. */
  | { kind: 'items'; spans: [number, number][] };

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The position of the quote that closes the string whose content starts at `from`, or -1. */
function stringEnd(b: Buffer, from: number): number {
  for (let q = b.indexOf(QUOTE, from); q >= 0; q = b.indexOf(QUOTE, q + 1)) {
    let slashes = 0;
    while (q - 1 - slashes >= from && b[q - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return -1;
}

/**
 * Scans `bytes` (UTF-8) for one top-level array or object, nested at most `maxDepth` deep. Items are not
 * validated here: each is parsed on its own, and a document that turns out not to be JSON is judged
 * as NDJSON by the caller, as before.
 */
export async function scanDocument(bytes: Buffer, maxDepth: number): Promise<DocumentScan> {
  const b = bytes;
  let i = 0;
  while (i < b.length && isSpace(b[i])) i++;
  const open = b[i];
  if (open !== 0x5b && open !== 0x7b) return { kind: 'other' };
  const array = open === 0x5b;
  const spans: [number, number][] = [];
  let depth = 0;
  let itemStart = -1;
  let commas = 0;
  let end = -1;
  const closeItem = (at: number): void => {
    let e = at;
    while (e > itemStart && isSpace(b[e - 1])) e--;
    spans.push([itemStart, e]);
  };
  for (let next = i + SCAN_SLICE; i < b.length; i++) {
    if (i >= next) {
      await yieldToLoop();
      next = i + SCAN_SLICE;
    }
    const c = b[i];
    if (array && depth === 1 && itemStart < 0 && !isSpace(c) && c !== 0x5d && c !== 0x2c) itemStart = i;
    if (c === QUOTE) {
      i = stringEnd(b, i + 1);
      if (i < 0) return { kind: 'other' }; // an unterminated string: not JSON
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return { kind: 'too_deep' };
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) {
        if (array && itemStart >= 0) closeItem(i);
        else if (commas > 0) return { kind: 'other' }; // a trailing comma: not JSON
        end = i + 1;
        break;
      }
    } else if (c === 0x2c && array && depth === 1) {
      if (itemStart < 0) return { kind: 'other' }; // an empty element: not JSON
      closeItem(i);
      itemStart = -1;
      commas++;
    }
  }
  if (end < 0) return { kind: 'other' };
  for (let k = end; k < b.length; k++) if (!isSpace(b[k])) return { kind: 'other' };
  return { kind: 'items', spans: array ? spans : [[b.indexOf(0x7b), end]] };
}
