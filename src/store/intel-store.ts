// Durable intel objects (STIX 2.1): what the TAXII server serves and what `intel pull` imported. Each
// object version is kept with the collection it belongs to, the order it was added in (`seq`, the
// pagination key), when it was added, and who produced it. Part of the store (./store.ts), in its
// schema version.
import type { Row } from './rows.js';

export interface StoredObject {
  seq: number;
  id: string;
  type: string;
  specVersion: string;
  version: string;
  dateAdded: number;
  producer: string | null;
  source: string | null;
  body: Record<string, unknown>;
}

export interface ObjectQuery {
  /** Only rows with seq greater than this (the pagination cursor). */
  afterSeq?: number;
  /** date_added strictly after this (ms). */
  addedAfter?: number;
  ids?: string[];
  types?: string[];
  specVersions?: string[];
  /** `last` (default), `first`, `all`, or explicit versions (version keys). */
  versions?: { last: boolean; first: boolean; all: boolean; keys: string[] };
  limit: number;
}

export interface AddResult {
  id: string;
  version: string;
  added: boolean;
}

export interface LatestFilter {
  apiRoot?: string;
  collection?: string;
  source?: string;
  types?: string[];
}

export interface IntelStore {
  /**
   * Adds object versions to a collection in one transaction; a version already there is kept as it
   * was. `dateAdded` never goes backwards, so added_after and seq order agree.
   */
  add(apiRoot: string, collection: string, objects: Record<string, unknown>[], meta?: { source?: string }): Promise<{ results: AddResult[]; dateAdded: number }>;
  /** Object versions matching the query, in the order they were added; one more than `limit` tells `more`. */
  query(apiRoot: string, collection: string, q: ObjectQuery, columns?: 'full' | 'manifest'): Promise<StoredObject[]>;
  /** Every stored object (of a root, collection, source, types), latest version of each id, in seq order. */
  latest(filter?: LatestFilter): Promise<StoredObject[]>;
  putStatus(apiRoot: string, id: string, body: Record<string, unknown>): Promise<void>;
  getStatus(apiRoot: string, id: string): Promise<Record<string, unknown> | undefined>;
}

/** Sortable form of a STIX timestamp: nanosecond fraction, always 9 digits. */
export function versionKey(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** A stored intel_objects row (either implementation) as a StoredObject. */
export function readObject(r: Row): StoredObject {
  return {
    seq: Number(r.seq),
    id: String(r.id),
    type: String(r.type),
    specVersion: String(r.spec_version),
    version: String(r.version),
    dateAdded: Number(r.date_added),
    producer: r.producer === null ? null : String(r.producer),
    source: r.source === null ? null : String(r.source),
    body: r.body === null || r.body === undefined ? {} : (JSON.parse(String(r.body)) as Record<string, unknown>),
  };
}
