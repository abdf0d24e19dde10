// Campaigns as a STIX 2.1 bundle: who we are (identity), what we saw (campaign, intrusion-set while
// unattributed), how to catch it (indicators, each with the exact value a peer's distillguard matches),
// what it did (ATLAS attack patterns), where it ran from (infrastructure), a report per campaign, under a
// TLP 2.0 marking. Only privacy-safe indicators leave: community-keyed hashes, keyed template
// fingerprints, network prefixes, ASNs and client fingerprints; never an account id, e-mail or prompt.
import type { CampaignOut, Indicator } from '../../core/output.js';
import { decodeFingerprint, FINGERPRINT_PARAMS } from '../fingerprint.js';
import { parseKeyed } from '../keyring.js';
import { ATLAS_TECHNIQUES, atlasUrl, type AtlasTechnique } from './atlas.js';
import { EXT_INDICATOR, EXT_KEYED, EXT_TEMPLATE, extensionDefinitions, KEYED_SCO, TEMPLATE_SCO } from './extensions.js';
import { scoId, stixId } from './ids.js';
import { tlpMarking, tlpMarkingId, type TlpLevel } from './tlp.js';

export type StixObject = Record<string, unknown> & { type: string; id: string };

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export interface ExportOptions {
  /** Producer name (identity); it names the ids too, so keep it stable. */
  producer: string;
  tlp: TlpLevel;
  /** Modification time of every object: the store's last event, so re-exports are identical. */
  asOf: string;
  techniques?: readonly AtlasTechnique[];
  /** Campaigns below this score are not shared. */
  minScore?: number;
}

/** Indicator kinds shared with peers, and how each becomes a STIX pattern. */
/** The indicator kinds a peer can match (keyed with the community key, or public by nature). */
export const SHARED_KINDS = new Set(['email_hmac', 'payment_hmac', 'template_fingerprint', 'ip_prefix', 'asn', 'user_agent', 'tls_fingerprint']);

