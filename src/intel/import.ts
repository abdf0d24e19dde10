// Peer indicators from STIX objects (a bundle file, or what `intel pull` stored): the exact value each
// one matches (our indicator-match extension), its producer and its validity window.
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import type { ImportedIndicator } from './peer.js';
import { EXT_INDICATOR } from './stix/extensions.js';
import { openDuckDbStore } from '../store/duckdb.js';
import type { Store } from '../store/store.js';

export function indicatorsFromObjects(objects: readonly Record<string, unknown>[], fallbackProducer = 'unknown'): ImportedIndicator[] {
  const out: ImportedIndicator[] = [];
  for (const o of objects) {
    if (o.type !== 'indicator' || o.revoked === true) continue;
    const ext = (o.extensions as Record<string, { kind?: unknown; value?: unknown }> | undefined)?.[EXT_INDICATOR];
    if (!ext || typeof ext.kind !== 'string' || typeof ext.value !== 'string') continue;
    const validFrom = Date.parse(String(o.valid_from ?? o.created ?? ''));
    if (!Number.isFinite(validFrom)) continue;
    const until = o.valid_until === undefined ? undefined : Date.parse(String(o.valid_until));
    out.push({
      stixId: String(o.id),
      kind: ext.kind,
      value: ext.value,
      producer: typeof o.created_by_ref === 'string' ? o.created_by_ref : fallbackProducer,
      validFrom,
      ...(until !== undefined && Number.isFinite(until) ? { validUntil: until } : {}),
    });
  }
  return out;
}

/** Indicators from a STIX bundle (.json) or an intel store (DuckDB, as `intel pull` writes). */
export async function loadPeerIndicators(path: string): Promise<ImportedIndicator[]> {
  if (!existsSync(path)) throw new InputError(`peer intel ${path} does not exist`);
  if (path.endsWith('.json')) {
    let bundle: { objects?: unknown };
    try {
      bundle = JSON.parse(readFileSync(path, 'utf8')) as { objects?: unknown };
    } catch (e) {
      throw new InputError(`peer intel ${path} is not JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(bundle.objects)) throw new InputError(`peer intel ${path} is not a STIX bundle (no objects array)`);
    return indicatorsFromObjects(bundle.objects as Record<string, unknown>[], path);
  }
  let store: Store;
  try {
    store = await openDuckDbStore(path);
  } catch (e) {
    throw new InputError(`cannot open peer intel ${path}: ${(e as Error).message}`);
  }
  try {
    const rows = await store.intel.latest({ types: ['indicator'] });
    return rows.flatMap((r) => indicatorsFromObjects([r.body], r.source ?? 'unknown'));
  } finally {
    await store.close();
  }
}
