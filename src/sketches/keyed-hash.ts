// Keyed hashing and normalization of identifiers that are linked or shared but never stored raw.
//
// `keyedHash` is HMAC-SHA-256 (hex): identifiers shared with other labs (payment fingerprints,
// e-mails, system prompts) are hashed under a community key, so a recipient can match values it
// already holds but cannot enumerate or reverse them (the idea of CIRCL's private search sets).
// Normalize before hashing, or equivalent spellings hash apart.
import { createHmac } from 'node:crypto';

/** HMAC-SHA-256 of `value` (UTF-8) under `key`, lower-case hex. */
export function keyedHash(key: string | Uint8Array, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** Domains that ignore dots in the local part and deliver `local+tag` to `local`. */
const GMAIL_LIKE: Readonly<Record<string, string>> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/** Domains that deliver `local+tag` to `local` (sub-addressing) but where dots matter. */
const PLUS_TAGGED: ReadonlySet<string> = new Set([
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'protonmail.com',
  'proton.me',
  'pm.me',
  'fastmail.com',
  'fastmail.fm',
]);

/**
 * An address as its mailbox: trimmed and lower-cased; gmail-like domains lose dots and a
 * `+tag` in the local part (googlemail.com folds into gmail.com); other sub-addressing
 * providers lose the `+tag` only. Unknown domains keep their local part, since `+` and `.` may
 * be significant there. A string without '@' is only trimmed and lower-cased. (The same rules
 * as decode/email.ts.)
 */
export function normalizeEmail(address: string): string {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at < 0) return a;
  let local = a.slice(0, at);
  let domain = a.slice(at + 1);
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  const gmail = GMAIL_LIKE[domain];
  if (gmail !== undefined) {
    domain = gmail;
    local = stripTag(local).replaceAll('.', '');
  } else if (PLUS_TAGGED.has(domain)) {
    local = stripTag(local);
  }
  return `${local}@${domain}`;
}

function stripTag(local: string): string {
  const plus = local.indexOf('+');
  return plus > 0 ? local.slice(0, plus) : local;
}

// ---- IP prefixes -------------------------------------------------------------------------

/** Scratch for IPv6 parsing (8 groups); single-threaded use only. */
const groups = new Uint16Array(8);

/** Parses dotted-quad IPv4 in s[from, to) into a uint32, or -1. */
function parseV4(s: string, from: number, to: number): number {
  let value = 0;
  let parts = 0;
  let i = from;
  while (parts < 4) {
    let octet = 0;
    let digits = 0;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      octet = octet * 10 + (c - 0x30);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    value = value * 256 + octet;
    parts++;
    if (parts < 4) {
      if (i >= to || s.charCodeAt(i) !== 0x2e) return -1;
      i++;
    }
  }
  return i === to ? value : -1;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Parses IPv6 in s[from, to) into `groups`. Returns false when invalid. Accepts `::`
 * compression and an embedded IPv4 tail (::ffff:1.2.3.4).
 */
function parseV6(s: string, from: number, to: number): boolean {
  let n = 0;
  let gap = -1; // group index where `::` stands
  let i = from;
  if (i + 1 < to && s.charCodeAt(i) === 0x3a && s.charCodeAt(i + 1) === 0x3a) {
    gap = 0;
    i += 2;
    if (i === to) {
      groups.fill(0);
      return true;
    }
  } else if (i < to && s.charCodeAt(i) === 0x3a) {
    return false;
  }
  while (i < to) {
    if (n >= 8) return false;
    // An IPv4 tail?
    let j = i;
    while (j < to && s.charCodeAt(j) !== 0x3a && s.charCodeAt(j) !== 0x2e) j++;
    if (j < to && s.charCodeAt(j) === 0x2e) {
      const v4 = parseV4(s, i, to);
      if (v4 < 0 || n > 6) return false;
      groups[n++] = Math.floor(v4 / 65536);
      groups[n++] = v4 & 0xffff;
      i = to;
      break;
    }
    let v = 0;
    let digits = 0;
    while (i < to) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      v = v * 16 + h;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 4) return false;
    groups[n++] = v;
    if (i === to) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < to && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === to) break;
    } else if (i === to) {
      return false; // trailing single ':'
    }
  }
  if (gap < 0) return n === 8;
  if (n >= 8) return false;
  const move = n - gap;
  for (let k = 0; k < move; k++) groups[7 - k] = groups[n - 1 - k];
  for (let k = gap; k < 8 - move; k++) groups[k] = 0;
  return true;
}

/** RFC 5952 text of `groups` (lower-case hex, longest zero run of 2+ groups as `::`). */
function formatV6(): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += groups[i].toString(16);
  }
  return out;
}

function v4Text(v: number): string {
  return `${Math.floor(v / 16777216)}.${Math.floor(v / 65536) & 255}.${Math.floor(v / 256) & 255}.${v & 255}`;
}

/**
 * The network prefix of an address, as `a.b.c.0/24` or `2001:db8:1::/48`: addresses behind
 * one subnet (a campus, a datacenter range, a proxy pool) group together. IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`) counts as IPv4. Brackets, an IPv6 zone (`%eth0`) and an IPv4 `:port` are
 * ignored. A value that is not an IP address is returned trimmed and lower-cased, so it still
 * groups with itself exactly.
 */
export function ipPrefix(ip: string, v4Bits = 24, v6Bits = 48): string {
  if (!Number.isInteger(v4Bits) || v4Bits < 0 || v4Bits > 32) throw new RangeError(`v4Bits must be 0..32, got ${v4Bits}`);
  if (!Number.isInteger(v6Bits) || v6Bits < 0 || v6Bits > 128) throw new RangeError(`v6Bits must be 0..128, got ${v6Bits}`);
  let from = 0;
  let to = ip.length;
  while (from < to && ip.charCodeAt(from) <= 0x20) from++;
  while (to > from && ip.charCodeAt(to - 1) <= 0x20) to--;
  if (ip.charCodeAt(from) === 0x5b) {
    // [v6]:port or [v6]
    const close = ip.indexOf(']', from);
    if (close < 0 || close > to) return fallback(ip, from, to);
    from++;
    to = close;
  }
  const zone = ip.indexOf('%', from);
  if (zone >= 0 && zone < to) to = zone;
  const colon = ip.indexOf(':', from);
  const secondColon = colon < 0 ? -1 : ip.indexOf(':', colon + 1);
  const v4Only = colon < 0 || colon >= to;
  const v4WithPort = !v4Only && (secondColon < 0 || secondColon >= to) && ip.lastIndexOf('.', colon) >= from;
  if (v4Only || v4WithPort) {
    const v4 = parseV4(ip, from, v4Only ? to : colon);
    return v4 < 0 ? fallback(ip, from, to) : maskV4(v4, v4Bits);
  }
  if (!parseV6(ip, from, to)) return fallback(ip, from, to);
  // IPv4-mapped: ::ffff:a.b.c.d
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return maskV4(groups[6] * 65536 + groups[7], v4Bits);
  }
  for (let g = 0; g < 8; g++) {
    const keep = v6Bits - g * 16;
    if (keep >= 16) continue;
    groups[g] = keep <= 0 ? 0 : groups[g] & ((0xffff << (16 - keep)) & 0xffff);
  }
  return `${formatV6()}/${v6Bits}`;
}

function maskV4(v: number, bits: number): string {
  const masked = bits === 0 ? 0 : (v & (0xffffffff << (32 - bits))) >>> 0;
  return `${v4Text(masked)}/${bits}`;
}

function fallback(ip: string, from: number, to: number): string {
  return ip.slice(from, to).toLowerCase();
}
