// The items of one JSON document body (a LiteLLM batch: an array of payloads, or one object), found by
// a resumable scan of the text that yields to the event loop between slices, instead of one
// JSON.parse of the whole body: a 10 MB body never holds the loop for long, and an item over the
// size limit is refused by the bytes it was sent as without ever being parsed.
import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Characters scanned between yields. */
const SCAN_SLICE = 1 << 20;

export type DocumentScan =
  /** Not one JSON array or object (NDJSON, or not JSON): the caller judges it otherwise. */
  | { kind: 'other' }
  | { kind: 'too_deep' }
  /** Each item's [start, end) in the text: the array's elements, or the whole object. */
  | { kind: 'items'; spans: [number, number][] };

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Scans `text` for one top-level array or object, nested at most `maxDepth` deep. Items are not
 * validated here: each is parsed on its own, and a document that turns out not to be JSON is judged
 * as NDJSON by the caller, as before.
 */
export async function scanDocument(text: string, maxDepth: number): Promise<DocumentScan> {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  const open = text.charCodeAt(i);
  if (open !== 0x5b && open !== 0x7b) return { kind: 'other' };
  const array = open === 0x5b;
  const spans: [number, number][] = [];
  let depth = 0;
  let inString = false;
  let itemStart = -1;
  let commas = 0;
  let end = -1;
  const closeItem = (at: number): void => {
    let e = at;
    while (e > itemStart && isSpace(text.charCodeAt(e - 1))) e--;
    spans.push([itemStart, e]);
  };
  for (let next = SCAN_SLICE; i < text.length; i++) {
    if (i >= next) {
      await yieldToLoop();
      next = i + SCAN_SLICE;
    }
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (array && depth === 1 && itemStart < 0 && !isSpace(c) && c !== 0x5d && c !== 0x2c) itemStart = i;
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
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
  for (let k = end; k < text.length; k++) if (!isSpace(text.charCodeAt(k))) return { kind: 'other' };
  return { kind: 'items', spans: array ? spans : [[text.indexOf('{'), end]] };
}

/** UTF-8 bytes of text[start, end), without copying when the length alone decides against `limit`. */
export function spanOver(text: string, start: number, end: number, limit: number): number | undefined {
  const chars = end - start;
  if (chars > limit) return Buffer.byteLength(text.slice(start, end));
  if (chars * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(text.slice(start, end));
  return bytes > limit ? bytes : undefined;
}
