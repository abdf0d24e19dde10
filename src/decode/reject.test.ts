import { describe, expect, it } from 'vitest';
import { redactedExcerpt, redactEmails } from './reject.js';

describe('redactEmails', () => {
  it('catches plain, quoted, URL-encoded and JSON-escaped addresses, in text and in raw JSON', () => {
    // A JSON escape in the line as sent: `"x\u0040y.org"` (one backslash in the raw text).
    const raw = `${JSON.stringify({ a: '"quoted"@example.net', b: 'j%40example.com', d: 'write to a.b@c.io please', e: '"john smith"@example.net' }).slice(0, -1)},"c":"x\\u0040y.org"}`;
    const out = redactEmails(raw);
    expect(out).not.toMatch(/example|y\.org|c\.io/);
    expect(redactEmails('mail "quoted"@example.net and J%40Example.com now')).toBe('mail [email] and [email] now');
    expect(redactEmails('no address here: 100% sure, a@')).toBe('no address here: 100% sure, a@');
  });
});

describe('redactedExcerpt', () => {
  it('keeps keys, numbers and the record type; masks every other string value', () => {
    const raw = JSON.stringify({ type: 'exchange', id: 'req-77', client: { ip: '203.0.113.9' }, n: 5, request: { messages: [{ role: 'user', content: 'my secret prompt' }] } });
    const x = redactedExcerpt(raw);
    expect(x).toBe('{"type":"exchange","id":"…","client":{"ip":"…"},"n":5,"request":{"messages":[{"role":"…","content":"…"}]}}');
    expect(redactedExcerpt(`{"p":"${'x'.repeat(50)}","q":${'1,'.repeat(200)}1}`).length).toBeLessThanOrEqual(161);
  });
});
