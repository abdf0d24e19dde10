import { describe, expect, it } from 'vitest';
import { ipPrefix, keyedHash, normalizeEmail } from './keyed-hash.js';

describe('keyedHash', () => {
  it('is HMAC-SHA-256 hex (RFC 4231 test case 2)', () => {
    expect(keyedHash('Jefe', 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('accepts byte keys, and different keys give unrelated hashes', () => {
    expect(keyedHash(new TextEncoder().encode('Jefe'), 'what do ya want for nothing?')).toBe(keyedHash('Jefe', 'what do ya want for nothing?'));
    expect(keyedHash('key-a', 'card:4242')).not.toBe(keyedHash('key-b', 'card:4242'));
    expect(keyedHash('key-a', 'card:4242')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('normalizeEmail', () => {
  it.each([
    [' J.Smith+spam@GoogleMail.com ', 'jsmith@gmail.com'],
    ['john.smith@gmail.com', 'johnsmith@gmail.com'],
    ['a.b+tag@Outlook.com', 'a.b@outlook.com'],
    ['first.last+x@example.com', 'first.last+x@example.com'],
    ['user@Example.COM.', 'user@example.com'],
    ['not-an-address', 'not-an-address'],
    ['+tag@gmail.com', '+tag@gmail.com'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it('makes equivalent gmail spellings hash alike', () => {
    expect(keyedHash('k', normalizeEmail('Jane.Doe+a@gmail.com'))).toBe(keyedHash('k', normalizeEmail('janedoe+b@googlemail.com')));
  });
});

describe('ipPrefix', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['203.0.113.77:8080', '203.0.113.0/24'],
    [' 10.1.2.3 ', '10.1.2.0/24'],
    ['2001:db8:abcd:12:34::1', '2001:db8:abcd::/48'],
    ['2001:0DB8:0000:0000:0000:ff00:0042:8329', '2001:db8::/48'],
    ['[2001:db8::1]:443', '2001:db8::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
    ['::ffff:192.0.2.130', '192.0.2.0/24'],
    ['::1', '::/48'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3::/48'],
  ])('%j → %j', (ip, expected) => {
    expect(ipPrefix(ip)).toBe(expected);
  });

  it('honours prefix lengths, zeroing host bits, with RFC 5952 output', () => {
    expect(ipPrefix('203.0.113.77', 16)).toBe('203.0.0.0/16');
    expect(ipPrefix('203.0.113.77', 32)).toBe('203.0.113.77/32');
    expect(ipPrefix('203.0.113.77', 0)).toBe('0.0.0.0/0');
    expect(ipPrefix('203.0.113.77', 20)).toBe('203.0.112.0/20');
    expect(ipPrefix('2001:db8:abcd:12:34::1', 24, 64)).toBe('2001:db8:abcd:12::/64');
    expect(ipPrefix('2001:db8:abcd:12:34::1', 24, 56)).toBe('2001:db8:abcd::/56');
    expect(ipPrefix('2001:db8:abcd:1234::1', 24, 60)).toBe('2001:db8:abcd:1230::/60');
    expect(ipPrefix('2001:db8::1', 24, 128)).toBe('2001:db8::1/128');
    expect(ipPrefix('1:0:0:1:0:0:0:1', 24, 128)).toBe('1:0:0:1::1/128');
    expect(ipPrefix('1:0:1:1:1:1:1:1', 24, 128)).toBe('1:0:1:1:1:1:1:1/128');
    expect(() => ipPrefix('1.2.3.4', 33)).toThrow(RangeError);
  });

  it('groups addresses of one subnet and separates neighbouring subnets', () => {
    expect(ipPrefix('198.51.100.1')).toBe(ipPrefix('198.51.100.254'));
    expect(ipPrefix('198.51.100.1')).not.toBe(ipPrefix('198.51.101.1'));
    expect(ipPrefix('2001:db8:1:ffff::9')).toBe(ipPrefix('2001:db8:1::'));
  });

  it.each(['1.2.3', '256.1.1.1', 'nonsense', '1:2:3:4:5:6:7:8:9', '1::2::3', '', '1.2.3.4.5', ':1:2::'])(
    'returns unparseable %j as itself (trimmed, lower-case)',
    (bad) => {
      expect(ipPrefix(` ${bad.toUpperCase()} `)).toBe(bad.toLowerCase());
    },
  );
});
