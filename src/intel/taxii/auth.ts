// API keys and rights: HTTP Basic (user name + key) or a bearer token (the key); read and write rights per
// collection. Keys are compared as SHA-256 digests in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TaxiiConfig } from './config.js';

export interface Principal {
  name: string;
  canRead(root: string, collection: string): boolean;
  canWrite(root: string, collection: string): boolean;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class KeyChecker {
  private readonly users: { name: string; key: Buffer; read: string[]; write: string[] }[];

  constructor(cfg: TaxiiConfig) {
    this.users = cfg.users.map((u) => ({ name: u.name, key: digest(u.key), read: u.read, write: u.write }));
  }

  /** The principal an Authorization header names, or undefined when it names none. */
  authenticate(header: string | undefined): Principal | undefined {
    if (!header) return undefined;
    const [scheme, value = ''] = header.trim().split(/\s+/, 2);
    let name: string | undefined;
    let key: string;
    if (/^basic$/i.test(scheme)) {
      const text = Buffer.from(value, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon < 0) return undefined;
      name = text.slice(0, colon);
      key = text.slice(colon + 1);
    } else if (/^bearer$/i.test(scheme)) {
      key = value;
    } else {
      return undefined;
    }
    const d = digest(key);
    // Compare against every key so timing says nothing about which one matched.
    let found: (typeof this.users)[number] | undefined;
    for (const u of this.users) if (timingSafeEqual(u.key, d) && (name === undefined || name === u.name)) found = u;
    if (!found) return undefined;
    const u = found;
    const has = (list: string[], root: string, col: string): boolean => list.includes(`${root}/${col}`) || list.includes(`${root}/*`) || list.includes('*');
    return { name: u.name, canRead: (r, c) => has(u.read, r, c), canWrite: (r, c) => has(u.write, r, c) };
  }
}
