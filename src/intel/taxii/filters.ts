// TAXII 2.1 query parameters (section 3.4): added_after, limit, next and match[...] filters.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ObjectQuery } from '../../store/intel-store.js';
import { versionKey } from '../../store/intel-store.js';

export class FilterError extends Error {}

export interface Filters {
  addedAfter?: number;
  limit: number;
  afterSeq?: number;
  ids?: string[];
  types?: string[];
  specVersions?: string[];
  versions: NonNullable<ObjectQuery['versions']>;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function values(q: Record<string, unknown>, name: string): string[] | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  const list = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter((x) => x !== '');
  if (list.length === 0) throw new FilterError(`${name} is empty`);
  return list;
}

/** Opaque cursors: the last seq of a page, signed so a client cannot forge or alter one. */
export class Cursors {
  constructor(private readonly secret: string) {}

  encode(seq: number): string {
    const body = `v1.${seq}`;
    return Buffer.from(`${body}.${this.sign(body)}`).toString('base64url');
  }

  decode(token: string): number {
    const text = Buffer.from(token, 'base64url').toString('utf8');
    const m = /^(v1\.(\d{1,15}))\.([0-9a-f]{32})$/.exec(text);
    if (!m || !timingSafeEqual(Buffer.from(m[3]), Buffer.from(this.sign(m[1])))) throw new FilterError('next is not a cursor this server issued');
    return Number(m[2]);
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('hex').slice(0, 32);
  }
}

export function parseFilters(q: Record<string, unknown>, o: { pageSize: number; maxPageSize: number; cursors: Cursors; allowed: readonly string[] }): Filters {
  for (const k of Object.keys(q)) if (!o.allowed.includes(k)) throw new FilterError(`unsupported parameter ${k}`);
  const f: Filters = { limit: o.pageSize, versions: { last: true, first: false, all: false, keys: [] } };
  const added = values(q, 'added_after');
  if (added) {
    if (added.length !== 1 || !TIMESTAMP.test(added[0])) throw new FilterError('added_after must be one RFC 3339 UTC timestamp');
    f.addedAfter = Math.floor(Date.parse(added[0]));
  }
  const limit = values(q, 'limit');
  if (limit) {
    if (limit.length !== 1 || !/^\d+$/.test(limit[0]) || Number(limit[0]) < 1) throw new FilterError('limit must be a positive integer');
    f.limit = Math.min(Number(limit[0]), o.maxPageSize);
  }
  const next = values(q, 'next');
  if (next) f.afterSeq = o.cursors.decode(next[0]);
  f.ids = values(q, 'match[id]');
  f.types = values(q, 'match[type]');
  f.specVersions = values(q, 'match[spec_version]');
  if (f.specVersions?.some((v) => v !== '2.0' && v !== '2.1')) throw new FilterError('match[spec_version] takes 2.0 or 2.1');
  const versions = values(q, 'match[version]');
  if (versions) {
    f.versions = { last: false, first: false, all: false, keys: [] };
    for (const v of versions) {
      if (v === 'last') f.versions.last = true;
      else if (v === 'first') f.versions.first = true;
      else if (v === 'all') f.versions.all = true;
      else if (TIMESTAMP.test(v)) f.versions.keys.push(versionKey(v));
      else throw new FilterError(`match[version] takes last, first, all or timestamps, got ${v}`);
    }
  }
  return f;
}
