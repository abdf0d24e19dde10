import { describe, expect, it } from 'vitest';
import { formatKeyed, Keyring, parseKeyed } from './keyring.js';

const ring = Keyring.parse({ keys: [{ id: 'k1', secret: 'first-community-secret-xx' }, { id: 'k2', secret: 'second-community-secret-x' }] });

describe('community keyring', () => {
  it('normalizes before hashing, so equivalent spellings match', () => {
    expect(ring.hash('email', ' John.Smith+promo@GoogleMail.com ').hash).toBe(ring.hash('email', 'johnsmith@gmail.com').hash);
    expect(ring.hash('email', 'john.smith@example.org').hash).not.toBe(ring.hash('email', 'johnsmith@example.org').hash);
  });

  it('hashes under the current key (the last by default), keeps the kind apart, matches under old keys', () => {
    expect(ring.current.id).toBe('k2');
    const v = ring.hash('payment_fingerprint', 'fp_ABC');
    expect(v.keyId).toBe('k2');
    expect(v.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ring.hash('email', 'fp_ABC').hash).not.toBe(v.hash);
    const all = ring.hashAll('payment_fingerprint', 'fp_ABC');
    expect(all.map((x) => x.keyId)).toEqual(['k1', 'k2']);
    expect(all[0].hash).not.toBe(all[1].hash);
    // Without the secret, another key gives unrelated hashes: guesses cannot be tested.
    const outsider = Keyring.parse({ keys: [{ id: 'k2', secret: 'a-guessed-secret-000000' }] });
    expect(outsider.hash('payment_fingerprint', 'fp_ABC').hash).not.toBe(v.hash);
    expect(parseKeyed(formatKeyed(v))).toEqual(v);
    expect(parseKeyed('k2:nothex')).toBeUndefined();
  });

  it('refuses bad configurations', () => {
    expect(() => Keyring.parse({ keys: [] })).toThrow();
    expect(() => Keyring.parse({ keys: [{ id: 'k', secret: 'short' }] })).toThrow(/16 characters/);
    expect(() => Keyring.parse({ keys: [{ id: 'k', secret: 'x'.repeat(20) }], current: 'nope' })).toThrow(/current/);
    expect(() => Keyring.parse({ keys: [{ id: 'k', secret: 'x'.repeat(20) }, { id: 'k', secret: 'y'.repeat(20) }] })).toThrow(/unique/);
  });
});
