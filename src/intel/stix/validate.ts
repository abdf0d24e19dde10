// Validation of STIX objects against the OASIS STIX 2.1 JSON schemas (draft 2020-12), when present.
// Used by tests and by `intel pull` to refuse malformed objects; the schemas are reference data, so
// callers get undefined when they are absent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

export interface StixValidator {
  /** Errors of one object (against the bundle's item schema and its own type's schema), empty when valid. */
  object(o: unknown): string[];
  bundle(b: unknown): string[];
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

export function stixValidator(schemaDir: string): StixValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: false, unicodeRegExp: false });
  addFormats(ajv);
  ajv.addFormat('idn-hostname', true); // used by domain-name; ajv-formats has no IDN validator
  const byType = new Map<string, ValidateFunction>();
  for (const sub of readdirSync(schemaDir)) {
    for (const f of readdirSync(join(schemaDir, sub))) {
      if (!f.endsWith('.json')) continue;
      ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, sub, f), 'utf8')) as object);
    }
  }
  const base = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';
  const bundle = ajv.getSchema(`${base}/common/bundle.json`)!;
  const typeSchema = (type: string): ValidateFunction | undefined => {
    if (byType.has(type)) return byType.get(type);
    for (const sub of ['sdos', 'sros', 'observables', 'common']) {
      const v = ajv.getSchema(`${base}/${sub}/${type}.json`);
      if (v) {
        byType.set(type, v);
        return v;
      }
    }
    return undefined;
  };
  const errors = (v: ValidateFunction, x: unknown): string[] => (v(x) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));
  return {
    object(o) {
      const type = (o as { type?: string }).type ?? '';
      const own = typeSchema(type);
      // The OASIS bundle schema has no branch for extension-definition (its custom-object branch
      // rejects an object matching both core and cyber-observable-core): those validate on their own.
      const wrapped = type === 'extension-definition' ? [] : errors(bundle, { type: 'bundle', id: 'bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8', objects: [o] });
      return [...(own ? errors(own, o) : []), ...wrapped];
    },
    bundle(b) {
      const objects = (b as { objects?: { type?: string }[] }).objects ?? [];
      const ext = objects.filter((o) => o.type === 'extension-definition');
      return [...errors(bundle, { ...(b as object), objects: objects.filter((o) => o.type !== 'extension-definition') }), ...ext.flatMap((o) => this.object(o))];
    },
  };
}
