// API keys: a zod-validated JSON file of keys with roles. `ingest` may post records, `read` may read
// results, `analyst` may read and record decisions. Keys are compared in constant time (over SHA-256
// digests, so neither length nor content leaks through timing), and every key is compared.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { ApiError } from './errors.js';

export const ROLES = ['ingest', 'read', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const KeysFileSchema = z
  .object({
    keys: z
      .array(
        z
          .object({
            id: z.string().min(1).describe('name shown in logs and the audit log; never the key itself'),
            key: z.string().min(16, 'a key must be at least 16 characters'),
            roles: z.array(z.enum(ROLES)).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type KeysFile = z.infer<typeof KeysFileSchema>;

export interface Principal {
  id: string;
  roles: ReadonlySet<Role>;
}

/** What a role grants beyond itself. */
const IMPLIES: Record<Role, readonly Role[]> = { ingest: [], read: [], analyst: ['read'] };

/** A key as a thread other than the one that read the file holds it: its SHA-256, never the key. */
export interface KeyDigest {
  id: string;
  digest: Uint8Array;
  roles: Role[];
}

export class KeyRing {
  private readonly entries: { digest: Buffer; principal: Principal }[];

  constructor(file: KeysFile | { digests: readonly KeyDigest[] }) {
    if ('digests' in file) {
      this.entries = file.digests.map((k) => ({ digest: Buffer.from(k.digest), principal: { id: k.id, roles: new Set(k.roles) } }));
      return;
    }
    const seen = new Set<string>();
    this.entries = file.keys.map((k) => {
      if (seen.has(k.key)) throw new InputError(`keys: key ${JSON.stringify(k.id)} repeats another key`);
      seen.add(k.key);
      const roles = new Set<Role>();
      for (const r of k.roles) for (const g of [r, ...IMPLIES[r]]) roles.add(g);
      return { digest: digest(k.key), principal: { id: k.id, roles } };
    });
  }

  /** The keys' digests and roles (implied roles included), to build the same ring in a worker thread. */
  digests(): KeyDigest[] {
    return this.entries.map((e) => ({ id: e.principal.id, digest: new Uint8Array(e.digest), roles: [...e.principal.roles] }));
  }

  /** The principal holding this key, or undefined. Compares against every key, in constant time each. */
  find(key: string): Principal | undefined {
    const d = digest(key);
    let found: Principal | undefined;
    for (const e of this.entries) if (timingSafeEqual(d, e.digest) && found === undefined) found = e.principal;
    return found;
  }
}

export const NO_AUTH: Principal = { id: 'anonymous', roles: new Set<Role>(ROLES) };

/**
 * The principal of an `Authorization: Bearer <key>` value (HTTP header or gRPC metadata) holding
 * `role`. Throws ApiError `unauthorized` without a known key, `forbidden` without the role. Null
 * keys (`serve --no-auth`) let everyone in.
 */
export function authorize(keys: KeyRing | null, authorization: unknown, role: Role): Principal {
  if (keys === null) return NO_AUTH;
  const m = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!m) throw new ApiError('unauthorized', 'missing API key: send Authorization: Bearer <key>', { 'www-authenticate': 'Bearer' });
  const p = keys.find(m[1]);
  if (!p) throw new ApiError('unauthorized', 'unknown API key', { 'www-authenticate': 'Bearer' });
  if (!p.roles.has(role)) throw new ApiError('forbidden', `key ${JSON.stringify(p.id)} lacks the ${role} role`);
  return p;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export async function loadKeys(path: string): Promise<KeyRing> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read keys file ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`keys file ${path} is not JSON: ${(e as Error).message}`);
  }
  const r = KeysFileSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`keys file ${path}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return new KeyRing(r.data);
}
