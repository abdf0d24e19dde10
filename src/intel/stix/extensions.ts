// What STIX lacks, defined as extension-definition objects: a prompt-template fingerprint observable
// and a keyed-hash identifier observable (new SCOs), and the indicator property extension that tells a
// peer's distillguard exactly what to match (kind and value, without parsing patterns).
import { FINGERPRINT_PARAMS, FINGERPRINT_VERSION } from '../fingerprint.js';
import { stixId } from './ids.js';

export const TEMPLATE_SCO = 'prompt-template-fingerprint';
export const KEYED_SCO = 'keyed-identifier';

export const EXT_TEMPLATE = stixId('extension-definition', 'distillguard/prompt-template-fingerprint/v1');
export const EXT_KEYED = stixId('extension-definition', 'distillguard/keyed-identifier/v1');
export const EXT_INDICATOR = stixId('extension-definition', 'distillguard/indicator-match/v1');

/** Fixed creation time of our extension definitions (their content changes only with a new version). */
const EXT_CREATED = '2026-11-01T00:00:00.000Z';

export function extensionDefinitions(identityId: string, markingRefs: string[]): Record<string, unknown>[] {
  const common = { type: 'extension-definition', spec_version: '2.1', created_by_ref: identityId, created: EXT_CREATED, modified: EXT_CREATED, object_marking_refs: markingRefs };
  return [
    {
      ...common,
      id: EXT_TEMPLATE,
      name: 'Prompt-template fingerprint',
      description:
        `A keyed MinHash signature of one window (head or tail, ${12} words) of a prompt's scaffold (payloads, numbers and names masked). ` +
        `Permutations are seeded from the trust group's community key (key_id), so only members can sign a prompt and compare. ` +
        `Properties: key_id, window, version, algorithm, num_perm, shingle_k, params_id, signature (hex of num_perm + 1 little-endian uint32: the minima, then params_id). ` +
        `Two fingerprints with the same key_id, window, version and params_id name one template when the share of equal minima (estimated Jaccard similarity) is at least 0.6.`,
      schema: 'https://github.com/distillguard/distillguard/blob/main/docs/intel.md#prompt-template-fingerprint',
      version: `${FINGERPRINT_VERSION}.0.0`,
      extension_types: ['new-sco'],
    },
    {
      ...common,
      id: EXT_KEYED,
      name: 'Keyed-hash identifier',
      description:
        'An identifier (e-mail address, payment-instrument fingerprint) shared as HMAC-SHA-256 under the community key named by key_id, ' +
        'after normalization (e-mail: trimmed, lower-cased, sub-address tags and gmail dots removed; payment fingerprint: trimmed). ' +
        "The message is '<identifier_kind>:<normalized value>'. Properties: identifier_kind, key_id, hmac_sha256.",
      schema: 'https://github.com/distillguard/distillguard/blob/main/docs/intel.md#keyed-hash-identifier',
      version: '1.0.0',
      extension_types: ['new-sco'],
    },
    {
      ...common,
      id: EXT_INDICATOR,
      name: 'distillguard indicator match',
      description:
        'On an indicator: the one value it matches, as distillguard campaign indicators write it (kind and value), so a peer matches without parsing the pattern. ' +
        `Template fingerprints: minhash ${FINGERPRINT_PARAMS.algorithm}, ${FINGERPRINT_PARAMS.numPerm} permutations, word ${FINGERPRINT_PARAMS.shingleK}-shingles.`,
      schema: 'https://github.com/distillguard/distillguard/blob/main/docs/intel.md#indicator-match',
      version: '1.0.0',
      extension_types: ['property-extension'],
    },
  ];
}
