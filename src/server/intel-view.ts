// The dashboard's intelligence view, read from the tables the intel module keeps in the same store
// (src/intel/store.ts: `intel_objects`, one row per STIX object version, with the collection it is
// in and the peer `source` it was pulled from, null for what this lab published).
import type { SqlStore } from '../store/duckdb.js';

export interface IntelView {
  available: boolean;
  note?: string;
  /** Objects pulled from peers, by source and collection. */
  bundles: Record<string, unknown>[];
  /** Sightings: a peer's indicator seen in our traffic, or ours seen by a peer. */
  sightings: Record<string, unknown>[];
  /** What this lab published to its TAXII collections, by collection. */
  shared: Record<string, unknown>[];
}

const ms = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

export async function readIntel(store: SqlStore): Promise<IntelView> {
  const tables = await store.rows(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'intel_objects'`);
  if (tables.length === 0) {
    return { available: false, note: 'No intelligence store yet: nothing has been imported or shared (distillguard intel).', bundles: [], sightings: [], shared: [] };
  }
  const bundles = await store.rows(
    `SELECT source, collection, count(DISTINCT id) AS objects, string_agg(DISTINCT type, ', ' ORDER BY type) AS types,
            min(date_added) AS first_added, max(date_added) AS last_added
     FROM intel_objects WHERE source IS NOT NULL GROUP BY source, collection ORDER BY max(date_added) DESC, source, collection`,
  );
  const shared = await store.rows(
    `SELECT api_root, collection, count(DISTINCT id) AS objects, string_agg(DISTINCT type, ', ' ORDER BY type) AS types,
            max(date_added) AS last_added
     FROM intel_objects WHERE source IS NULL GROUP BY api_root, collection ORDER BY api_root, collection`,
  );
  const sightings = await store.rows(
    `SELECT id, source, json_extract_string(body, '$.sighting_of_ref') AS sighting_of, json_extract(body, '$.count') AS count,
            json_extract_string(body, '$.first_seen') AS first_seen, json_extract_string(body, '$.last_seen') AS last_seen, date_added
     FROM intel_objects WHERE type = 'sighting' ORDER BY date_added DESC, id LIMIT 500`,
  );
  return {
    available: true,
    bundles: bundles.map((b) => ({ source: b.source, collection: b.collection, objects: Number(b.objects), types: b.types, first_added: ms(b.first_added), last_added: ms(b.last_added) })),
    sightings: sightings.map((s) => ({ id: s.id, source: s.source ?? 'local', sighting_of: s.sighting_of, count: s.count === null ? null : Number(s.count), first_seen: s.first_seen, last_seen: s.last_seen, added: ms(s.date_added) })),
    shared: shared.map((s) => ({ api_root: s.api_root, collection: s.collection, objects: Number(s.objects), types: s.types, last_added: ms(s.last_added) })),
  };
}
