// Prompt scaffolds: the fixed wrapper a pipeline puts around varying payloads.
//
// A harvesting pipeline sends thousands of prompts built from one template ("Solve the
// following problem step by step: <problem>. Put the final answer in \boxed{}"). To link
// accounts that share a pipeline we fingerprint the template, not the payload, so
// `scaffoldText` keeps the words and punctuation that templates are made of and masks what
// varies from one request to the next:
//
// | what                                   | becomes  | why / how                                     |
// |----------------------------------------|----------|-----------------------------------------------|
// | fenced code block ```...``` (unclosed: to the end) | `<code>` | code is payload; masked whole         |
// | inline code `...` (one line, ≤ 200 chars) | `<code>` |                                            |
// | "double", “curly”, «guillemet», 「corner」 quotes (≤ 1,000 chars, no blank line inside) | `<q>` | quoted text is the classic payload slot |
// | 'single' quotes (not an apostrophe: no letter before the opener or after the closer, ≤ 200 chars, one line) | `<q>` | |
// | URLs (http://, https://, www.)         | `<url>`  | trailing . , ; : ! ? ) left outside           |
// | e-mail addresses                       | `<email>`|                                               |
// | digit runs, with inner . , : (1,234.5 / 10:30), any script's decimal digits | `0` | numbers vary per item |
// | Capitalized word mid-sentence (Upper + at least one lower-case letter; not after . ! ? : ; or a line break) | `N` | names, places, titles; runs of names collapse to one `N` |
// | everything else                        | lower-cased; whitespace runs → one space; runs of one punctuation mark → one mark | |
//
// Deliberate limits: ALL-CAPS words (JSON, SQL, NASA) are kept (often scaffold vocabulary);
// the first word of a sentence is never masked (cannot tell a name from an ordinary capital);
// indented (unfenced) code is not detected; case folding covers Latin, Greek, Cyrillic and
// full-width Latin only.
//
// Length: a scaffold lives at the start and the end of a prompt, so a text whose scaffold would
// exceed `maxChars` keeps a head of about three quarters of the budget and a tail of the last
// quarter, joined by ` <cut> `. The tail starts on a word boundary and is scanned with
// awareness of an open code fence, so a cut inside a code block still yields `<code>`.
//
// Hot path: one pass over the text (plus bounded look-aheads) writing UTF-16 code units into a
// reusable Uint16Array; no regular expressions. `Scaffolder` owns its buffers; `scaffoldText`
// uses one module-private instance (single-threaded, so this is not shared state).

export const PLACEHOLDERS = {
  code: '<code>',
  quote: '<q>',
  url: '<url>',
  email: '<email>',
  number: '0',
  name: 'N',
  cut: '<cut>',
} as const;

export const DEFAULT_SCAFFOLD_CHARS = 2000;
const MIN_SCAFFOLD_CHARS = 32;
const MAX_QUOTE = 1000;
const MAX_SINGLE_QUOTE = 200;
const MAX_INLINE_CODE = 200;
const MAX_EMAIL = 254;

const SPACE = 0x20;
const NL = 0x0a;

/** Lower-case mapping for U+0000..U+052F (Latin, Greek, Cyrillic); identity elsewhere. */
const LOWER_LIMIT = 0x530;
const LOWER: Uint16Array = (() => {
  const t = new Uint16Array(LOWER_LIMIT);
  for (let c = 0; c < LOWER_LIMIT; c++) {
    const l = String.fromCharCode(c).toLowerCase();
    t[c] = l.length === 1 ? l.charCodeAt(0) : c;
  }
  return t;
})();

function lower(c: number): number {
  if (c < LOWER_LIMIT) return LOWER[c];
  if (c >= 0xff21 && c <= 0xff3a) return c + 0x20; // full-width A-Z
  return c;
}

function isUpper(c: number): boolean {
  return lower(c) !== c;
}

function isSpace(c: number): boolean {
  if (c <= 0x20) return c === SPACE || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200b) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Decimal digit in ASCII, Arabic-Indic, extended Arabic-Indic, Devanagari, Bengali or full-width. */
