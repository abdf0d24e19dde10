// JSON nesting depth, checked on the text before anything walks the parsed value.

/** The deepest nesting of objects and arrays a record may have, in `scan` and `serve` alike (`serve --max-depth` changes it). */
export const MAX_DEPTH = 64;

/**
 * Whether the JSON text nests objects and arrays deeper than `max` (strings skipped). A byte scan,
 * no recursion: walking a 100,000-deep value recursively (JSON.stringify, a validator) overflows the stack.
 */
export function nestedDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
