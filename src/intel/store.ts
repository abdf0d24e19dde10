// Durable intel objects (DuckDB, additive tables beside a scan store's): what the TAXII server serves and
// what `intel pull` imported. Each object version is kept with the collection it belongs to, the order it
// was added in (`seq`, the pagination key), when it was added, and who produced it.
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { openDuckDbStore } from '../store/duckdb.js';
import { Serial } from '../store/serial.js';
import { toIso } from '../core/time.js';

const DDL = [
  `CREATE TABLE IF NOT EXISTS intel_objects (
    api_root VARCHAR NOT NULL,
    collection VARCHAR NOT NULL,
    seq BIGINT NOT NULL,
    id VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    spec_version VARCHAR NOT NULL,
    version VARCHAR NOT NULL,
    version_key VARCHAR NOT NULL,
    date_added BIGINT NOT NULL,
    producer VARCHAR,
    source VARCHAR,
    body JSON NOT NULL,
    PRIMARY KEY (api_root, collection, id, version_key)
  )`,
  `CREATE TABLE IF NOT EXISTS intel_status (
    api_root VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    body JSON NOT NULL,
    PRIMARY KEY (api_root, id)
  )`,
];

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

/** Sortable form of a STIX timestamp: nanosecond fraction, always 9 digits. */
export function versionKey(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

export class IntelStore {
  private seq = 0;
  private readonly serial = new Serial();
  private lastAdded = 0;

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly owned: DuckDBInstance | undefined,
  ) {}

  /** Opens (creating if needed) the intel tables in a distillguard store file, or ':memory:'. */
  static async open(path: string): Promise<IntelStore> {
    if (path !== ':memory:' && !existsSync(path)) {
      // A new file becomes a full distillguard store, so `scan --db` can share it later.
      await (await openDuckDbStore(path)).close();
    }
    const instance = await DuckDBInstance.create(path);
    return IntelStore.attach(await instance.connect(), instance);
  }

  /** Uses a connection someone else owns (e.g. `distillguard serve`'s store). */
  static async attach(conn: DuckDBConnection, owned?: DuckDBInstance): Promise<IntelStore> {
    for (const sql of DDL) await conn.run(sql);
    const s = new IntelStore(conn, owned);
    const rows = (await conn.runAndReadAll('SELECT coalesce(max(seq), 0), coalesce(max(date_added), 0) FROM intel_objects')).getRowsJS();
    s.seq = Number(rows[0][0]);
    s.lastAdded = Number(rows[0][1]);
    return s;
  }

  /**
   * Adds object versions to a collection in one transaction; a version already there is kept as it was.
   * `dateAdded` never goes backwards, so added_after and seq order agree.
   */
  add(apiRoot: string, collection: string, objects: Record<string, unknown>[], meta: { source?: string } = {}): Promise<{ results: AddResult[]; dateAdded: number }> {
    return this.serial.run(async () => {
      const dateAdded = Math.max(Date.now(), this.lastAdded);
      this.lastAdded = dateAdded;
      const results: AddResult[] = [];
      await this.conn.run('BEGIN TRANSACTION');
      try {
        for (const o of objects) {
          const id = String(o.id);
          const version = String(o.modified ?? o.created ?? toIso(dateAdded));
          const vkey = versionKey(version);
          const before = this.seq;
          const params: Record<string, DuckDBValue> = {
            root: apiRoot,
            col: collection,
            seq: BigInt(before + 1),
            id,
            type: String(o.type),
            spec: String(o.spec_version ?? '2.1'),
            version,
            vkey,
            added: BigInt(dateAdded),
            producer: typeof o.created_by_ref === 'string' ? o.created_by_ref : null,
            source: meta.source ?? null,
            body: JSON.stringify(o),
          };
          const r = await this.conn.run(
            `INSERT INTO intel_objects SELECT $root, $col, $seq, $id, $type, $spec, $version, $vkey, $added, $producer, $source, $body
             WHERE NOT EXISTS (SELECT 1 FROM intel_objects WHERE api_root = $root AND collection = $col AND id = $id AND version_key = $vkey)`,
            params,
          );
          const added = Number(r.rowsChanged) > 0;
          if (added) this.seq = before + 1;
          results.push({ id, version, added });
        }
        await this.conn.run('COMMIT');
      } catch (e) {
        await this.conn.run('ROLLBACK');
        throw e;
      }
      return { results, dateAdded };
    });
  }

  /** Object versions matching the query, in the order they were added; one more than `limit` tells `more`. */
  query(apiRoot: string, collection: string, q: ObjectQuery, columns: 'full' | 'manifest' = 'full'): Promise<StoredObject[]> {
    const where = ['o.api_root = $root', 'o.collection = $col'];
    const params: Record<string, DuckDBValue> = { root: apiRoot, col: collection, lim: BigInt(q.limit + 1) };
    if (q.afterSeq !== undefined) {
      where.push('o.seq > $after');
      params.after = BigInt(q.afterSeq);
    }
    if (q.addedAfter !== undefined) {
      where.push('o.date_added > $addedAfter');
      params.addedAfter = BigInt(q.addedAfter);
    }
    const list = (name: string, values: string[] | undefined, column: string): void => {
      if (!values || values.length === 0) return;
      where.push(`o.${column} IN (${values.map((_, i) => `$${name}${i}`).join(', ')})`);
      values.forEach((v, i) => (params[`${name}${i}`] = v));
    };
    list('id', q.ids, 'id');
    list('type', q.types, 'type');
    list('spec', q.specVersions, 'spec_version');
    const v = q.versions ?? { last: true, first: false, all: false, keys: [] };
    if (!v.all) {
      const alts: string[] = [];
      const sub = (agg: string): string => `o.version_key = (SELECT ${agg}(i.version_key) FROM intel_objects i WHERE i.api_root = o.api_root AND i.collection = o.collection AND i.id = o.id)`;
      if (v.last) alts.push(sub('max'));
      if (v.first) alts.push(sub('min'));
      v.keys.forEach((k, i) => {
        alts.push(`o.version_key = $v${i}`);
        params[`v${i}`] = k;
      });
      where.push(`(${alts.join(' OR ')})`);
    }
    const body = columns === 'full' ? 'o.body' : 'NULL';
    const sql = `SELECT o.seq, o.id, o.type, o.spec_version, o.version, o.date_added, o.producer, o.source, ${body} AS body
      FROM intel_objects o WHERE ${where.join(' AND ')} ORDER BY o.seq LIMIT $lim`;
    return this.serial.run(async () => (await this.conn.runAndReadAll(sql, params)).getRowObjectsJS().map(readRow));
  }

  /** Every stored object of a source (or of all sources), latest version of each id. */
  latest(filter: { apiRoot?: string; collection?: string; source?: string; types?: string[] } = {}): Promise<StoredObject[]> {
    const where = ['o.version_key = (SELECT max(i.version_key) FROM intel_objects i WHERE i.api_root = o.api_root AND i.collection = o.collection AND i.id = o.id)'];
    const params: Record<string, DuckDBValue> = {};
    if (filter.apiRoot !== undefined) {
      where.push('o.api_root = $root');
      params.root = filter.apiRoot;
    }
    if (filter.collection !== undefined) {
      where.push('o.collection = $col');
      params.col = filter.collection;
    }
    if (filter.source !== undefined) {
      where.push('o.source = $source');
      params.source = filter.source;
    }
    if (filter.types?.length) {
      where.push(`o.type IN (${filter.types.map((_, i) => `$t${i}`).join(', ')})`);
      filter.types.forEach((t, i) => (params[`t${i}`] = t));
    }
    const sql = `SELECT o.seq, o.id, o.type, o.spec_version, o.version, o.date_added, o.producer, o.source, o.body FROM intel_objects o WHERE ${where.join(' AND ')} ORDER BY o.seq`;
    return this.serial.run(async () => (await this.conn.runAndReadAll(sql, params)).getRowObjectsJS().map(readRow));
  }

  putStatus(apiRoot: string, id: string, body: Record<string, unknown>): Promise<void> {
    return this.serial.run(async () => {
      await this.conn.run('INSERT OR REPLACE INTO intel_status VALUES ($root, $id, $body)', { root: apiRoot, id, body: JSON.stringify(body) });
    });
  }

  getStatus(apiRoot: string, id: string): Promise<Record<string, unknown> | undefined> {
    return this.serial.run(async () => {
      const rows = (await this.conn.runAndReadAll('SELECT body FROM intel_status WHERE api_root = $root AND id = $id', { root: apiRoot, id })).getRowsJS();
      return rows.length === 0 ? undefined : (JSON.parse(String(rows[0][0])) as Record<string, unknown>);
    });
  }

  async close(): Promise<void> {
    await this.serial.run(async () => undefined);
    if (this.owned) {
      this.conn.closeSync();
      this.owned.closeSync();
    }
  }
}

function readRow(r: Record<string, unknown>): StoredObject {
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