function isDigit(c: number): boolean {
  if (c < 0x80) return c >= 0x30 && c <= 0x39;
  return (
    (c >= 0x660 && c <= 0x669) ||
    (c >= 0x6f0 && c <= 0x6f9) ||
    (c >= 0x966 && c <= 0x96f) ||
    (c >= 0x9e6 && c <= 0x9ef) ||
    (c >= 0xff10 && c <= 0xff19)
  );
}

/** A code unit that can be part of a word (letters of any script, digits, marks, '_'). */
function isWordUnit(c: number): boolean {
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x5f;
  if (isSpace(c)) return false;
  if (c <= 0xbf) return c === 0xaa || c === 0xb5 || c === 0xba;
  if (c === 0xd7 || c === 0xf7) return false;
  if (c >= 0x2010 && c <= 0x206f) return false; // general punctuation
  if (c >= 0x3000 && c <= 0x303f) return false; // CJK punctuation
  if (c >= 0xff01 && c <= 0xff0f) return false;
  if (c >= 0xff1a && c <= 0xff20) return false;
  if (c >= 0xff5b && c <= 0xff65) return false;
  return true;
}

function isLetterUnit(c: number): boolean {
  return isWordUnit(c) && !isDigit(c) && c !== 0x5f;
}

/** Ends a sentence: the next capitalized word is not masked as a name. */
function isSentenceEnd(c: number): boolean {
  return (
    c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3a || c === 0x3b || c === 0x3002 || c === 0xff01 || c === 0xff1f || c === 0xff1a
  );
}

/** ASCII case-insensitive `text.startsWith(lit, i)`; `lit` must be lower-case ASCII. */
function startsWithLower(text: string, i: number, lit: string): boolean {
  if (i + lit.length > text.length) return false;
  for (let j = 0; j < lit.length; j++) {
    let c = text.charCodeAt(i + j);
    if (c >= 0x41 && c <= 0x5a) c += 32;
    if (c !== lit.charCodeAt(j)) return false;
  }
  return true;
}

function isEmailLocal(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x25 ||
    c === 0x2b ||
    c === 0x2d
  );
}

function isDomainUnit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2d;
}

/** End index of an e-mail address starting at `i`, or -1. */
function emailEnd(text: string, i: number, to: number): number {
  let j = i;
  const limit = Math.min(to, i + MAX_EMAIL);
  while (j < limit && isEmailLocal(text.charCodeAt(j))) j++;
  if (j === i || j >= limit || text.charCodeAt(j) !== 0x40) return -1;
  j++;
  let labels = 0;
  let end = -1;
  for (;;) {
    const s = j;
    while (j < limit && isDomainUnit(text.charCodeAt(j))) j++;
    if (j === s) break;
    labels++;
    if (labels >= 2) end = j;
    if (j < limit - 1 && text.charCodeAt(j) === 0x2e && isDomainUnit(text.charCodeAt(j + 1))) {
      j++;
      continue;
    }
    break;
  }
  return end;
}

/** End index of a URL starting at `i` (http://, https://, www.), or -1. */
function urlEnd(text: string, i: number, to: number): number {
  let j: number;
  if (startsWithLower(text, i, 'https://')) j = i + 8;
  else if (startsWithLower(text, i, 'http://')) j = i + 7;
  else if (startsWithLower(text, i, 'www.')) j = i + 4;
  else return -1;
  while (j < to) {
    const c = text.charCodeAt(j);
    if (isSpace(c) || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x60 || c === 0x5b || c === 0x5d) break;
    if (c === 0x201c || c === 0x201d || c === 0x3002 || c === 0xff0c) break;
    j++;
  }
  // Sentence punctuation and an unbalanced closing parenthesis stay outside the URL.
  while (j > i) {
    const c = text.charCodeAt(j - 1);
    if (c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f || c === 0x29) j--;
    else break;
  }
  return j;
}

