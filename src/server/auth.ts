// Who may call a route, for single-node serve and serve --cluster alike: a bearer key, or the
// dashboard's session cookie (src/server/sessions.ts), and the headers every answer carries.
import type { FastifyReply, onRequestHookHandler } from 'fastify';
import { ApiError } from './errors.js';
import { authorize, NO_AUTH, type KeyRing, type Role } from './keys.js';
import { sessionCookie, type Sessions } from './sessions.js';

/** Builds the onRequest hook for a role: 401 without a known key or live session, 403 without the role. */
export function roleGate(keys: KeyRing | null, sessions: Sessions): (role: Role) => onRequestHookHandler {
  return (role) =>
    async function requireRole(req) {
      if (keys === null) {
        req.principal = NO_AUTH;
        return;
      }
      const h = req.headers.authorization;
      const bearer = typeof h === 'string' && /^Bearer\s+\S+\s*$/i.test(h);
      const cookie = bearer ? undefined : sessionCookie(req);
      if (cookie === undefined) {
        req.principal = authorize(keys, h, role);
        return;
      }
      // The dashboard's session: its roles are the key's minus ingest. A cookie-authenticated write
      // must be JSON (a cross-site form cannot send that without a preflight; SameSite=Strict anyway).
      const p = sessions.find(cookie);
      if (!p) throw new ApiError('unauthorized', 'the session has expired: sign in again');
      if (!p.roles.has(role)) throw new ApiError('forbidden', `session of ${JSON.stringify(p.id)} lacks the ${role} role`);
      if (req.method !== 'GET' && req.method !== 'HEAD' && !String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        throw new ApiError('forbidden', 'a session may only write with a JSON body');
      }
      req.principal = p;
      req.viaSession = true;
    };
}

/** The dashboard's pages may load only their own scripts, styles and data, and never be framed. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * On every answer: data (JSON, metrics) gets a policy that allows nothing, everything else the page
 * policy (a 304 for a cached page has no content type, and its headers replace the cached ones).
 */
export function securityHeaders(reply: FastifyReply): void {
  const type = String(reply.getHeader('content-type') ?? '');
  const data = type.includes('json') || type.startsWith('text/plain') || type.startsWith('application/openmetrics');
  reply.header('content-security-policy', data ? "default-src 'none'; frame-ancestors 'none'" : PAGE_CSP);
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
}
