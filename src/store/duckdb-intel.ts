// The intel tables of the DuckDB store (DDL in ./schema.ts): STIX object versions by API root and
// collection, and TAXII status resources.
import type { DuckDBValue } from '@duckdb/node-api';
import { toIso } from '../core/time.js';
import { inTransaction, type DuckDbAccess } from './duckdb-access.js';
import { readObject, versionKey, type AddResult, type IntelStore, type LatestFilter, type ObjectQuery, type StoredObject } from './intel-store.js';

/** The latest version of each object of its collection (`o` is the outer row). */
const LATEST = `o.version_key = (SELECT max(i.version_key) FROM intel_objects i WHERE i.api_root = o.api_root AND i.collection = o.collection AND i.id = o.id)`;

export class DuckDbIntel implements IntelStore {
  constructor(private readonly db: DuckDbAccess) {}

  add(apiRoot: string, collection: string, objects: Record<string, unknown>[], meta: { source?: string } = {}): Promise<{ results: AddResult[]; dateAdded: number }> {
    return this.db.write((conn) =>
      inTransaction(conn, async () => {
        // Seq and date_added continue from what is stored: no counter outside the table.
        const [last] = (await conn.runAndReadAll('SELECT coalesce(max(seq), 0), coalesce(max(date_added), 0) FROM intel_objects')).getRowsJS();
        let seq = Number(last[0]);
        const dateAdded = Math.max(Date.now(), Number(last[1]));
        const results: AddResult[] = [];
        for (const o of objects) {
          const id = String(o.id);
          const version = String(o.modified ?? o.created ?? toIso(dateAdded));
          const vkey = versionKey(version);
          const params: Record<string, DuckDBValue> = {
            root: apiRoot,
            col: collection,
            seq: BigInt(seq + 1),
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
          const r = await conn.run(
            `INSERT INTO intel_objects SELECT $root, $col, $seq, $id, $type, $spec, $version, $vkey, $added, $producer, $source, $body
             WHERE NOT EXISTS (SELECT 1 FROM intel_objects WHERE api_root = $root AND collection = $col AND id = $id AND version_key = $vkey)`,
            params,
          );
          const added = Number(r.rowsChanged) > 0;
          if (added) seq++;
          results.push({ id, version, added });
        }
        return { results, dateAdded };
      }),
    );
  }

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
    inList(where, params, 'id', q.ids, 'id');
    inList(where, params, 'type', q.types, 'type');
    inList(where, params, 'spec', q.specVersions, 'spec_version');
    const v = q.versions ?? { last: true, first: false, all: false, keys: [] };
    if (!v.all) {
      const alts: string[] = [];
      if (v.last) alts.push(LATEST);
      if (v.first) alts.push(LATEST.replace('max(', 'min('));
      v.keys.forEach((k, i) => {
        alts.push(`o.version_key = $v${i}`);
        params[`v${i}`] = k;
      });
      where.push(`(${alts.join(' OR ')})`);
    }
    const body = columns === 'full' ? 'o.body' : 'NULL';
    const sql = `SELECT o.seq, o.id, o.type, o.spec_version, o.version, o.date_added, o.producer, o.source, ${body} AS body
      FROM intel_objects o WHERE ${where.join(' AND ')} ORDER BY o.seq LIMIT $lim`;
    return this.db.read(sql, params, readObject);
  }

  latest(filter: LatestFilter = {}): Promise<StoredObject[]> {
    const where = [LATEST];
    const params: Record<string, DuckDBValue> = {};
    const equal = (column: string, name: string, value: string | undefined): void => {
      if (value === undefined) return;
      where.push(`o.${column} = $${name}`);
      params[name] = value;
    };
    equal('api_root', 'root', filter.apiRoot);
    equal('collection', 'col', filter.collection);
    equal('source', 'source', filter.source);
    inList(where, params, 't', filter.types, 'type');
    const sql = `SELECT o.seq, o.id, o.type, o.spec_version, o.version, o.date_added, o.producer, o.source, o.body FROM intel_objects o WHERE ${where.join(' AND ')} ORDER BY o.seq`;
    return this.db.read(sql, params, readObject);
  }

  putStatus(apiRoot: string, id: string, body: Record<string, unknown>): Promise<void> {
    return this.db.write(async (conn) => {
      await conn.run('INSERT OR REPLACE INTO intel_status VALUES ($root, $id, $body)', { root: apiRoot, id, body: JSON.stringify(body) });
    });
  }

  async getStatus(apiRoot: string, id: string): Promise<Record<string, unknown> | undefined> {
    const [body] = await this.db.read('SELECT body FROM intel_status WHERE api_root = $root AND id = $id', { root: apiRoot, id }, (r) => JSON.parse(String(r.body)) as Record<string, unknown>);
    return body;
  }
}

/** `o.column IN ($name0, $name1, ...)` when `values` has any. */
function inList(where: string[], params: Record<string, DuckDBValue>, name: string, values: string[] | undefined, column: string): void {
  if (!values || values.length === 0) return;
  where.push(`o.${column} IN (${values.map((_, i) => `$${name}${i}`).join(', ')})`);
  values.forEach((v, i) => (params[`${name}${i}`] = v));
}
