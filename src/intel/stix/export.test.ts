import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CampaignOut } from '../../core/output.js';
import { encodeFingerprint, TemplateFingerprinter } from '../fingerprint.js';
import { formatKeyed, Keyring } from '../keyring.js';
import { ATLAS_TECHNIQUES, loadAtlasTechniques } from './atlas.js';
import { buildBundle } from './export.js';
import { atlasDataFile, stixSchemaDir } from './reference.js';
import { tlpMarkingId } from './tlp.js';
import { stixValidator } from './validate.js';
import { uuidv5 } from './ids.js';
import { sightingsBundle } from './sightings.js';

const keyring = Keyring.parse({ keys: [{ id: 'k1', secret: 'a-community-secret-of-some-length' }] });
const fp = new TemplateFingerprinter(keyring);

function campaign(id: string): CampaignOut {
  return {
    campaign_id: id,
    accounts: ['acct_a', 'acct_b', 'acct_c'],
    exchanges: 1234,
    first_seen: '2026-04-01T00:00:00.000Z',
    last_seen: '2026-04-05T12:00:00.000Z',
    flagged_at: '2026-04-02T00:00:00.000Z',
    score: 0.93,
    capabilities: { reasoning: 0.8, coding: 0.3 },
    reasons: [{ code: 'shared_payment', weight: 0.9, detail: { dimension: 'payment', accounts: 3, shared_values: 1, suspicion: 1 } }],
    indicators: [
      { kind: 'email_hmac', value: formatKeyed(keyring.hash('email', 'someone@example.com')) },
      { kind: 'payment_hmac', value: formatKeyed(keyring.hash('payment_fingerprint', 'fp_123')) },
      { kind: 'template_fingerprint', value: encodeFingerprint(fp.sign('solve the following problem step by step and put the answer in a box', 'head')) },
      { kind: 'ip_prefix', value: '203.0.113.0/24' },
      { kind: 'ip_prefix', value: '2001:db8:1::/48' },
      { kind: 'asn', value: '64500' },
      { kind: 'user_agent', value: "python-requests/2.31 'quoted'" },
      { kind: 'tls_fingerprint', value: 't13d1516h2_8daaf6152771_02713d6af862' },
      { kind: 'template_cluster', value: 't17' },
      { kind: 'system_prompt_hash', value: 'abc' },
    ],
  };
}

const opts = { producer: 'Lab A', tlp: 'amber' as const, asOf: '2026-04-06T00:00:00.000Z' };

describe('STIX export', () => {
  it('UUIDv5 matches RFC 9562 test vector', () => {
    // uuid5(NAMESPACE_DNS, 'python.org') from Python's uuid module
    expect(uuidv5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('is deterministic, marks every object TLP 2.0 and shares no internal or locally keyed values', () => {
    const a = buildBundle([campaign('cmp_1')], opts);
    const b = buildBundle([campaign('cmp_1')], opts);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const types = new Set(a.objects.map((o) => o.type));
    for (const t of ['campaign', 'intrusion-set', 'indicator', 'attack-pattern', 'infrastructure', 'relationship', 'identity', 'report', 'marking-definition', 'extension-definition', 'prompt-template-fingerprint', 'keyed-identifier']) {
      expect(types.has(t), t).toBe(true);
    }
    const amber = tlpMarkingId('amber');
    expect(amber).toBe('marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421');
    for (const o of a.objects) {
      if (o.type === 'marking-definition' || o.type === 'keyed-identifier' || o.type === 'prompt-template-fingerprint' || o.type === 'autonomous-system') continue;
      expect(o.object_marking_refs, o.id).toEqual([amber]);
    }
    const text = JSON.stringify(a);
    expect(text).not.toContain('t17');
    expect(text).not.toContain('acct_a');
    const infra = a.objects.find((o) => o.type === 'infrastructure')!;
    expect(infra.infrastructure_types).toEqual(['unknown']);
    const refs = a.objects.filter((o) => o.type === 'attack-pattern').map((o) => (o.external_references as { external_id: string }[])[0].external_id);
    expect(refs.sort()).toEqual(['AML.T0024.002', 'AML.T0040']);
  });

  const schemas = stixSchemaDir();
  it.skipIf(!schemas)(`validates against the OASIS STIX 2.1 JSON schemas${schemas ? '' : ' (skipped: ../shared/data/stix2-json-schemas not found)'}`, () => {
    const v = stixValidator(schemas!);
    const bundle = buildBundle([campaign('cmp_1'), campaign('cmp_2')], { ...opts, tlp: 'green' });
    expect(v.bundle(bundle)).toEqual([]);
    for (const o of bundle.objects) expect(v.object(o), `${o.id}`).toEqual([]);
    const ind = bundle.objects.find((o) => o.type === 'indicator')!;
    const sightings = sightingsBundle([{ indicator: { stixId: ind.id, kind: 'asn', value: '64500', producer: 'identity--x', validFrom: 0 }, accounts: 3, firstSeen: Date.parse('2026-04-02T00:00:00Z'), lastSeen: Date.parse('2026-04-03T00:00:00Z') }], { producer: 'Lab B', tlp: 'amber' });
    expect(sightings.objects.map((o) => o.type)).toEqual(['marking-definition', 'identity', 'sighting']);
    expect(v.bundle(sightings)).toEqual([]);
    for (const o of sightings.objects) expect(v.object(o), o.id).toEqual([]);
    // the validator is not a rubber stamp
    expect(v.object({ ...bundle.objects.find((o) => o.type === 'indicator'), pattern_type: undefined, id: 'indicator--nope' }).length).toBeGreaterThan(0);
  });

  const atlas = atlasDataFile();
  it.skipIf(!atlas)(`reads technique names and descriptions from MITRE ATLAS${atlas ? '' : ' (skipped: ../shared/data/atlas not found)'}`, () => {
    const t = loadAtlasTechniques(atlas!);
    expect(t.map((x) => x.id)).toEqual(ATLAS_TECHNIQUES.map((x) => x.id));
    for (const x of t) {
      expect(x.name).toBe(ATLAS_TECHNIQUES.find((y) => y.id === x.id)!.name);
      expect(x.description?.length ?? 0).toBeGreaterThan(50);
      expect(readFileSync(atlas!, 'utf8')).toContain(x.name);
    }
    const bundle = buildBundle([campaign('cmp_1')], { ...opts, techniques: t });
    const ap = bundle.objects.find((o) => o.type === 'attack-pattern' && o.name === 'Extract AI Model')!;
    expect(String(ap.description)).toMatch(/functional copy/);
  });
});
