// What matched of the peers' indicators, as STIX sightings a peer can receive back (intel push).
import type { Sighting } from '../peer.js';
import { stixId } from './ids.js';
import { tlpMarking, tlpMarkingId, type TlpLevel } from './tlp.js';
import type { StixBundle, StixObject } from './export.js';

export function sightingsBundle(sightings: readonly Sighting[], o: { producer: string; tlp: TlpLevel }): StixBundle {
  const identity = stixId('identity', o.producer);
  const marking = [tlpMarkingId(o.tlp)];
  const iso = (ms: number): string => new Date(ms).toISOString();
  const first = sightings.reduce((m, s) => Math.min(m, s.firstSeen), Infinity);
  const last = sightings.reduce((m, s) => Math.max(m, s.lastSeen), -Infinity);
  const objects: StixObject[] = [tlpMarking(o.tlp) as StixObject];
  if (sightings.length > 0) {
    objects.push({ type: 'identity', spec_version: '2.1', id: identity, created: iso(first), modified: iso(last), name: o.producer, identity_class: 'organization', object_marking_refs: marking });
  }
  for (const s of sightings) {
    objects.push({
      type: 'sighting',
      spec_version: '2.1',
      id: stixId('sighting', `${o.producer}|${s.indicator.stixId}`),
      created_by_ref: identity,
      created: iso(s.firstSeen),
      modified: iso(s.lastSeen),
      first_seen: iso(s.firstSeen),
      last_seen: iso(s.lastSeen),
      count: Math.min(s.accounts, 999_999_999),
      sighting_of_ref: s.indicator.stixId,
      where_sighted_refs: [identity],
      description: `${s.accounts} local accounts matched this ${s.indicator.kind} indicator`,
      object_marking_refs: marking,
    });
  }
  return { type: 'bundle', id: stixId('bundle', objects.map((x) => x.id).sort().join(',')), objects };
}
