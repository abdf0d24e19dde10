// The account record contract: every field, and e-mail privacy.
import { describe, expect, it } from 'vitest';
import { decodeLine } from '../../src/decode/index.js';
import { emailPattern, normalizeEmail } from '../../src/decode/email.js';
import { decodeAccountOk, decodeRejected, rawLine, TS, TS_MS } from './helpers.js';

type Json = Record<string, unknown>;
const acct = (extra: Json = {}): Json => ({ type: 'account', account_id: 'acct_1', ts: TS, ...extra });

describe('account decoding', () => {
  it('maps every field', () => {
    const a = decodeAccountOk(
      acct({
        created_at: '2026-04-20T08:00:00Z',
        email: 'John.Smith1987@Example.org',
        payment_fingerprint: 'pf_abc',
        payment_bin: '424242',
        country: 'de',
        org_id: 'org_1',
        verification: 'phone',
        plan: 'education',
        signup_ip: '198.51.100.4',
        signup_user_agent: 'Mozilla/5.0',
        links: { device_id: 'dev_1', phone_hash: 'ph_9' },
      }),
    );
    expect(a).toEqual({
      kind: 'account',
      accountId: 'acct_1',
      ts: TS_MS,
      createdAt: Date.parse('2026-04-20T08:00:00Z'),
      emailHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      emailPattern: 'a.a9',
      emailDomain: 'example.org',
      paymentFingerprint: 'pf_abc',
      paymentBin: '424242',
      country: 'DE',
      orgId: 'org_1',
      verification: 'phone',
      plan: 'education',
      signupIp: '198.51.100.4',
      signupUserAgent: 'Mozilla/5.0',
      links: { device_id: 'dev_1', phone_hash: 'ph_9' },
    });
  });

  it('a minimal account has only its id and ts', () => {
    const a = decodeAccountOk(acct());
    expect(Object.entries(a).filter(([, v]) => v !== undefined)).toEqual([
      ['kind', 'account'],
      ['accountId', 'acct_1'],
      ['ts', TS_MS],
    ]);
  });

  it('never lets the raw address out of decode', () => {
    const a = decodeAccountOk(acct({ email: 'jane.doe+x@gmail.com' }));
    const out = JSON.stringify(a);
    expect(out).not.toContain('jane');
    expect(out).not.toContain('jane.doe+x@gmail.com');
  });

  it('hashes the normalized address with the key (HMAC-SHA-256)', () => {
    const hash = (email: string, key = 'contract-test-email-key'): string | undefined => {
      const r = decodeLine(rawLine(acct({ email })), { emailKey: Buffer.from(key) });
      return 'kind' in r && r.kind === 'account' ? r.emailHash : undefined;
    };
    expect(hash('j.o.h.n+promo@googlemail.com')).toBe(hash(' John@Gmail.com '));
    expect(hash('john+a@outlook.com')).toBe(hash('john@outlook.com'));
    expect(hash('jo.hn@outlook.com')).not.toBe(hash('john@outlook.com'));
    expect(hash('john+a@example.com')).not.toBe(hash('john@example.com'));
    expect(hash('john@gmail.com', 'another-key')).not.toBe(hash('john@gmail.com'));
  });

  it('normalizes: trim, lower-case, gmail-like dots and +tags, other providers +tags only', () => {
    expect(normalizeEmail('  J.Smith+Spam@GoogleMail.com ')).toBe('jsmith@gmail.com');
    expect(normalizeEmail('j.smith+spam@icloud.com')).toBe('j.smith@icloud.com');
    expect(normalizeEmail('j.smith+spam@corp.example')).toBe('j.smith+spam@corp.example');
    expect(normalizeEmail('not-an-address')).toBe('not-an-address');
  });

  it.each([
    ['john.smith1987', 'a.a9'],
    ['JohnSmith', 'a'],
    ['user_2024-x', 'a_9-a'],
    ['a1b2c3', 'a9a9a9'],
    ['12345', '9'],
    ['zoë.müller', 'a.a'],
    ['x+tag99', 'a+a9'],
  ])('the pattern of %s is %s', (local, pattern) => {
    expect(emailPattern(local)).toBe(pattern);
  });

  it('takes email_domain when given, from the address otherwise', () => {
    expect(decodeAccountOk(acct({ email: 'a@x.com', email_domain: 'Y.com' })).emailDomain).toBe('y.com');
    expect(decodeAccountOk(acct({ email_domain: 'Z.org' }))).toMatchObject({ emailDomain: 'z.org', emailHash: undefined });
    expect(decodeAccountOk(acct({ email: 'no-at-sign' }))).toMatchObject({ emailDomain: undefined, emailPattern: 'a-a-a' });
  });

  it('drops empty strings and null links values instead of linking on them', () => {
    const a = decodeAccountOk(acct({ payment_fingerprint: '', email: '', links: { device_id: '', phone_hash: null, x: 'y' } }));
    expect(a).toMatchObject({ paymentFingerprint: undefined, emailHash: undefined, links: { x: 'y' } });
    expect(decodeAccountOk(acct({ links: {} })).links).toBeUndefined();
  });

  it('keeps an odd links key as a plain key', () => {
    const a = decodeAccountOk(JSON.parse('{"type":"account","account_id":"a","ts":1777000000000,"links":{"__proto__":"p"}}'));
    expect(Object.getPrototypeOf(a.links)).toBe(Object.prototype);
    expect(Object.keys(a.links ?? {})).toEqual(['__proto__']);
  });

  it.each<[string, Json, string, string]>([
    ['account_id a number', { account_id: 7 }, 'wrong_type', 'account_id'],
    ['verification not in its enum', { verification: 'sms' }, 'wrong_type', 'verification'],
    ['plan not in its enum', { plan: 'Paid' }, 'wrong_type', 'plan'],
    ['links not an object', { links: ['a'] }, 'wrong_type', 'links'],
    ['links with a non-string value', { links: { device_id: 5 } }, 'wrong_type', 'links.device_id'],
    ['country not alpha-2', { country: 'DEU' }, 'wrong_type', 'country'],
    ['email not a string', { email: ['a@b.c'] }, 'wrong_type', 'email'],
    ['created_at impossible', { created_at: '2026-02-30T00:00:00Z' }, 'bad_timestamp', 'created_at'],
  ])('rejects %s', (_name, extra, reason, field) => {
    const r = decodeRejected(acct(extra));
    expect(r.reason).toBe(reason);
    expect(r.detail.startsWith(`${field}:`)).toBe(true);
  });
});