/** Closing quote for an opening one, 0 when `c` opens no quote. */
function quoteCloser(c: number): number {
  switch (c) {
    case 0x22:
      return 0x22; // "
    case 0x201c:
      return 0x201d; // “ ”
    case 0x201e:
      return 0x201c; // „ “
    case 0xab:
      return 0xbb; // « »
    case 0x300c:
      return 0x300d; // 「 」
    case 0x300e:
      return 0x300f; // 『 』
    default:
      return 0;
  }
}

/**
 * Reduces prompts to scaffolds into reusable buffers. One instance per thread of work;
 * `scaffold()` is not re-entrant.
 */
export class Scaffolder {
  readonly maxChars: number;
  private buf: Uint16Array;
  private readonly headBudget: number;
  private readonly tailBudget: number;
  private readonly tailWindow: number;
  private readonly decoder = new TextDecoder('utf-16le');
  // Scanner state, valid during one scan.
  private o = 0;
  private limit = 0;
  private sentenceStart = true;
  private lastName = false;

  constructor(maxChars = DEFAULT_SCAFFOLD_CHARS) {
    if (!Number.isInteger(maxChars) || maxChars < MIN_SCAFFOLD_CHARS) {
      throw new RangeError(`scaffold maxChars must be an integer >= ${MIN_SCAFFOLD_CHARS}, got ${maxChars}`);
    }
    this.maxChars = maxChars;
    this.tailBudget = Math.floor(maxChars / 4);
    this.headBudget = maxChars - this.tailBudget - PLACEHOLDERS.cut.length - 2;
    this.tailWindow = this.tailBudget * 3;
    // Masking can expand short inputs (`""` → `<q>`), so the tail scan gets generous room.
    this.buf = new Uint16Array(maxChars + this.tailWindow * 3 + 64);
  }

  /** The scaffold of `text` (see the module comment). */
  scaffold(text: string): string {
    const len = text.length;
    this.o = 0;
    this.limit = this.maxChars;
    let pos = this.scan(text, 0, len, false);
    if (pos < len) {
      // It does not fit: redo the head with the head budget (bounded work: output stops there).
      this.o = 0;
      this.limit = this.headBudget;
      pos = this.scan(text, 0, len, false);
    }
    if (pos >= len) return this.finish(this.o);
    this.o = this.trimEnd(this.o);
    this.limit = this.buf.length;
    this.putSpace();
    this.putToken(PLACEHOLDERS.cut);
    this.putSpace();
    const tailStart = this.o;
    // Tail: the last `tailWindow` input chars (never before the head stopped), from a word start.
    let s = Math.max(pos, len - this.tailWindow);
    const wordLimit = Math.min(len, s + 64);
    if (s > pos) {
      let j = s;
      while (j < wordLimit && !isSpace(text.charCodeAt(j))) j++;
      if (j < wordLimit) s = j;
    }
    this.scan(text, s, len, insideFence(text, s));
    // Keep the last `tailBudget` output chars, starting after a space.
    let from = this.o - this.tailBudget;
    if (from > tailStart) {
      const stop = Math.min(this.o, from + 64);
      let j = from;
      while (j < stop && this.buf[j] !== SPACE) j++;
      from = j < stop ? j + 1 : from;
      this.buf.copyWithin(tailStart, from, this.o);
      this.o = tailStart + (this.o - from);
    }
    return this.finish(this.o);
  }

  private finish(end: number): string {
    let start = 0;
    while (start < end && this.buf[start] === SPACE) start++;
    end = this.trimEnd(end);
    if (end <= start) return '';
    return this.decoder.decode(this.buf.subarray(start, end));
  }

  private trimEnd(end: number): number {
    while (end > 0 && this.buf[end - 1] === SPACE) end--;
    return end;
  }

  private putSpace(): void {
    if (this.o > 0 && this.buf[this.o - 1] !== SPACE && this.o < this.limit) this.buf[this.o++] = SPACE;
  }

