// The dashboard's intelligence view, from what the intel module stored (src/store/intel-store.ts: one
// row per STIX object version; `source` is the peer an object was pulled from, null for what this lab
// published in its own TAXII collections). Read from serve's TAXII store when `serve --taxii` mounted
// one, else from serve's own store (where `intel pull --db` writes).
import type { IntelStore, StoredObject } from '../store/intel-store.js';

export interface IntelView {
  available: boolean;
  note?: string;
  /** Objects pulled from peers, by source. */
  bundles: Record<string, unknown>[];
  /** Sightings: a peer's indicator seen in our traffic, or ours seen by a peer. */
  sightings: Record<string, unknown>[];
  /** What this lab published, by object type. */
  shared: Record<string, unknown>[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

function groupBy(objects: readonly StoredObject[], key: (o: StoredObject) => string): Map<string, StoredObject[]> {
  const out = new Map<string, StoredObject[]>();
  for (const o of objects) {
    const k = key(o);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(o);
  }
  return out;
}

const typeCounts = (list: readonly StoredObject[]): string =>
  [...groupBy(list, (o) => o.type)]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .map(([t, l]) => `${t} ${l.length}`)
    .join(', ');

/** The view of what `intel` stores (the latest version of each object). */
export async function readIntel(intel: Pick<IntelStore, 'latest'>): Promise<IntelView> {
  const objects = await intel.latest();
  if (objects.length === 0) {
    return { available: false, note: 'No intelligence store: nothing has been pulled from peers or published (see distillguard intel, serve --taxii).', bundles: [], sightings: [], shared: [] };
  }
  const pulled = objects.filter((o) => o.source !== null);
  const bundles = [...groupBy(pulled, (o) => o.source!)].map(([source, list]) => ({
    source,
    objects: list.length,
    indicators: list.filter((o) => o.type === 'indicator').length,
    types: typeCounts(list),
    first_added: iso(Math.min(...list.map((o) => o.dateAdded))),
    last_added: iso(Math.max(...list.map((o) => o.dateAdded))),
  }));
  const sightings = objects
    .filter((o) => o.type === 'sighting')
    .map((o) => ({
      id: o.id,
      from: o.source ?? 'this lab',
      sighting_of: o.body.sighting_of_ref ?? null,
      count: o.body.count ?? null,
      first_seen: o.body.first_seen ?? null,
      last_seen: o.body.last_seen ?? null,
      added: iso(o.dateAdded),
    }));
  const published = objects.filter((o) => o.source === null && o.type !== 'sighting');
  const shared = [...groupBy(published, (o) => o.type)].map(([type, list]) => ({ type, objects: list.length, last_added: iso(Math.max(...list.map((o) => o.dateAdded))) }));
  return { available: true, bundles, sightings, shared };
}
