// Seeds for sketches. A seed is explicit: bytes, a string (its UTF-8 bytes) or a uint32.
// Everything a sketch draws at random (permutation coefficients, bin mixers, probe orders) is
// derived from it with HMAC-SHA-256 in counter mode, so a seed derived from a community key
// gives sketches that outsiders cannot reproduce or test guesses against.
import { createHmac } from 'node:crypto';

export type Seed = Uint8Array | string | number;

export function seedBytes(seed: Seed): Uint8Array {
  if (typeof seed === 'string') return new TextEncoder().encode(seed);
  if (typeof seed === 'number') {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`numeric seed must be a uint32, got ${seed}`);
    }
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, seed);
    return b;
  }
  return seed;
}

/**
 * `count` pseudo-random uint32 values for `label`, derived from `seed`: the big-endian words of
 * HMAC-SHA-256(seed, "distillguard/" + label + "/" + block) for block = 0, 1, ...
 */
export function deriveUint32s(seed: Seed, label: string, count: number): Uint32Array {
  const key = seedBytes(seed);
  const out = new Uint32Array(count);
  for (let block = 0, i = 0; i < count; block++) {
    const d = createHmac('sha256', key).update(`distillguard/${label}/${block}`).digest();
    for (let j = 0; j < 32 && i < count; j += 4) out[i++] = d.readUInt32BE(j);
  }
  return out;
}

/**
 * Short public fingerprint of a seed (8 hex chars, HMAC-derived): tells two seeds apart in
 * logs and persisted headers. Like any public value derived from a secret it lets someone
 * holding a candidate seed confirm it, so seeds must be high-entropy keys, not words.
 */
export function seedFingerprint(seed: Seed): string {
  return deriveUint32s(seed, 'fingerprint', 1)[0].toString(16).padStart(8, '0');
}
