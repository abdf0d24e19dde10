// The dashboard's sign-in (issue 15, finding 7): no long-lived key in the browser, a one-time link
// token exchanged for a short-lived HttpOnly SameSite=Strict cookie, and pages that cannot be framed.
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/serve.js';
import { SESSION_COOKIE, Sessions } from './sessions.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const cookieOf = (setCookie: string | string[] | undefined): string => String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0];

describe('dashboard sign-in', () => {
  it('a one-time token becomes an HttpOnly, SameSite=Strict session cookie with the dashboard roles only', async () => {
    s = await startTestServer();
    const minted = await s.app.inject({ method: 'POST', url: '/v1/session/tokens', headers: bearer('analyst') });
    expect(minted.statusCode).toBe(200);
    const { token, link } = minted.json();
    expect(link).toBe(`/#signin=${token}`);
    const signIn = await s.app.inject({ method: 'POST', url: '/v1/session', payload: { token } });
    expect(signIn.statusCode).toBe(200);
    const set = String(signIn.headers['set-cookie']);
    expect(set).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w-]{40,}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600$`));
    expect(signIn.json()).toMatchObject({ id: 'alice', roles: expect.arrayContaining(['read', 'analyst']) });
    const cookie = cookieOf(signIn.headers['set-cookie']);
    expect((await s.app.inject({ url: '/v1/summary', headers: { cookie } })).statusCode).toBe(200);
    // The token works once.
    expect((await s.app.inject({ method: 'POST', url: '/v1/session', payload: { token } })).statusCode).toBe(401);
    // A session never ingests, and writes only with a JSON body.
    expect((await s.app.inject({ method: 'POST', url: '/v1/records', payload: '{}', headers: { cookie, 'content-type': 'application/x-ndjson' } })).statusCode).toBe(403);
    const form = await s.app.inject({ method: 'POST', url: '/v1/decisions', payload: 'account_id=a&decision=confirmed', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.statusCode).toBe(403);
    const json = await s.app.inject({ method: 'POST', url: '/v1/decisions', payload: { account_id: 'a', decision: 'needs_review' }, headers: { cookie } });
    expect(json.statusCode).toBe(201);
    // Sign-out ends the session.
    await s.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie } });
    expect((await s.app.inject({ url: '/v1/summary', headers: { cookie } })).statusCode).toBe(401);
  });

  it('a key typed into the form is exchanged once; an ingest-only key gets no session', async () => {
    s = await startTestServer();
    const ok = await s.app.inject({ method: 'POST', url: '/v1/session', payload: { key: 'read-key-0123456789abcdef' } });
    expect(ok.json().roles).toEqual(['read']);
    expect((await s.app.inject({ method: 'POST', url: '/v1/session', payload: { key: 'ingest-key-0123456789abcdef' } })).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'POST', url: '/v1/session', payload: { key: 'nope-nope-nope-nope' } })).statusCode).toBe(401);
  });

  it('sessions expire after an hour; tokens after ten minutes', () => {
    let now = 0;
    const sessions = new Sessions(() => now);
    const p = { id: 'x', roles: new Set(['read' as const]) };
    const token = sessions.mintToken(p);
    now += 11 * 60_000;
    expect(() => sessions.open({ token })).toThrow(/expired/);
    const { id } = sessions.open({ principal: p });
    expect(sessions.find(id)?.id).toBe('x');
    now += 61 * 60_000;
    expect(sessions.find(id)).toBeUndefined();
  });

  it('every answer says it may not be framed or sniffed; pages get a content security policy', async () => {
    s = await startTestServer();
    const page = await s.app.inject({ url: '/' });
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const api = await s.app.inject({ url: '/healthz' });
    expect(api.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers['x-frame-options']).toBe('DENY');
  });
});