  /** Writes a placeholder; false when it does not fit. */
  private putToken(tok: string): boolean {
    if (this.o + tok.length > this.limit) return false;
    for (let j = 0; j < tok.length; j++) this.buf[this.o++] = tok.charCodeAt(j);
    return true;
  }

  /**
   * Scans text[from, to) into the buffer until the output limit. Returns the input position
   * reached (`to` when everything was consumed).
   */
  private scan(text: string, from: number, to: number, startInFence: boolean): number {
    this.sentenceStart = true;
    this.lastName = false;
    const buf = this.buf;
    let i = from;
    // Next '@' at or after the current word (-1: none left, -2: not looked yet): most prompts have
    // none, and an address needs one, so most words skip the e-mail check.
    let nextAt = -2;
    if (startInFence) {
      const close = text.indexOf('```', i);
      if (!this.putToken(PLACEHOLDERS.code)) return i;
      i = close < 0 || close >= to ? to : close + 3;
    }
    while (i < to) {
      if (this.o >= this.limit) return i;
      const c = text.charCodeAt(i);

      if (isSpace(c)) {
        if (c === NL) this.sentenceStart = true;
        this.putSpace();
        i++;
        continue;
      }

      // Code: fenced blocks, then inline spans.
      if (c === 0x60) {
        if (text.charCodeAt(i + 1) === 0x60 && text.charCodeAt(i + 2) === 0x60) {
          const close = text.indexOf('```', i + 3);
          if (!this.putToken(PLACEHOLDERS.code)) return i;
          i = close < 0 || close + 3 > to ? to : close + 3;
          this.afterPlaceholder();
          continue;
        }
        const close = findCloser(text, i + 1, to, 0x60, MAX_INLINE_CODE, true);
        if (close > i + 1) {
          if (!this.putToken(PLACEHOLDERS.code)) return i;
          i = close + 1;
          this.afterPlaceholder();
          continue;
        }
      }

      // Quotes.
      const closer = quoteCloser(c);
      if (closer !== 0) {
        let close = findCloser(text, i + 1, to, closer, MAX_QUOTE, false);
        if (close < 0 && c === 0x201c) close = findCloser(text, i + 1, to, 0x22, MAX_QUOTE, false);
        if (close > i + 1) {
          if (!this.putToken(PLACEHOLDERS.quote)) return i;
          i = close + 1;
          this.afterPlaceholder();
          continue;
        }
      } else if ((c === 0x27 || c === 0x2018) && (i === from || !isWordUnit(text.charCodeAt(i - 1)))) {
        const close = findSingleCloser(text, i + 1, to, c === 0x27 ? 0x27 : 0x2019);
        if (close > i + 1) {
          if (!this.putToken(PLACEHOLDERS.quote)) return i;
          i = close + 1;
          this.afterPlaceholder();
          continue;
        }
      }

      // Numbers: one digit run, with inner separators, becomes `0`.
      if (isDigit(c)) {
        let j = i + 1;
        while (j < to) {
          const d = text.charCodeAt(j);
          if (isDigit(d)) j++;
          else if ((d === 0x2e || d === 0x2c || d === 0x3a) && j + 1 < to && isDigit(text.charCodeAt(j + 1))) j += 2;
          else break;
        }
        if (!this.putToken(PLACEHOLDERS.number)) return i;
        this.sentenceStart = false;
        this.lastName = false;
        i = j;
        continue;
      }

      if (isWordUnit(c)) {
        const atWordStart = i === from || !isWordUnit(text.charCodeAt(i - 1));
        if (atWordStart) {
          // URLs and e-mail addresses.
          const lc = c | 0x20;
          if (lc === 0x68 || lc === 0x77) {
            const end = urlEnd(text, i, to);
            if (end > 0) {
              if (!this.putToken(PLACEHOLDERS.url)) return i;
              i = end;
              this.afterPlaceholder();
              continue;
            }
          }
          if (nextAt !== -1 && nextAt < i) nextAt = text.indexOf('@', i);
          if (c < 0x80 && nextAt >= 0 && nextAt < to) {
            const end = emailEnd(text, i, to);
            if (end > 0) {
              if (!this.putToken(PLACEHOLDERS.email)) return i;
              i = end;
              this.afterPlaceholder();
              continue;
            }
          }
        }
        // A word: letters up to a digit or a non-word unit.
        let j = i + 1;
        while (j < to) {
          const d = text.charCodeAt(j);
          if (!isWordUnit(d) || isDigit(d)) break;
          j++;
        }
        if (atWordStart && !this.sentenceStart && isUpper(c) && isNameShape(text, i + 1, j)) {
          if (!this.lastName) {
            if (!this.putToken(PLACEHOLDERS.name)) return i;
            this.lastName = true;
          } else {
            // "New York City", "Smith-Jones" → one N, without the separators between.
            while (this.o > 0 && buf[this.o - 1] !== 0x4e) this.o--;
          }
          this.sentenceStart = false;
          i = j;
          continue;
        }
        if (this.o + (j - i) > this.limit) return i;
        for (let k = i; k < j; k++) buf[this.o++] = lower(text.charCodeAt(k));
        this.sentenceStart = false;
        this.lastName = false;
        i = j;
        continue;
      }

      // Punctuation and symbols: kept, runs of the same mark collapsed.
      if (isSentenceEnd(c)) this.sentenceStart = true;
      if (!(this.o > 0 && buf[this.o - 1] === c)) buf[this.o++] = c;
      // A mark between two names ("Smith-Jones", "O'Neil") does not split the run.
      if (c !== 0x2d && c !== 0x27 && c !== 0x2019) this.lastName = false;
      i++;
    }
    return to;
  }