export function buildBundle(campaigns: readonly CampaignOut[], o: ExportOptions): StixBundle {
  const marking = [tlpMarkingId(o.tlp)];
  const identityId = stixId('identity', o.producer);
  const objects = new Map<string, StixObject>();
  const add = (x: StixObject): string => {
    if (!objects.has(x.id)) objects.set(x.id, x);
    return x.id;
  };
  const earliest = campaigns.reduce((m, c) => (c.first_seen < m ? c.first_seen : m), o.asOf);
  const base = (type: string, id: string, created: string): StixObject => ({
    type,
    spec_version: '2.1',
    id,
    created_by_ref: identityId,
    created: stamp(created),
    modified: stamp(o.asOf < created ? created : o.asOf),
    object_marking_refs: marking,
  });
  add(tlpMarking(o.tlp) as StixObject);
  add({ type: 'identity', spec_version: '2.1', id: identityId, created: stamp(earliest), modified: stamp(o.asOf), name: o.producer, identity_class: 'organization', sectors: ['technology'], object_marking_refs: marking });
  for (const e of extensionDefinitions(identityId, marking)) add(e as StixObject);
  const techniques = (o.techniques ?? ATLAS_TECHNIQUES).map((t) =>
    add({
      ...base('attack-pattern', stixId('attack-pattern', t.id), earliest),
      created_by_ref: undefined,
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      external_references: [{ source_name: 'mitre-atlas', external_id: t.id, url: atlasUrl(t.id) }],
    }),
  );
  const rel = (source: string, type: string, target: string, created: string): string =>
    add({ ...base('relationship', stixId('relationship', `${source}|${type}|${target}`), created), relationship_type: type, source_ref: source, target_ref: target });

  for (const c of campaigns) {
    if (o.minScore !== undefined && c.score < o.minScore) continue;
    const created = c.first_seen;
    const name = `distillation campaign ${c.campaign_id}`;
    const refs: string[] = [];
    const campaignId = add({
      ...base('campaign', stixId('campaign', `${o.producer}|${c.campaign_id}`), created),
      name,
      description: campaignDescription(c),
      first_seen: stamp(c.first_seen),
      last_seen: stamp(c.last_seen),
      objective: 'harvest model outputs to train a competing model (distillation)',
      labels: Object.keys(c.capabilities).sort(),
      confidence: Math.round(c.score * 100),
    });
    refs.push(campaignId);
    const setId = add({
      ...base('intrusion-set', stixId('intrusion-set', `${o.producer}|${c.campaign_id}`), created),
      name: `unattributed operator of ${c.campaign_id}`,
      description: 'Unattributed: the operator behind the linked accounts is not yet known.',
      first_seen: stamp(c.first_seen),
      last_seen: stamp(c.last_seen),
      goals: ['model distillation'],
      resource_level: 'organization',
      primary_motivation: 'organizational-gain',
    });
    refs.push(setId, rel(campaignId, 'attributed-to', setId, created));
    for (const t of techniques) refs.push(t, rel(campaignId, 'uses', t, created), rel(setId, 'uses', t, created));
    const shared = c.indicators.filter((i) => SHARED_KINDS.has(i.kind));
    const network = shared.filter((i) => i.kind === 'ip_prefix' || i.kind === 'asn');
    let infraId: string | undefined;
    if (network.length > 0) {
      const prefixes = network.filter((i) => i.kind === 'ip_prefix').length;
      const asns = network.filter((i) => i.kind === 'asn').length;
      infraId = add({
        ...base('infrastructure', stixId('infrastructure', `${o.producer}|${c.campaign_id}`), created),
        name: `network of ${c.campaign_id}`,
        description: `${prefixes} network prefixes, ${asns} autonomous systems carrying the campaign's traffic`,
        infrastructure_types: prefixes >= 3 || asns >= 2 ? ['anonymization'] : ['unknown'],
        first_seen: stamp(c.first_seen),
        last_seen: stamp(c.last_seen),
      });
      refs.push(infraId, rel(campaignId, 'uses', infraId, created));
    }
    for (const ind of shared) {
      const made = indicatorObjects(ind, base, created, identityId, c.flagged_at);
      if (!made) continue;
      for (const sco of made.observables) refs.push(add(sco));
      const id = add(made.indicator);
      refs.push(id, rel(id, 'indicates', campaignId, created));
      if (infraId && (ind.kind === 'ip_prefix' || ind.kind === 'asn')) refs.push(rel(id, 'indicates', infraId, created));
    }
    add({
      ...base('report', stixId('report', `${o.producer}|${c.campaign_id}`), created),
      name: `Campaign brief: ${name}`,
      description: campaignDescription(c),
      report_types: ['campaign', 'threat-actor'],
      published: stamp(o.asOf),
      object_refs: [...new Set(refs)],
    });
  }
  const list = [...objects.values()].map(dropUndefined);
  return { type: 'bundle', id: stixId('bundle', list.map((x) => `${x.id}@${String(x.modified ?? '')}`).sort().join(',')), objects: list };
}

