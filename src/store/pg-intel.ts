// The intel tables of the PostgreSQL store (DDL in ./pg-schema.ts): STIX object versions by API root
// and collection, and TAXII status resources. Same queries as ./duckdb-intel.ts, positional parameters.
import { toIso } from '../core/time.js';
import { inPgTransaction, type PgAccess } from './pg.js';
import { readObject, versionKey, type AddResult, type IntelStore, type LatestFilter, type ObjectQuery, type StoredObject } from './intel-store.js';

/** The latest version of each object of its collection (`o` is the outer row). */
const LATEST = `o.version_key = (SELECT max(i.version_key COLLATE "C") FROM intel_objects i WHERE i.api_root = o.api_root AND i.collection = o.collection AND i.id = o.id)`;
const OBJECT_COLUMNS = `o.seq, o.id, o.type, o.spec_version, o.version, o.date_added, o.producer, o.source`;

/** Positional parameters: add() gives the placeholder of a value. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export class PgIntel implements IntelStore {
  constructor(private readonly db: PgAccess) {}

  add(apiRoot: string, collection: string, objects: Record<string, unknown>[], meta: { source?: string } = {}): Promise<{ results: AddResult[]; dateAdded: number }> {
    return this.db.write((c) =>
      inPgTransaction(c, async () => {
        // Seq and date_added continue from what is stored, decided under the lock (another process may add).
        await c.query(`LOCK TABLE intel_objects IN SHARE ROW EXCLUSIVE MODE`);
        const last = (await c.query<{ seq: string; added: string }>('SELECT coalesce(max(seq), 0) AS seq, coalesce(max(date_added), 0) AS added FROM intel_objects')).rows[0];
        let seq = Number(last.seq);
        const dateAdded = Math.max(Date.now(), Number(last.added));
        const results: AddResult[] = [];
        for (const o of objects) {
          const id = String(o.id);
          const version = String(o.modified ?? o.created ?? toIso(dateAdded));
          const r = await c.query(
            `INSERT INTO intel_objects VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (api_root, collection, id, version_key) DO NOTHING`,
            [apiRoot, collection, seq + 1, id, String(o.type), String(o.spec_version ?? '2.1'), version, versionKey(version), dateAdded, typeof o.created_by_ref === 'string' ? o.created_by_ref : null, meta.source ?? null, JSON.stringify(o)],
          );
          const added = (r.rowCount ?? 0) > 0;
          if (added) seq++;
          results.push({ id, version, added });
        }
        return { results, dateAdded };
      }),
    );
  }

  query(apiRoot: string, collection: string, q: ObjectQuery, columns: 'full' | 'manifest' = 'full'): Promise<StoredObject[]> {
    const p = new Params();
    const where = [`o.api_root = ${p.add(apiRoot)}`, `o.collection = ${p.add(collection)}`];
    if (q.afterSeq !== undefined) where.push(`o.seq > ${p.add(q.afterSeq)}`);
    if (q.addedAfter !== undefined) where.push(`o.date_added > ${p.add(q.addedAfter)}`);
    inList(where, p, 'id', q.ids);
    inList(where, p, 'type', q.types);
    inList(where, p, 'spec_version', q.specVersions);
    const v = q.versions ?? { last: true, first: false, all: false, keys: [] };
    if (!v.all) {
      const alts: string[] = [];
      if (v.last) alts.push(LATEST);
      if (v.first) alts.push(LATEST.replace('max(', 'min('));
      for (const k of v.keys) alts.push(`o.version_key = ${p.add(k)}`);
      where.push(alts.length > 0 ? `(${alts.join(' OR ')})` : 'FALSE');
    }
    const body = columns === 'full' ? 'o.body::text' : 'NULL';
    const sql = `SELECT ${OBJECT_COLUMNS}, ${body} AS body FROM intel_objects o WHERE ${where.join(' AND ')} ORDER BY o.seq LIMIT ${p.add(q.limit + 1)}`;
    return this.db.read(sql, p.values, readObject);
  }

  latest(filter: LatestFilter = {}): Promise<StoredObject[]> {
    const p = new Params();
    const where = [LATEST];
    if (filter.apiRoot !== undefined) where.push(`o.api_root = ${p.add(filter.apiRoot)}`);
    if (filter.collection !== undefined) where.push(`o.collection = ${p.add(filter.collection)}`);
    if (filter.source !== undefined) where.push(`o.source = ${p.add(filter.source)}`);
    inList(where, p, 'type', filter.types);
    return this.db.read(`SELECT ${OBJECT_COLUMNS}, o.body::text AS body FROM intel_objects o WHERE ${where.join(' AND ')} ORDER BY o.seq`, p.values, readObject);
  }

  putStatus(apiRoot: string, id: string, body: Record<string, unknown>): Promise<void> {
    return this.db.write(async (c) => {
      await c.query('INSERT INTO intel_status VALUES ($1, $2, $3) ON CONFLICT (api_root, id) DO UPDATE SET body = EXCLUDED.body', [apiRoot, id, JSON.stringify(body)]);
    });
  }

  async getStatus(apiRoot: string, id: string): Promise<Record<string, unknown> | undefined> {
    const [body] = await this.db.read('SELECT body::text AS body FROM intel_status WHERE api_root = $1 AND id = $2', [apiRoot, id], (r) => JSON.parse(String(r.body)) as Record<string, unknown>);
    return body;
  }
}

/** `o.column = ANY($n)` when `values` has any. */
function inList(where: string[], p: Params, column: string, values: string[] | undefined): void {
  if (!values || values.length === 0) return;
  where.push(`o.${column} = ANY(${p.add(values)}::text[])`);
}