  private afterPlaceholder(): void {
    this.sentenceStart = false;
    this.lastName = false;
  }
}

/** A capitalized word is name-shaped when the rest has a lower-case letter (not an acronym). */
function isNameShape(text: string, from: number, to: number): boolean {
  if (to - from < 1) return false; // single capital letter: "I", "A", variable names
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (isLetterUnit(c) && !isUpper(c) && lower(c) === c && isCased(c)) return true;
  }
  return false;
}

/** Has an upper-case counterpart (so lower-case-ness is meaningful). */
function isCased(c: number): boolean {
  if (c < 0x80) return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
  return c < LOWER_LIMIT || (c >= 0xff41 && c <= 0xff5a);
}

/** Index of `closer` in text[from, min(to, from + max)), -1 if absent or a blank line (or, with `oneLine`, any line break) comes first. */
function findCloser(text: string, from: number, to: number, closer: number, max: number, oneLine: boolean): number {
  const end = Math.min(to, from + max);
  for (let j = from; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === closer) return j;
    if (c === NL && (oneLine || text.charCodeAt(j + 1) === NL)) return -1;
  }
  return -1;
}

/** Closing single quote: `closer` not followed by a word unit (so not an apostrophe), one line, bounded. */
function findSingleCloser(text: string, from: number, to: number, closer: number): number {
  const end = Math.min(to, from + MAX_SINGLE_QUOTE);
  for (let j = from; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === NL) return -1;
    if ((c === closer || c === 0x27) && (j + 1 >= to || !isWordUnit(text.charCodeAt(j + 1)))) return j;
  }
  return -1;
}

/** Whether position `s` lies inside a ``` fence opened before it. */
function insideFence(text: string, s: number): boolean {
  let inside = false;
  let j = text.indexOf('```');
  while (j >= 0 && j < s) {
    inside = !inside;
    j = text.indexOf('```', j + 3);
  }
  return inside;
}

/**
 * The scaffold of a prompt: lower-cased, payloads masked with placeholders, whitespace
 * collapsed, at most `maxChars` long (head + tail). See the module comment for the rules.
 * For occasional use (a new template's fingerprint, tests): it makes its buffers per call, and a
 * hot path keeps a Scaffolder of its own (TemplateSketcher does).
 */
export function scaffoldText(text: string, maxChars = DEFAULT_SCAFFOLD_CHARS): string {
  return new Scaffolder(maxChars).scaffold(text);
}