function campaignDescription(c: CampaignOut): string {
  const caps = Object.entries(c.capabilities).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${Math.round(v * 100)}%`).join(', ');
  const reasons = c.reasons.slice(0, 5).map((r) => r.code).join(', ');
  return `${c.accounts.length} linked accounts, ${c.exchanges} exchanges from ${c.first_seen} to ${c.last_seen}; score ${c.score}. Harvested: ${caps || 'n/a'}. Evidence: ${reasons}.`;
}

interface Made {
  indicator: StixObject;
  observables: StixObject[];
}

/** The indicator (and observable) of one shared campaign indicator; undefined when it cannot be shared. */
function indicatorObjects(ind: Indicator, base: (type: string, id: string, created: string) => StixObject, created: string, identityId: string, validFrom: string | null): Made | undefined {
  let pattern: string;
  let name: string;
  const observables: StixObject[] = [];
  const match: Record<string, unknown> = { extension_type: 'property-extension', kind: ind.kind, value: ind.value };
  switch (ind.kind) {
    case 'email_hmac':
    case 'payment_hmac': {
      const k = parseKeyed(ind.value);
      if (!k) return undefined;
      const kind = ind.kind === 'email_hmac' ? 'email' : 'payment_fingerprint';
      const sco = { identifier_kind: kind, key_id: k.keyId, hmac_sha256: k.hash };
      observables.push({ type: KEYED_SCO, spec_version: '2.1', id: scoId(KEYED_SCO, sco), ...sco, extensions: { [EXT_KEYED]: { extension_type: 'new-sco' } } });
      pattern = `[${KEYED_SCO}:identifier_kind = '${kind}' AND ${KEYED_SCO}:key_id = '${esc(k.keyId)}' AND ${KEYED_SCO}:hmac_sha256 = '${k.hash}']`;
      name = `keyed ${kind === 'email' ? 'e-mail' : 'payment fingerprint'} ${k.hash.slice(0, 12)}`;
      match.key_id = k.keyId;
      break;
    }
    case 'template_fingerprint': {
      const fp = decodeFingerprint(ind.value);
      if (!fp) return undefined;
      const hex = ind.value.slice(ind.value.lastIndexOf(':') + 1);
      const sco = {
        key_id: fp.keyId,
        window: fp.window,
        version: fp.version,
        algorithm: FINGERPRINT_PARAMS.algorithm,
        num_perm: FINGERPRINT_PARAMS.numPerm,
        shingle_k: FINGERPRINT_PARAMS.shingleK,
        params_id: fp.signature[fp.signature.length - 1].toString(16).padStart(8, '0'),
        signature: hex,
      };
      observables.push({ type: TEMPLATE_SCO, spec_version: '2.1', id: scoId(TEMPLATE_SCO, { key_id: sco.key_id, window: sco.window, version: sco.version, signature: hex }), ...sco, extensions: { [EXT_TEMPLATE]: { extension_type: 'new-sco' } } });
      pattern = `[${TEMPLATE_SCO}:key_id = '${esc(fp.keyId)}' AND ${TEMPLATE_SCO}:window = '${fp.window}' AND ${TEMPLATE_SCO}:signature = '${hex}']`;
      name = `prompt-template fingerprint (${fp.window}) ${hex.slice(0, 12)}`;
      match.key_id = fp.keyId;
      break;
    }
    case 'ip_prefix': {
      const v6 = ind.value.includes(':');
      if (!ind.value.includes('/')) return undefined; // only prefixes leave; a bare value could be one customer's address
      pattern = `[${v6 ? 'ipv6-addr' : 'ipv4-addr'}:value ISSUBSET '${esc(ind.value)}']`;
      name = `network prefix ${ind.value}`;
      break;
    }
    case 'asn': {
      const n = Number(ind.value);
      if (!Number.isInteger(n) || n < 0) return undefined;
      observables.push({ type: 'autonomous-system', spec_version: '2.1', id: scoId('autonomous-system', { number: n }), number: n });
      pattern = `[autonomous-system:number = ${n}]`;
      name = `autonomous system AS${n}`;
      break;
    }
    case 'user_agent':
      pattern = `[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = '${esc(ind.value)}']`;
      name = `client user agent ${ind.value.slice(0, 40)}`;
      break;
    case 'tls_fingerprint':
      pattern = `[network-traffic:extensions.'x-tls-ext'.fingerprint = '${esc(ind.value)}']`;
      name = `TLS client fingerprint ${ind.value.slice(0, 40)}`;
      break;
    default:
      return undefined;
  }
  const indicator: StixObject = {
    ...base('indicator', stixId('indicator', `${identityId}|${ind.kind}|${ind.value}`), created),
    name,
    indicator_types: ['malicious-activity'],
    pattern,
    pattern_type: 'stix',
    pattern_version: '2.1',
    // Usable by peers from when we knew it: the campaign's flag time (event-time honest matching).
    valid_from: stamp(validFrom ?? created),
    extensions: { [EXT_INDICATOR]: match },
  };
  return { indicator, observables };
}

/** STIX pattern string literal escaping: backslash and quote. */
function esc(s: string): string {
  return s.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
}

/** STIX timestamps: RFC 3339 UTC with milliseconds. */
function stamp(iso: string): string {
  return new Date(iso).toISOString();
}

function dropUndefined(o: StixObject): StixObject {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
