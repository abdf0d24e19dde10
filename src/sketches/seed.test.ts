import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveUint32s, seedBytes, seedFingerprint } from './seed.js';

describe('seed derivation', () => {
  it('is HMAC-SHA-256(seed, "distillguard/<label>/<block>") read as big-endian uint32 words', () => {
    const words = deriveUint32s('community-key', 'minhash/test', 10);
    const block0 = createHmac('sha256', 'community-key').update('distillguard/minhash/test/0').digest();
    const block1 = createHmac('sha256', 'community-key').update('distillguard/minhash/test/1').digest();
    expect(words[0]).toBe(block0.readUInt32BE(0));
    expect(words[7]).toBe(block0.readUInt32BE(28));
    expect(words[8]).toBe(block1.readUInt32BE(0));
    expect(words.length).toBe(10);
  });

  it('separates labels and seeds', () => {
    expect(deriveUint32s('k', 'a', 4)).not.toEqual(deriveUint32s('k', 'b', 4));
    expect(deriveUint32s('k', 'a', 4)).not.toEqual(deriveUint32s('k2', 'a', 4));
    expect(deriveUint32s('k', 'a', 4)).toEqual(deriveUint32s(new TextEncoder().encode('k'), 'a', 4));
  });

  it('encodes numeric seeds as 4 big-endian bytes and rejects non-uint32 ones', () => {
    expect(Array.from(seedBytes(0x01020304))).toEqual([1, 2, 3, 4]);
    expect(() => seedBytes(1.5)).toThrow(RangeError);
    expect(() => seedBytes(2 ** 32)).toThrow(RangeError);
  });

  it('fingerprints are 8 hex chars and differ between seeds', () => {
    expect(seedFingerprint('a')).toMatch(/^[0-9a-f]{8}$/);
    expect(seedFingerprint('a')).not.toBe(seedFingerprint('b'));
  });
});
