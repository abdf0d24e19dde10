import { describe, expect, it } from 'vitest';
import { scaffoldText } from '../sketches/normalize.js';
import { decodeFingerprint, encodeFingerprint, fingerprintSimilarity, MATCH_SIMILARITY, scaffoldWindows, TemplateFingerprinter } from './fingerprint.js';
import { Keyring } from './keyring.js';

const ring = Keyring.parse({ keys: [{ id: 'k1', secret: 'first-community-secret-xx' }] });
const fp = new TemplateFingerprinter(ring);
const sign = (prompt: string) => {
  const [w] = scaffoldWindows(prompt);
  return fp.sign(w.text, w.window);
};

describe('template fingerprints', () => {
  it('one scaffold with different payloads matches; another scaffold does not', () => {
    const a = sign('Solve the following problem step by step, showing all reasoning before the final answer: "A train leaves at 3pm"');
    const b = sign('Solve the following problem step by step, showing all reasoning before the final answer: "Mary has 12 apples"');
    const c = sign('Write a short poem about autumn leaves falling in the quiet park near my house tonight');
    expect(fingerprintSimilarity(a, b)).toBeGreaterThanOrEqual(MATCH_SIMILARITY);
    expect(fingerprintSimilarity(a, c)).toBeLessThan(0.2);
  });

  it('round-trips through its text form and refuses other keys', () => {
    const a = sign('Solve the following problem step by step, showing all reasoning before the final answer: "x"');
    const back = decodeFingerprint(encodeFingerprint(a))!;
    expect(back.signature).toEqual(a.signature);
    expect(decodeFingerprint('k1:head:v1:abcd')).toBeUndefined();
    const other = new TemplateFingerprinter(Keyring.parse({ keys: [{ id: 'k1', secret: 'guessed-secret-0000000' }] }));
    const guess = other.sign(scaffoldWindows('Solve the following problem step by step, showing all reasoning before the final answer: "x"')[0].text, 'head');
    expect(fingerprintSimilarity(a, guess)).toBe(0);
    expect(scaffoldWindows('too short')).toEqual([]);
    expect(scaffoldText('x').length).toBe(1);
  });
});
