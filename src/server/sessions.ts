// Dashboard sign-in without keeping a key in the browser. An operator (or `demo`) mints a one-time
// sign-in token for a key's principal; the printed link carries it (`/#signin=TOKEN`, a fragment never
// reaches server logs); the page exchanges it (or a key typed into its form) once for a short-lived
// session cookie: HttpOnly (scripts cannot read it), SameSite=Strict (other sites cannot send it),
// scoped to the dashboard's roles (read, analyst: never ingest). Tokens and sessions live in memory:
// a restart signs everyone out.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { z } from 'zod';
import { ApiError } from './errors.js';
import type { KeyRing, Principal, Role } from './keys.js';
import { parseWith } from './routes/read.js';
import { parseJsonDocument } from './json-body.js';
import { MAX_DEPTH } from '../decode/depth.js';

export const SESSION_COOKIE = 'dg_session';
const TOKEN_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 60 * 60_000;
/** What a dashboard session may do: never ingest. */
const SESSION_ROLES: readonly Role[] = ['read', 'analyst'];

interface Entry {
  principal: Principal;
  expires: number;
}

export class Sessions {
  private readonly tokens = new Map<string, Entry>();
  private readonly sessions = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A one-time sign-in token for this principal (valid 10 minutes, used at most once). */
  mintToken(p: Principal): string {
    this.sweep();
    const t = randomBytes(24).toString('base64url');
    this.tokens.set(t, { principal: scoped(p), expires: this.now() + TOKEN_TTL_MS });
    return t;
  }

  /** Exchanges a token (consumed) or a principal for a new session id. */
  open(from: { token: string } | { principal: Principal }): { id: string; principal: Principal; expires: number } {
    this.sweep();
    let principal: Principal;
    if ('token' in from) {
      const e = this.tokens.get(from.token);
      this.tokens.delete(from.token);
      if (e === undefined || e.expires < this.now()) throw new ApiError('unauthorized', 'the sign-in link is unknown, used or expired: ask for a new one');
      principal = e.principal;
    } else principal = scoped(from.principal);
    if (principal.roles.size === 0) throw new ApiError('forbidden', 'this key has no dashboard role (read or analyst)');
    const id = randomBytes(32).toString('base64url');
    const expires = this.now() + SESSION_TTL_MS;
    this.sessions.set(id, { principal, expires });
    return { id, principal, expires };
  }

  find(id: string): Principal | undefined {
    const e = this.sessions.get(id);
    if (e === undefined) return undefined;
    if (e.expires < this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return e.principal;
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  private sweep(): void {
    const t = this.now();
    for (const m of [this.tokens, this.sessions]) for (const [k, e] of m) if (e.expires < t) m.delete(k);
  }
}

function scoped(p: Principal): Principal {
  return { id: p.id, roles: new Set([...p.roles].filter((r) => SESSION_ROLES.includes(r))) };
}

/** The session cookie's value, if the request carries one. */
export function sessionCookie(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function setCookie(reply: FastifyReply, req: FastifyRequest, value: string, maxAgeS: number): void {
  const secure = req.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`);
}

const SessionInput = z.union([z.object({ token: z.string().min(1).max(200) }).strict(), z.object({ key: z.string().min(1).max(1000) }).strict()]);

/** POST /v1/session (sign in: token or key → cookie), DELETE /v1/session, POST /v1/session/tokens (mint a link). */
export function registerSessionRoutes(app: FastifyInstance, sessions: Sessions, keys: KeyRing | null, requireRole: (role: Role) => onRequestHookHandler): void {
  app.post('/v1/session', async (req, reply) => {
    // serve --cluster takes every body as bytes (its JSON routes read them as single-node serve does).
    const body = Buffer.isBuffer(req.body) ? parseJsonDocument(req.body, MAX_DEPTH) : req.body;
    const input = parseWith(SessionInput, body, 'body');
    let s;
    if ('token' in input) s = sessions.open({ token: input.token });
    else {
      const p = keys === null ? { id: 'anonymous', roles: new Set<Role>(SESSION_ROLES) } : keys.find(input.key);
      if (!p) throw new ApiError('unauthorized', 'unknown API key');
      s = sessions.open({ principal: p });
    }
    setCookie(reply, req, s.id, Math.floor(SESSION_TTL_MS / 1000));
    return { id: s.principal.id, roles: [...s.principal.roles], expires: new Date(s.expires).toISOString() };
  });
  app.delete('/v1/session', async (req, reply) => {
    const id = sessionCookie(req);
    if (id !== undefined) sessions.close(id);
    setCookie(reply, req, '', 0);
    return { signed_out: true };
  });
  void app.register(async (r) => {
    r.addHook('onRequest', requireRole('read'));
    r.post('/v1/session/tokens', async (req) => {
      if (req.viaSession === true) throw new ApiError('forbidden', 'sign-in links are minted with an API key, not from a session');
      const token = sessions.mintToken(req.principal!);
      return { token, link: `/#signin=${token}`, expires_in_s: TOKEN_TTL_MS / 1000 };
    });
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Authenticated by the dashboard's session cookie (not a bearer key). */
    viaSession?: boolean;
  }
}
