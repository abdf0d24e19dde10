// Deterministic STIX identifiers: UUIDv5 (RFC 9562), so re-exporting the same store gives the same ids
// and a peer's platform updates its objects instead of piling up duplicates.
import { createHash } from 'node:crypto';

/** The namespace STIX 2.1 (section 2.9) prescribes for SCO ids derived from id-contributing properties. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';
/** distillguard's own namespace for the ids of the SDOs and SROs it produces. */
export const DISTILLGUARD_NAMESPACE = 'a1d5e2f0-4c3b-5e6f-9a7b-2c8d9e0f1a2b';

export function uuidv5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** `type--uuidv5(distillguard namespace, type|name)` for SDOs, SROs and bundles. */
export function stixId(type: string, name: string): string {
  return `${type}--${uuidv5(DISTILLGUARD_NAMESPACE, `${type}|${name}`)}`;
}

/** SCO id from its id-contributing properties, serialized canonically (sorted keys), as STIX prescribes. */
export function scoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidv5(STIX_SCO_NAMESPACE, canonicalJson(contributing))}`;
}

/** JSON with object keys sorted (RFC 8785 for the plain values used here). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}
